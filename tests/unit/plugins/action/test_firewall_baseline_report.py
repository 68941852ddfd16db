"""The action that builds, saves and hands on the firewall_baseline report, run as ansible-core runs it."""

from __future__ import annotations

import json
import os
from unittest.mock import MagicMock

from ansible.playbook.play_context import PlayContext

from ansible_collections.seed.lightsail.plugins.action.firewall_baseline_report import ActionModule

ENTRY = {"name": "web-1", "host": None, "region": "eu-west-1", "platform": "LINUX_UNIX", "compliant": False, "compliant_after": True,
         "changed": True, "failed": False, "missing": [{}], "extra": [], "violations": [], "excepted": [], "drifted": True,
         "profile": "web"}
RUN = {"regions": ["eu-west-1"], "instances": [ENTRY], "summary": {"failed": 0}}


def run(args, task_vars):
    task = MagicMock(args=args, async_val=0, check_mode=False, diff=False)
    action = ActionModule(task, MagicMock(), PlayContext(), loader=MagicMock(), templar=MagicMock(), shared_loader_obj=None)
    return action.run(task_vars=task_vars)


def test_a_check_run_says_so_and_still_writes_the_report(tmp_path):
    path = tmp_path / "report.json"
    result = run({"run": "baseline_run", "mode": "apply", "report_path": str(path)}, {"baseline_run": RUN, "ansible_check_mode": True})
    assert not result.get("failed") and result["changed"] is False
    assert result["msg"] == "Check run of an apply: nothing was written; 1 instance(s) would change, profile web, eu-west-1"
    assert result["table"][0] == result["msg"] and result["table"][-1] == "JSON report written to %s" % path
    assert result["stats"]["would_change"] == ["web-1"] and result["stats"]["changed"] == [] and result["stats"]["report_path"] == str(path)
    saved = json.loads(path.read_text())
    assert saved["check_mode"] is True and saved["summary"]["would_change"] == 1 and saved["instances"][0]["name"] == "web-1"
    assert oct(os.stat(path).st_mode & 0o777) == "0o644" and sorted(os.listdir(tmp_path)) == ["report.json"]


def test_without_a_path_nothing_is_written_and_the_table_ends_with_its_summary(tmp_path):
    result = run({"run": "baseline_run", "mode": "apply"}, {"baseline_run": RUN})
    assert result["report_path"] is None and result["table"][-1].endswith("1 changed, 0 failed")
    assert result["stats"]["changed"] == ["web-1"] and os.listdir(tmp_path) == []


def test_a_report_that_cannot_be_written_fails_and_keeps_the_table(tmp_path):
    path = tmp_path / "gone" / "report.json"
    result = run({"run": "baseline_run", "mode": "audit", "report_path": str(path)}, {"baseline_run": RUN})
    assert result["failed"] is True and result["msg"].startswith("The JSON report could not be written to %s: " % path)
    assert result["table"][0] == "Audit (read only), profile web, eu-west-1"


def test_a_run_that_failed_as_a_whole_gives_an_empty_report_with_its_error():
    failed = {"msg": "writes failed", "summary": {"failed": 1}, "regions": ["eu-west-1"], "instances": []}
    result = run({"run": "baseline_run", "mode": "apply", "profile": "web"}, {"baseline_run": failed})
    assert result["msg"] == "Apply: 0 instance(s) changed, 0 failed, profile web, eu-west-1" and result["stats"]["failed"] == []
