"""A host's own outcome from the batch run (baseline_outcome.py)."""

from __future__ import annotations

from ansible_collections.seed.lightsail.plugins.module_utils._baseline_outcome import host_outcome

SSH_WORLD = {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": [], "cidr_list_aliases": []}
SSH_OFFICE = {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["203.0.113.0/24"], "ipv6_cidrs": [], "cidr_list_aliases": []}
VIOLATION = {"message": "SSH (tcp 22) open to 0.0.0.0/0"}


def entry(host, name=None, changed=False, failed=False, violations=(), before=(SSH_WORLD,), after=(SSH_OFFICE,)):
    return {"host": host, "name": name or host, "region": "eu-west-1", "changed": changed, "failed": failed, "error": "boom" if failed else None,
            "compliant": not violations and not changed, "compliant_after": None if failed else True, "missing": [], "extra": [],
            "violations": list(violations), "ports_before": list(before), "ports_after": None if failed else list(after)}


RUN = {"mode": "apply", "check_mode": False, "instances": [
    entry("a", changed=True), entry("b"), entry("c", failed=True), entry("d", violations=[VIOLATION])]}


def test_each_host_gets_its_own_entry():
    assert host_outcome(RUN, "a")["changed"] is True
    assert host_outcome(RUN, "b")["changed"] is False and "failed" not in host_outcome(RUN, "b")
    assert host_outcome(RUN, "c") == dict(host_outcome(RUN, "c"), failed=True, msg="boom")


def test_diff_only_in_diff_mode_and_only_when_changed():
    assert "diff" not in host_outcome(RUN, "a")
    diff = host_outcome(RUN, "a", diff_mode=True)["diff"]
    assert "0.0.0.0/0" in str(diff["before"]) and "203.0.113.0/24" in str(diff["after"]) and diff["before_header"] == "a (before)"
    assert "diff" not in host_outcome(RUN, "b", diff_mode=True)


def test_violations_fail_the_host_only_when_asked():
    assert not host_outcome(RUN, "d").get("failed")
    outcome = host_outcome(RUN, "d", fail_on_violations=True)
    assert outcome["failed"] is True and "SSH (tcp 22) open to 0.0.0.0/0" in outcome["msg"]


def test_a_host_without_an_entry_fails_with_the_runs_message():
    outcome = host_outcome(dict(RUN, failed=True, msg="the run failed"), "z")
    assert outcome["failed"] is True and "z" in outcome["msg"] and "the run failed" in outcome["msg"]
    assert host_outcome(None, "a", "firewall_baseline_run")["failed"] is True


def test_check_runs_say_would():
    assert "would be made compliant" in host_outcome(dict(RUN, check_mode=True), "a")["msg"]
    assert "made compliant" in host_outcome(RUN, "a")["msg"]


def test_an_odd_value_read_from_lightsail_is_shown_in_the_diff_not_a_failure():
    odd = dict(SSH_WORLD, cidrs=["192.0.2.5/24", "not-an-ip"])
    run = {"mode": "apply", "check_mode": True, "instances": [entry("a", changed=True, before=(odd,))]}
    outcome = host_outcome(run, "a", diff_mode=True)
    assert not outcome.get("failed") and "not-an-ip" in outcome["diff"]["before"] and "192.0.2.5/24" in outcome["diff"]["before"]


def test_fleet_scope_skips_the_per_host_outcome_and_host_scope_does_not():
    from ansible_collections.seed.lightsail.plugins.module_utils._baseline_outcome import outcome_skip_reason
    assert outcome_skip_reason({"scope": "fleet"}, "firewall_baseline_settings") == (
        "firewall_baseline_settings.scope is fleet: the run reports for the whole fleet")
    assert outcome_skip_reason({"scope": "host"}) is None
    # Not settings at all, or failed settings: the outcome itself says what is wrong, never a silent skip.
    assert outcome_skip_reason(None) is None and outcome_skip_reason({"failed": True, "msg": "x"}) is None


def test_fail_on_violations_comes_from_an_audits_settings_only():
    from ansible_collections.seed.lightsail.plugins.module_utils._baseline_outcome import settings_fail_on_violations
    assert settings_fail_on_violations({"run": {"mode": "audit", "fail_on_violations": True}}) is True
    assert settings_fail_on_violations({"run": {"mode": "apply", "fail_on_violations": True}}) is False
    assert settings_fail_on_violations({"run": {"mode": "audit", "fail_on_violations": False}}) is False
    assert settings_fail_on_violations(None) is False and settings_fail_on_violations({"run": "odd"}) is False
