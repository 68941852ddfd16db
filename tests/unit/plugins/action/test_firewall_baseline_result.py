"""The action that gives each host its outcome of the batch run, run as ansible-core runs it."""

from __future__ import annotations

from unittest.mock import MagicMock

from ansible.playbook.play_context import PlayContext

from ansible_collections.seed.lightsail.plugins.action.firewall_baseline_result import ActionModule

VIOLATION = {"message": "SSH (tcp 22) open to 0.0.0.0/0"}
RUN = {"mode": "audit", "check_mode": False, "instances": [
    {"host": "web-1", "name": "web-1", "region": "eu-west-1", "changed": False, "failed": False, "compliant": False,
     "compliant_after": None, "missing": [], "extra": [], "violations": [VIOLATION], "ports_before": [], "ports_after": None}]}


def run(args, task_vars):
    task = MagicMock(args=args, async_val=0, check_mode=False, diff=False)
    action = ActionModule(task, MagicMock(), PlayContext(), loader=MagicMock(), templar=MagicMock(), shared_loader_obj=None)
    return action.run(task_vars=dict(task_vars, inventory_hostname="web-1", baseline_run=RUN))


def settings(scope, mode="audit", fail_on_violations=True):
    return {"scope": scope, "run": {"mode": mode, "fail_on_violations": fail_on_violations}}


def test_fleet_scope_settings_skip_the_host():
    result = run({"run": "baseline_run", "settings": "baseline_settings"}, {"baseline_settings": settings("fleet")})
    assert result["skipped"] is True and result["changed"] is False and "fleet" in result["skip_reason"]


def test_an_audits_fail_on_violations_comes_from_the_settings():
    result = run({"run": "baseline_run", "settings": "baseline_settings"}, {"baseline_settings": settings("host")})
    assert result["failed"] is True and result["msg"] == "web-1: SSH (tcp 22) open to 0.0.0.0/0"
    result = run({"run": "baseline_run", "settings": "baseline_settings"}, {"baseline_settings": settings("host", mode="apply")})
    assert not result.get("failed") and result["instance"] == "web-1"


def test_an_explicit_fail_on_violations_wins_over_the_settings():
    result = run({"run": "baseline_run", "settings": "baseline_settings", "fail_on_violations": False}, {"baseline_settings": settings("host")})
    assert not result.get("failed") and not result.get("skipped")


def test_without_settings_nothing_is_skipped_and_violations_do_not_fail():
    result = run({"run": "baseline_run"}, {})
    assert not result.get("failed") and not result.get("skipped") and result["instance"] == "web-1"
