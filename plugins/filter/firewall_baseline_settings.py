# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The firewall_baseline role's variables as a user sets them -> what the batch module takes.

The documentation is in the .yml file of the same name next to this one.
"""

import os

from ansible.errors import AnsibleFilterError


from ansible_collections.seed.lightsail.plugins.module_utils.role_settings import RoleSettingsError
from ansible_collections.seed.lightsail.plugins.module_utils.role_settings import effective_scope
from ansible_collections.seed.lightsail.plugins.module_utils.role_settings import role_settings


def firewall_baseline_settings(raw, mode="audit", scope="fleet", variables=(), host=None, cwd=None):
    # Host scope runs this once per host, each in a fresh worker process: botocore's region list would cost every
    # host an import and a session, so there the module checks the regions of all hosts at once, before any call.
    known_regions = ()
    if scope == "fleet":
        from ansible_collections.seed.lightsail.plugins.module_utils.lightsail import lightsail_regions  # pylint: disable=import-outside-toplevel

        known_regions = lightsail_regions()
    try:
        return role_settings(raw, mode=mode, scope=scope, variables=variables, host=host, cwd=cwd, known_regions=known_regions,
                             endpoint_url=os.environ.get("AWS_URL") or os.environ.get("AWS_ENDPOINT_URL"))
    except RoleSettingsError as error:
        raise AnsibleFilterError(str(error))


def firewall_baseline_scope(requested, play_hosts):
    try:
        return effective_scope(requested, play_hosts)
    except RoleSettingsError as error:
        raise AnsibleFilterError(str(error))


class FilterModule(object):
    def filters(self):
        return {"firewall_baseline_settings": firewall_baseline_settings, "firewall_baseline_scope": firewall_baseline_scope}
