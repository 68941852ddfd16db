# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One host's outcome of a batch run of lightsail_firewall_baseline, on the controller, without a module process.

The documentation is in plugins/modules/firewall_baseline_result.py.
"""

from ansible.plugins.action import ActionBase

from ansible_collections.seed.lightsail.plugins.module_utils._baseline_outcome import host_outcome
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_outcome import outcome_skip_reason
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_outcome import settings_fail_on_violations


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("run", "settings", "host", "fail_on_violations"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validation, args = self.validate_argument_spec(argument_spec=dict(
            run=dict(type="str", required=True),
            settings=dict(type="str"),
            host=dict(type="str"),
            fail_on_violations=dict(type="bool"),
        ))
        del validation
        task_vars = task_vars or {}
        host = args["host"] or task_vars.get("inventory_hostname")
        # Read the registered results directly: templating a 1,000-instance result for every host would cost seconds.
        settings = task_vars.get(args["settings"]) if args["settings"] else None
        if settings is not None:
            skip_reason = outcome_skip_reason(settings, args["settings"])
            if skip_reason:
                result.update(skipped=True, skip_reason=skip_reason, changed=False)
                return result
        fail_on_violations = args["fail_on_violations"]
        if fail_on_violations is None:
            fail_on_violations = settings_fail_on_violations(settings)
        run = task_vars.get(args["run"])
        result.update(host_outcome(run, host, args["run"], diff_mode=self._task.diff, fail_on_violations=fail_on_violations))
        return result
