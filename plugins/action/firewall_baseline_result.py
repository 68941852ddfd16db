# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One host's outcome of a batch run of lightsail_firewall_baseline, on the controller, without a module process.

The documentation is in plugins/modules/firewall_baseline_result.py.
"""

from ansible.plugins.action import ActionBase

from ansible_collections.seed.lightsail.plugins.module_utils._baseline_outcome import host_outcome


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("run", "host", "fail_on_violations"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validation, args = self.validate_argument_spec(argument_spec=dict(
            run=dict(type="str", required=True),
            host=dict(type="str"),
            fail_on_violations=dict(type="bool", default=False),
        ))
        del validation
        task_vars = task_vars or {}
        host = args["host"] or task_vars.get("inventory_hostname")
        # Read the registered result directly: templating a 1,000-instance result for every host would cost seconds.
        run = task_vars.get(args["run"])
        result.update(host_outcome(run, host, args["run"], diff_mode=self._task.diff, fail_on_violations=args["fail_on_violations"]))
        return result
