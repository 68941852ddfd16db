"""The planner of a baseline over many instances (baseline_fleet.py): memo, refusals, entries."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest

from ansible_collections.seed.lightsail.plugins.module_utils._baseline import BaselineError
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import BaselinePlanner
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import failed_entry
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import instance_diff
from ansible_collections.seed.lightsail.plugins.module_utils._grants import Grant
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources

OFFICE, OFFICE6 = "203.0.113.0/24", "2001:db8::/32"


def instance(name, ports, blueprint="ubuntu_22_04", address_type="dualstack"):
    return {"name": name, "blueprintId": blueprint, "blueprintName": blueprint, "ipAddressType": address_type,
            "networking": {"ports": ports}}


def port(protocol, from_port, to_port, cidrs=(), ipv6=(), aliases=()):
    return {"protocol": protocol, "fromPort": from_port, "toPort": to_port, "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6),
            "cidrListAliases": list(aliases), "accessType": "Public"}


SSH_WORLD = port("tcp", 22, 22, ["0.0.0.0/0"], ["::/0"])
SSH_OFFICE = port("tcp", 22, 22, [OFFICE], [], ["lightsail-connect"])


def test_apply_plans_one_put_and_reports_status_found_and_after():
    planner = BaselinePlanner(apply=True)
    options = parse_baseline_options({"admin_cidrs": [OFFICE]})
    item = planner.plan(instance("web-1", [SSH_WORLD]), "eu-west-1", options, host="web-1.example")
    assert [op.api_call for op in item.plan.operations] == [PUT]
    assert item.entry["name"] == "web-1" and item.entry["host"] == "web-1.example" and item.entry["region"] == "eu-west-1"
    assert item.entry["compliant"] is False and item.entry["compliant_after"] is True
    assert item.entry["changed"] is True and item.entry["address_type"] == "dualstack" and item.entry["profile"] == "locked_down"


def test_audit_plans_nothing_and_status_after_is_as_found():
    planner = BaselinePlanner(apply=False)
    options = parse_baseline_options({"admin_cidrs": [OFFICE]})
    compliant = planner.plan(instance("a", [SSH_OFFICE]), "r", options)
    drifted = planner.plan(instance("b", [SSH_WORLD]), "r", options)
    assert compliant.plan is None and compliant.entry["compliant"] is True and compliant.entry["compliant_after"] is True
    assert drifted.entry["changed"] is False and drifted.entry["compliant_after"] is False


def test_instances_with_the_same_firewall_share_the_work_but_not_their_names():
    planner = BaselinePlanner(apply=True)
    options = parse_baseline_options({"admin_cidrs": [OFFICE]})
    first = planner.plan(instance("a", [SSH_WORLD]), "r", options, host="ha")
    second = planner.plan(instance("b", [SSH_WORLD]), "r", options, host="hb")
    assert first.plan is second.plan
    assert (first.entry["name"], first.entry["host"]) == ("a", "ha") and (second.entry["name"], second.entry["host"]) == ("b", "hb")


def test_instances_of_two_regions_with_the_same_firewall_keep_their_own_region():
    # The module writes each entry's instance in the entry's region: a shared memo must never move one to another region.
    planner = BaselinePlanner(apply=True)
    options = parse_baseline_options({"admin_cidrs": [OFFICE]})
    eu = planner.plan(instance("web-2", [SSH_WORLD]), "eu-west-1", options, host="web-2")
    us = planner.plan(instance("web-1", [SSH_WORLD]), "us-east-1", options, host="web-1")
    assert eu.plan is us.plan
    assert [(item.name, item.entry["name"], item.entry["region"]) for item in (eu, us)] == [
        ("web-2", "web-2", "eu-west-1"), ("web-1", "web-1", "us-east-1")]


def test_the_lockout_guard_knows_the_address_type():
    planner = BaselinePlanner(apply=True)
    options = parse_baseline_options({"admin_ipv6_cidrs": [OFFICE6], "keep_console_access": False})
    assert planner.plan(instance("dual", [SSH_WORLD]), "r", options).entry["compliant_after"] is True
    with pytest.raises(BaselineError, match="allow_lockout"):
        planner.plan(instance("v4", [SSH_WORLD], address_type="ipv4"), "r", options)
    assert planner.refusal(options) is None


def test_settings_refused_everywhere_are_refused_before_any_read():
    planner = BaselinePlanner(apply=True)
    options = parse_baseline_options({"keep_console_access": False})
    assert isinstance(planner.refusal(options), BaselineError)
    assert planner.refusal(parse_baseline_options({"admin_cidrs": [OFFICE]})) is None


def test_a_failed_entry_has_every_key_a_report_reads():
    planner = BaselinePlanner(apply=True)
    planned = planner.plan(instance("a", [SSH_WORLD]), "r", parse_baseline_options({"admin_cidrs": [OFFICE]}))
    failed = failed_entry("b", "r", "no instance named b", host="hb")
    assert set(planned.entry) <= set(failed) | {"profile"}
    assert failed["failed"] is True and failed["changed"] is False and failed["error"] == "no instance named b"


def test_the_diff_is_headed_with_the_instance_and_its_host():
    planner = BaselinePlanner(apply=True)
    item = planner.plan(instance("web-1", [SSH_WORLD]), "r", parse_baseline_options({"admin_cidrs": [OFFICE]}), host="inventory-web")
    diff = instance_diff(item)
    assert diff["before_header"] == "web-1 (host inventory-web) (before)" and diff["after_header"] == "web-1 (host inventory-web) (after)"


class TestGrants:
    """Temporary access (grants recorded in tags) is neither drift nor removed by an apply, until it expires."""

    NOW = datetime(2026, 11, 29, 12, 0, 0, tzinfo=timezone.utc)
    DEPLOY = "198.51.100.7/32"

    def grant_tags(self, grant_id, expires_at):
        grant = Grant(grant_id, expires_at, {RuleKey("tcp", 22, 22): Sources.of([self.DEPLOY])}, "deploy")
        return [{"key": key, "value": value} for key, value in grant.to_tags().items()]

    def with_grant(self, expires_at):
        ssh = port("tcp", 22, 22, [OFFICE, self.DEPLOY], [], ["lightsail-connect"])
        return dict(instance("web-1", [ssh]), tags=self.grant_tags("ci-42", expires_at))

    def test_a_live_grant_is_temporary_access_and_an_apply_keeps_it(self):
        planner = BaselinePlanner(apply=True, now=self.NOW)
        item = planner.plan(self.with_grant(self.NOW + timedelta(hours=1)), "r", parse_baseline_options({"admin_cidrs": [OFFICE]}))
        assert item.entry["compliant"] is True and item.entry["extra"] == [] and item.plan.operations == []
        assert [grant["grant_id"] for grant in item.entry["temporary_access"]] == ["ci-42"] and item.entry["expired_access"] == []
        assert item.entry["temporary_access"][0]["expires_at"] == "2026-11-29T13:00:00Z"

    def test_an_expired_grant_is_closed_by_an_apply(self):
        planner = BaselinePlanner(apply=True, now=self.NOW)
        item = planner.plan(self.with_grant(self.NOW - timedelta(minutes=1)), "r", parse_baseline_options({"admin_cidrs": [OFFICE]}))
        assert item.entry["compliant"] is False and item.entry["extra"][0]["cidrs"] == [self.DEPLOY]
        assert item.entry["temporary_access"] == [] and [grant["grant_id"] for grant in item.entry["expired_access"]] == ["ci-42"]
        assert self.DEPLOY not in str(item.plan.after) and item.entry["compliant_after"] is True

    def test_without_a_clock_grants_are_not_read(self):
        item = BaselinePlanner(apply=False).plan(self.with_grant(self.NOW + timedelta(hours=1)), "r", parse_baseline_options({"admin_cidrs": [OFFICE]}))
        assert item.entry["extra"][0]["cidrs"] == [self.DEPLOY] and item.entry["temporary_access"] == []
