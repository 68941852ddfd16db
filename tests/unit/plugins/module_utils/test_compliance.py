"""Compliance of a firewall with its baseline, report entries and their summary (module_utils/_compliance.py)."""

from __future__ import annotations

from ansible_collections.seed.lightsail.plugins.module_utils._compliance import evaluate
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import instance_report
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import mark_failed
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import summarize
from ansible_collections.seed.lightsail.plugins.module_utils._policy import parse_public_exceptions
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources

WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
OFFICE = "203.0.113.0/24"
CONNECT = "lightsail-connect"
SSH, HTTP, HTTPS = RuleKey("tcp", 22, 22), RuleKey("tcp", 80, 80), RuleKey("tcp", 443, 443)
WORLD = Sources.of([WORLD4], [WORLD6])


class TestEvaluate:
    def test_compliant_when_equal(self):
        desired = {SSH: Sources.of([OFFICE], (), [CONNECT])}
        assert evaluate(dict(desired), desired) == {"compliant": True, "missing": [], "extra": [], "violations": [], "excepted": []}

    def test_drift_is_counted_source_by_source(self):
        current = {SSH: Sources.of([OFFICE, WORLD4]), HTTP: Sources.of([WORLD4])}
        desired = {SSH: Sources.of([OFFICE], (), [CONNECT]), HTTPS: WORLD}
        report = evaluate(current, desired)
        assert not report["compliant"]
        missing = [(r["from_port"], r["cidrs"], r["ipv6_cidrs"], r["cidr_list_aliases"]) for r in report["missing"]]
        assert missing == [(22, [], [], [CONNECT]), (443, [WORLD4], [WORLD6], [])]
        assert [(r["from_port"], r["cidrs"]) for r in report["extra"]] == [(22, [WORLD4]), (80, [WORLD4])]
        assert [v["service"] for v in report["violations"]] == ["SSH"]

    def test_excepted_findings_do_not_break_compliance(self):
        current = {RuleKey("tcp", 25, 25): WORLD}
        report = evaluate(current, dict(current), parse_public_exceptions([{"protocol": "tcp", "from_port": 25, "reason": "mail"}]))
        assert report["compliant"] and report["violations"] == [] and len(report["excepted"]) == 2

    def test_violations_alone_break_compliance(self):
        current = {SSH: Sources.of([WORLD4])}
        assert not evaluate(current, dict(current))["compliant"]


class TestReport:
    def test_entry_as_found_and_after(self):
        current, desired = {SSH: Sources.of([WORLD4])}, {SSH: Sources.of([OFFICE])}
        operations = [{"operation": "PutInstancePublicPorts", "ports": []}]
        entry = instance_report("web-1", "eu-west-1", "LINUX_UNIX", current, desired, (), operations, desired)
        assert entry["name"] == "web-1" and entry["region"] == "eu-west-1" and entry["platform"] == "LINUX_UNIX"
        assert entry["changed"] and entry["operations"] == operations and not entry["compliant"] and not entry["failed"]
        assert entry["ports_before"][0]["cidrs"] == [WORLD4] and entry["ports_after"][0]["cidrs"] == [OFFICE]

    def test_audit_entry_leaves_the_firewall(self):
        current = {SSH: Sources.of([OFFICE])}
        entry = instance_report("a", "r", "LINUX_UNIX", current, current)
        assert entry["compliant"] and not entry["changed"] and entry["ports_after"] == entry["ports_before"]

    def test_mark_failed(self):
        entry = instance_report("a", "r", "LINUX_UNIX", {SSH: Sources.of([WORLD4])}, {SSH: Sources.of([OFFICE])}, (), [{"operation": "Put"}])
        failed = mark_failed(entry, "boom", failed={"operation": "Put"})
        assert failed["failed"] and failed["error"] == "boom" and not failed["changed"] and failed["ports_after"] is None
        assert not entry["failed"]

    def test_the_keys_stay_those_of_earlier_releases(self):
        entry = instance_report("a", "r", "LINUX_UNIX", {SSH: Sources.of([OFFICE])}, {SSH: Sources.of([OFFICE])})
        assert sorted(entry) == sorted(["name", "region", "platform", "compliant", "missing", "extra", "violations", "excepted", "changed",
                                        "operations", "ports_before", "ports_after", "failed"])

    def test_a_failed_write_leaves_the_status_after_unknown(self):
        entry = dict(instance_report("a", "r", "LINUX_UNIX", {SSH: WORLD}, {SSH: Sources.of([OFFICE])}, (), [{"operation": "Put"}]), compliant_after=True)
        assert mark_failed(entry, "boom")["compliant_after"] is None
        assert "compliant_after" not in mark_failed(instance_report("a", "r", "LINUX_UNIX", {}, {}), "boom")

    def test_summary_counts(self):
        good = instance_report("a", "r", "LINUX_UNIX", {SSH: Sources.of([OFFICE])}, {SSH: Sources.of([OFFICE])})
        open_ssh = instance_report("b", "r", "LINUX_UNIX", {SSH: WORLD}, {SSH: Sources.of([OFFICE])}, (), [{"operation": "Put"}])
        drift = instance_report("c", "r", "LINUX_UNIX", {}, {SSH: Sources.of([OFFICE])})
        failed = mark_failed(drift, "boom")
        assert summarize([good, open_ssh, drift, failed]) == {
            "instances": 4, "compliant": 1, "non_compliant": 3, "drifted": 3, "with_violations": 1, "violations": 2, "excepted": 0, "changed": 1, "failed": 1,
        }
