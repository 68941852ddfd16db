from __future__ import annotations

import inspect
import os

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.seed.lightsail.plugins.filter import baseline as filters
from ansible_collections.seed.lightsail.plugins.filter.baseline import FilterModule
from ansible_collections.seed.lightsail.plugins.filter.baseline import baseline_rules
from ansible_collections.seed.lightsail.plugins.filter.baseline import baseline_summary
from ansible_collections.seed.lightsail.plugins.filter.baseline import baseline_table
from ansible_collections.seed.lightsail.plugins.filter.baseline import firewall_compliance
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import to_port_info
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import BaselinePlanner

WORLD4, WORLD6, OFFICE = "0.0.0.0/0", "::/0", "203.0.113.0/24"


def rule(protocol, port, cidrs=(), ipv6=(), aliases=(), to_port=None):
    return {"protocol": protocol, "from_port": port, "to_port": port if to_port is None else to_port,
            "cidrs": list(cidrs), "ipv6_cidrs": list(ipv6), "cidr_list_aliases": list(aliases)}


FOUND = [rule("tcp", 22, [WORLD4, OFFICE], [WORLD6]), rule("tcp", 25, [WORLD4]), rule("tcp", 80, [WORLD4], [WORLD6])]
MAIL = [{"protocol": "tcp", "from_port": 25, "reason": "mail relay"}]


class TestBaselineRules:
    def test_web(self):
        assert baseline_rules("web", "LINUX_UNIX", admin_cidrs=[OFFICE]) == [
            rule("tcp", 22, [OFFICE], aliases=["lightsail-connect"]), rule("tcp", 80, [WORLD4], [WORLD6]), rule("tcp", 443, [WORLD4], [WORLD6]),
        ]

    def test_windows_admin_port(self):
        assert baseline_rules("console_only", "windows") == [rule("tcp", 3389, aliases=["lightsail-connect"])]

    @pytest.mark.parametrize("kwargs, message", [
        ({"admin_cidrs": ["10.1.2.3/8"]}, "admin_cidrs[0]: '10.1.2.3/8' has host bits set"),
        ({"keep_console_access": False}, "allow_lockout: is false"),
        ({"admin_cidrs": [WORLD4]}, "public_exceptions: the locked_down baseline would expose SSH (tcp 22) open to 0.0.0.0/0"),
        ({"public_exceptions": [{"protocol": "tcp", "from_port": 25}]}, "public_exceptions[0].reason: is required"),
    ])
    def test_errors_name_the_filter_argument(self, kwargs, message):
        with pytest.raises(AnsibleFilterError) as error:
            baseline_rules("locked_down", "LINUX_UNIX", **kwargs)
        assert str(error.value).startswith(message), str(error.value)

    def test_field_prefix_is_not_an_argument(self):
        """It was an internal of the role's, documented by mistake; nothing passes it any more."""
        with pytest.raises(TypeError, match="field_prefix"):
            baseline_rules("locked_down", "LINUX_UNIX", admin_cidrs=[OFFICE], field_prefix="firewall_baseline_")


