# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The firewall_baseline report, built once on the controller: its table, its set_stats data, and the JSON file written.

The documentation is in plugins/modules/firewall_baseline_report.py.
"""

import json
import os
import tempfile

from ansible.plugins.action import ActionBase

from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import build_report
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import stats
from ansible_collections.seed.lightsail.plugins.module_utils._report_table import report_lines


def write_json(path, data):
    """Write ``data`` to ``path`` as sorted, indented JSON, replacing the file in one step (mode 0644)."""
    directory = os.path.dirname(path)
    handle, temporary = tempfile.mkstemp(prefix=".%s." % os.path.basename(path), dir=directory)
    try:
        with os.fdopen(handle, "w") as stream:
            json.dump(data, stream, indent=4, sort_keys=True, separators=(",", ": "))
            stream.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("run", "mode", "report_path", "profile"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        validation, args = self.validate_argument_spec(argument_spec=dict(
            run=dict(type="str", required=True),
            mode=dict(type="str", default="audit", choices=["audit", "apply"]),
            report_path=dict(type="str", default=""),
            profile=dict(type="str"),
        ))
        del validation
        task_vars = task_vars or {}
        # Read the registered result directly: templating a 1,000-instance result costs seconds, and once is enough.
        report = build_report(task_vars.get(args["run"]), dict(mode=args["mode"], report_path=args["report_path"]),
                              check_mode=bool(task_vars.get("ansible_check_mode")), profile=args["profile"])
        lines = report_lines(report)
        result.update(changed=False, report_path=report["report_path"], stats=stats(report))
        if report["report_path"]:
            try:
                write_json(report["report_path"], report)
            except (OSError, TypeError, ValueError) as error:
                result.update(failed=True, table=lines, msg="The JSON report could not be written to %s: %s" % (report["report_path"], error))
                return result
            lines = lines + ["JSON report written to %s" % report["report_path"]]
        result.update(table=lines, msg=lines[0])
        return result
