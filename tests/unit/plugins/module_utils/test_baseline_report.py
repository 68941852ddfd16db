"""The role's report (baseline_report.py): check runs say would, stats for AWX."""

from __future__ import annotations

from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import build_report
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import report_title
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import stats


def entry(name, changed, compliant=False, compliant_after=True, failed=False):
    return {"name": name, "profile": "web", "changed": changed, "compliant": compliant, "compliant_after": compliant_after, "failed": failed,
            "missing": [], "extra": [], "violations": [], "excepted": []}


RUN = {"regions": ["eu-west-1"], "instances": [entry("a", True), entry("b", False, True)]}


def test_a_check_run_changes_nothing_and_says_what_would_change():
    report = build_report(RUN, {"mode": "apply", "report_path": ""}, check_mode=True)
    assert report["summary"]["changed"] == 0 and report["summary"]["would_change"] == 1
    assert stats(report)["changed"] == [] and stats(report)["would_change"] == ["a"]
    assert "nothing was written" in report_title(report) and "1 instance(s) would change" in report_title(report)


def test_a_real_run_reports_changed_and_status_after():
    report = build_report(RUN, {"mode": "apply", "report_path": "/tmp/r.json"})
    assert report["summary"]["changed"] == 1 and report["summary"]["would_change"] == 0 and report["summary"]["compliant_after"] == 2
    data = stats(report)
    assert data["changed"] == ["a"] and data["non_compliant"] == ["a"] and data["non_compliant_after"] == []
    assert data["report_path"] == "/tmp/r.json" and report["profile"] == "web"
    assert report_title(report).startswith("Apply: 1 instance(s) changed")


def test_an_audit_title_says_read_only():
    assert report_title(build_report(RUN, {"mode": "audit"})).startswith("Audit (read only)")