class TestFirewallCompliance:
    def test_drift_violations_and_exceptions(self):
        desired = baseline_rules("web", admin_cidrs=[OFFICE], public_exceptions=MAIL)
        entry = firewall_compliance(FOUND, desired, MAIL, name="mx-1", region="us-east-1", platform="LINUX_UNIX")
        assert not entry["compliant"] and not entry["changed"] and entry["ports_after"] == entry["ports_before"]
        assert [v["message"] for v in entry["violations"]] == ["SSH (tcp 22) open to 0.0.0.0/0", "SSH (tcp 22) open to ::/0"]
        assert [e["exception_reason"] for e in entry["excepted"]] == ["mail relay"]
        assert [(r["from_port"], r["cidrs"], r["ipv6_cidrs"], r["cidr_list_aliases"]) for r in entry["missing"]] == [
            (22, [], [], ["lightsail-connect"]), (25, [], [WORLD6], []), (443, [WORLD4], [WORLD6], [])]
        assert [(r["from_port"], r["cidrs"], r["ipv6_cidrs"]) for r in entry["extra"]] == [(22, [WORLD4], [WORLD6])]

    def test_apply_result_gives_operations_and_ports_after(self):
        desired = baseline_rules("locked_down", admin_cidrs=[OFFICE])
        operations = [{"operation": "PutInstancePublicPorts", "ports": desired}]
        entry = firewall_compliance(FOUND, desired, apply_result={"changed": True, "operations": operations, "ports": desired})
        assert entry["changed"] and entry["operations"] == operations and entry["ports_after"] == desired and not entry["failed"]

    def test_a_skipped_apply_is_an_audit(self):
        entry = firewall_compliance(FOUND, FOUND, apply_result={"skipped": True, "changed": False})
        assert entry["compliant"] is False and entry["operations"] == [] and entry["ports_after"] == entry["ports_before"]

    def test_a_failed_apply_marks_the_entry_failed(self):
        desired = baseline_rules("locked_down", admin_cidrs=[OFFICE])
        put = {"operation": "PutInstancePublicPorts", "ports": desired}
        result = {"failed": True, "changed": False, "msg": "Throttled", "operations": [put], "applied_operations": [], "failed_operation": put,
                  "pending_operations": []}
        entry = firewall_compliance(FOUND, desired, apply_result=result)
        assert entry["failed"] and entry["error"] == "Throttled" and entry["failed_operation"] == put and entry["ports_after"] is None
        assert not entry["changed"]

    def test_a_failed_apply_that_reports_the_firewall_read_again_is_still_failed(self):
        """Since issue 14 a failed lightsail_instance_ports result carries ``ports`` (the firewall read again)."""
        desired = baseline_rules("locked_down", admin_cidrs=[OFFICE])
        put = {"operation": "PutInstancePublicPorts", "ports": desired}
        result = {"failed": True, "changed": False, "msg": "Throttled", "operations": [put], "applied_operations": [], "failed_operation": put,
                  "pending_operations": [], "ports": FOUND}
        entry = firewall_compliance(FOUND, desired, apply_result=result)
        assert entry["failed"] and entry["ports_after"] is None and not entry["changed"]

    def test_bad_rules_are_a_filter_error(self):
        with pytest.raises(AnsibleFilterError, match=r"desired_ports\[0\]\.protocol: is required"):
            firewall_compliance(FOUND, [{"from_port": 22}])

    @pytest.mark.parametrize("mode", ["audit", "apply"])
    @pytest.mark.parametrize("platform, blueprint", [("LINUX_UNIX", "ubuntu_22_04"), ("WINDOWS", "windows_server_2022")])
    def test_the_same_entry_as_the_fleet_module(self, mode, platform, blueprint):
        """Per-host (filters) and fleet (module) reports of one instance must be the same dict."""
        options = dict(profile="web", admin_cidrs=[OFFICE], public_exceptions=MAIL)
        instance = {"name": "mx-1", "ipAddressType": "dualstack", "blueprintId": blueprint, "blueprintName": blueprint.replace("_", " ").title(),
                    "networking": {"ports": [dict(to_port_info(k, s), accessType="public") for k, s in parse_rules(FOUND).items()]}}
        parsed = parse_baseline_options(options)
        fleet = BaselinePlanner(mode == "apply").plan(instance, "us-east-1", parsed)
        desired = baseline_rules(options["profile"], platform, admin_cidrs=options["admin_cidrs"], public_exceptions=MAIL)
        applied = {"changed": True, "operations": fleet.entry["operations"], "ports": desired} if mode == "apply" else None
        per_host = firewall_compliance(FOUND, desired, MAIL, name="mx-1", region="us-east-1", platform=platform, apply_result=applied)
        assert per_host == dict((key, value) for key, value in fleet.entry.items() if key in per_host)
        assert set(fleet.entry) - set(per_host) == {"host", "profile", "address_type", "compliant_after", "temporary_access", "expired_access"}
        assert fleet.entry["changed"] == (mode == "apply")


class TestReport:
    def entries(self):
        desired = baseline_rules("web", admin_cidrs=[OFFICE], public_exceptions=MAIL)
        return [
            firewall_compliance(FOUND, desired, MAIL, name="mx-1", region="us-east-1", platform="LINUX_UNIX"),
            firewall_compliance(desired, desired, MAIL, name="web-10", region="us-east-1", platform="LINUX_UNIX",
                                apply_result={"operations": [{"operation": "Put"}], "ports": desired}),
            dict(firewall_compliance(desired, desired, MAIL, name="a", region="eu-west-1", platform="WINDOWS"), failed=True, error="Throttled"),
        ]

    def test_summary(self):
        summary = baseline_summary(self.entries())
        counts = ("instances", "compliant", "violations", "excepted", "changed", "failed")
        assert tuple(summary[name] for name in counts) == (3, 2, 2, 5, 1, 1)

    def test_table_columns_are_aligned(self):
        lines = baseline_table(self.entries())
        header, rows, footer = lines[0], lines[1:-1], lines[-1]
        assert header.split()[:3] == ["INSTANCE", "REGION", "PLATFORM"]
        assert [row.split()[0] for row in rows] == ["a", "mx-1", "web-10"]
        for column in ("REGION", "FOUND", "AFTER", "VIOLATIONS", "CHANGED", "FINDINGS"):
            offset = header.index(column)
            assert all(row[offset - 1] == " " and row[offset] != " " for row in rows), (column, lines)
        assert "NON-COMPLIANT" in rows[1] and "SSH tcp/22 (ipv4+ipv6)" in rows[1] and "excepted SMTP tcp/25 (ipv4)" in rows[1]
        assert "FAILED" in rows[0] and "error: Throttled" in rows[0]
        assert footer.startswith("3 instances as found: 2 compliant, 1 non-compliant")


def test_every_filter_has_its_documentation():
    names = sorted(FilterModule().filters())
    assert names == ["baseline_report", "baseline_report_table", "baseline_rules", "baseline_stats", "baseline_summary", "baseline_table",
                     "firewall_compliance"]
    directory = os.path.dirname(filters.__file__)
    for name in names:
        with open(os.path.join(directory, name + ".yml")) as handle:
            doc = yaml.safe_load(handle)
        assert doc["DOCUMENTATION"]["name"] == name and doc["EXAMPLES"] and doc["RETURN"]["_value"]


def test_every_documented_option_is_an_argument_of_the_filter():
    """A documented option the filter does not take fails on use; `_input` is the first argument."""
    directory = os.path.dirname(filters.__file__)
    for name, function in sorted(FilterModule().filters().items()):
        with open(os.path.join(directory, name + ".yml")) as handle:
            documented = set(yaml.safe_load(handle)["DOCUMENTATION"].get("options") or {}) - {"_input"}
        parameters = list(inspect.signature(function).parameters)[1:]
        assert documented <= set(parameters), (name, sorted(documented - set(parameters)))
