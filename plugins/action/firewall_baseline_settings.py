# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One host's view of the firewall_baseline role's variables, checked on the controller, without a module process.

The documentation is in plugins/modules/firewall_baseline_settings.py.
"""

import os

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

# Imported at the top on purpose: ansible-core loads an action plugin's class in the controller's main process before it
# forks a worker per host, so the workers inherit these modules instead of compiling them again each.
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import PREFIX
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import ROLE_VARIABLES
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import RoleSettingsError
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import effective_scope
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import role_settings
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import with_host_defaults


def _known_regions(scope):
    # Host scope runs once per host: botocore's region list would cost every host an import and a session, so there the
    # module checks the regions of all hosts at once, before any call.
    if scope != "fleet":
        return ()
    from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import lightsail_regions  # pylint: disable=import-outside-toplevel

    return lightsail_regions()


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("variables", "mode", "scope"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validation, args = self.validate_argument_spec(argument_spec=dict(
            variables=dict(type="dict"),
            mode=dict(type="str"),
            scope=dict(type="str"),
        ))
        del validation
        task_vars = task_vars or {}
        # The names this host sees, to find misspelt ones: what the varnames lookup would list, without templating.
        names = [name for name in task_vars if name.startswith(PREFIX)]
        try:
            raw = args["variables"]
            if raw is None:
                raw = self._role_variables(task_vars)
            raw = with_host_defaults(raw, lambda name: self._host_variable(task_vars, name))
            mode = args["mode"] if args["mode"] is not None else raw.get("mode", "audit")
            scope = effective_scope(args["scope"] if args["scope"] is not None else raw.get("scope"), task_vars.get("ansible_play_hosts_all"))
            settings = role_settings(raw, mode=mode, scope=scope, variables=names,
                                     host=task_vars.get("inventory_hostname"), known_regions=_known_regions(scope),
                                     endpoint_url=os.environ.get("AWS_URL") or os.environ.get("AWS_ENDPOINT_URL"))
        except RoleSettingsError as error:
            result.update(failed=True, msg=str(error))
            return result
        # Registered by the role, not returned as facts: facts would land in fact caches (AWX's fact storage among them).
        result.update(settings, scope=scope, changed=False)
        return result

    def _role_variables(self, task_vars):
        """The role's variables as this host sees them, read here rather than passed as templated task arguments: a
        template in a task's arguments is compiled again in every host's worker, and most values hold none."""
        raw = {}
        for name in ROLE_VARIABLES:
            if PREFIX + name in task_vars:
                raw[name] = self._template(task_vars[PREFIX + name], PREFIX + name)
        return raw

    def _host_variable(self, task_vars, name):
        return self._template(task_vars[name], name) if task_vars.get(name) is not None else None

    def _template(self, value, name):
        try:
            return self._templar.template(value)
        except AnsibleError as error:
            raise RoleSettingsError("%s: %s" % (name, error))
