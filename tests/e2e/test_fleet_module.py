"""lightsail_firewall_baseline end to end: one module run for a region, against the test service."""

from __future__ import annotations

import math

import pytest

from firewall_shapes import as_api, canonical, rule, seed, stored

MODULE = "seed.lightsail.lightsail_firewall_baseline"
OFFICE, OFFICE6, HOME = "203.0.113.0/24", "2001:db8:1234::/48", "198.51.100.7/32"
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
CONNECT = "lightsail-connect"
PUT = "PutInstancePublicPorts"
MAIL = {"protocol": "tcp", "from_port": 25, "reason": "inbound mail relay"}


def by_name(result):
    return dict((entry["name"], entry) for entry in result["instances"])


def found(entry, key="violations"):
    return sorted((f["check"], f["service"], f["protocol"], f["from_port"], f["to_port"], f["family"]) for f in entry[key])


def read_calls(admin):
    return [call["operation"] for call in admin.calls() if call["operation"] not in (PUT, "OpenInstancePublicPorts", "CloseInstancePublicPorts")]


def test_audit_finds_each_class_of_violation_and_writes_nothing(ansible, lightsail_admin):
    admin = lightsail_admin
    admin.seed_instance("ssh-world")  # the Linux defaults: 22 and 80 from everyone
    admin.seed_instance("rdp-world", blueprint="windows_server_2022")  # 22, 80 and 3389 from everyone
    seed(admin, "all-traffic", [rule("all", 0, 65535, cidrs=[WORLD4]), rule("tcp", 22, cidrs=[OFFICE])])
    seed(admin, "udp-range", [rule("udp", 0, 65535, ipv6=[WORLD6]), rule("tcp", 22, cidrs=[OFFICE])])
    seed(admin, "mysql", [rule("tcp", 3306, cidrs=[WORLD4]), rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT])])
    seed(admin, "memcached", [rule("udp", 11211, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 22, aliases=[CONNECT])])
    seed(admin, "legacy-range", [rule("tcp", 20, 23, cidrs=[WORLD4]), rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT])])
    seed(admin, "mail", [rule("tcp", 25, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT])])
    seed(admin, "clean", [rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT])])
    admin.clear_calls()

    result = ansible.run_module(MODULE, {"mode": "audit", "admin_cidrs": [OFFICE], "public_exceptions": [MAIL]})

    assert not result.get("failed"), result.get("msg")
    assert result["changed"] is False
    entries = by_name(result)
    flagged = [("flagged_port",) + finding for finding in (
        ("SSH", "tcp", 22, 22, "ipv4"), ("SSH", "tcp", 22, 22, "ipv6"))]
    assert found(entries["ssh-world"]) == flagged
    assert found(entries["rdp-world"]) == sorted(flagged + [("flagged_port", "RDP", "tcp", 3389, 3389, family) for family in ("ipv4", "ipv6")])
    assert found(entries["all-traffic"]) == [("every_port", "every port", "all", 0, 65535, "ipv4")]
    assert found(entries["udp-range"]) == [("every_port", "every port", "udp", 0, 65535, "ipv6")]
    assert found(entries["mysql"]) == [("flagged_port", "MySQL", "tcp", 3306, 3306, "ipv4")]
    assert found(entries["memcached"]) == [("flagged_port", "Memcached", "udp", 11211, 11211, family) for family in ("ipv4", "ipv6")]
    assert found(entries["legacy-range"]) == [
        ("flagged_port", "FTP", "tcp", 20, 21, "ipv4"), ("flagged_port", "SSH", "tcp", 22, 22, "ipv4"), ("flagged_port", "Telnet", "tcp", 23, 23, "ipv4")]
    assert found(entries["mail"]) == [] and [f["exception_reason"] for f in entries["mail"]["excepted"]] == ["inbound mail relay"] * 2
    assert [name for name, entry in sorted(entries.items()) if entry["compliant"]] == ["mail"]
    # A public exception is part of the baseline: it opens its port on every selected instance.
    assert entries["clean"]["violations"] == [] and as_api(entries["clean"]["missing"]) == canonical([rule("tcp", 25, cidrs=[WORLD4], ipv6=[WORLD6])])
    assert as_api(entries["mysql"]["extra"]) == canonical([rule("tcp", 3306, cidrs=[WORLD4])])
    assert as_api(entries["memcached"]["missing"]) == canonical([rule("tcp", 22, cidrs=[OFFICE]), rule("tcp", 25, cidrs=[WORLD4], ipv6=[WORLD6])])
    assert all(entry["operations"] == [] and entry["ports_after"] == entry["ports_before"] for entry in entries.values())
    summary = result["summary"]
    assert (summary["instances"], summary["compliant"], summary["with_violations"], summary["violations"], summary["changed"]) == (9, 1, 7, 14, 0)

    assert admin.write_calls() == []
    assert read_calls(admin) == ["GetInstances"] * math.ceil(9 / admin.behaviour()["page_size"])


def test_fail_on_violations_fails_after_reporting(ansible, lightsail_admin):
    lightsail_admin.seed_instance("ssh-world")
    result = ansible.run_module(MODULE, {"admin_cidrs": [OFFICE], "fail_on_violations": True})
    assert result["failed"] and result["msg"] == "2 policy violations on 1 of 1 instances"
    assert result["summary"]["violations"] == 2 and result["instances"][0]["name"] == "ssh-world"


PROFILES = [
    ("locked_down", "ubuntu_22_04", {"admin_cidrs": [OFFICE, "198.51.100.7"], "admin_ipv6_cidrs": [OFFICE6]},
     [rule("tcp", 22, cidrs=[HOME, OFFICE], ipv6=[OFFICE6], aliases=[CONNECT])]),
    ("console_only", "windows_server_2022", {}, [rule("tcp", 3389, aliases=[CONNECT])]),
    ("web", "wordpress", {"admin_cidrs": [OFFICE]},
     [rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT]), rule("tcp", 80, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 443, cidrs=[WORLD4], ipv6=[WORLD6])]),
    ("web_https_only", "windows_server_2019", {"admin_cidrs": [OFFICE], "public_ipv6": False},
     [rule("tcp", 443, cidrs=[WORLD4]), rule("tcp", 3389, cidrs=[OFFICE], aliases=[CONNECT])]),
    ("custom", "cpanel_whm_linux", {
        "admin_cidrs": [OFFICE], "keep_console_access": False,
        "extra_rules": [{"protocol": "udp", "from_port": 51820, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]},
                        {"protocol": "tcp", "from_port": 2083, "cidrs": [HOME]}, {"protocol": "icmp", "from_port": 8, "cidrs": [OFFICE]}]},
     [rule("icmp", 8, -1, cidrs=[OFFICE]), rule("tcp", 22, cidrs=[OFFICE]), rule("tcp", 2083, cidrs=[HOME]),
      rule("udp", 51820, cidrs=[WORLD4], ipv6=[WORLD6])]),
]


@pytest.mark.parametrize("profile, blueprint, options, expected", PROFILES, ids=[p[0] for p in PROFILES])
def test_apply_makes_each_profile_exactly_and_then_does_nothing(ansible, lightsail_admin, profile, blueprint, options, expected):
    lightsail_admin.seed_instance("target", blueprint=blueprint)
    args = dict(options, mode="apply", baseline=profile)

    first = ansible.run_module(MODULE, args)

    assert not first.get("failed"), first.get("msg")
    assert first["changed"] and first["baseline"] == profile
    assert stored(lightsail_admin, "target") == canonical(expected)
    [entry] = first["instances"]
    assert as_api(entry["ports_after"]) == canonical(expected) and not entry["compliant"] and entry["violations"]
    assert [op["operation"] for op in entry["operations"]] == [PUT]
    assert [call["operation"] for call in lightsail_admin.write_calls()] == [PUT]

    lightsail_admin.clear_calls()
    second = ansible.run_module(MODULE, args)
    assert second["changed"] is False and second["instances"][0]["compliant"]
    assert lightsail_admin.write_calls() == []


def test_check_mode_and_diff_show_exactly_what_a_real_run_does(ansible, lightsail_admin):
    admin = lightsail_admin
    admin.seed_instance("web-1", blueprint="nginx")
    admin.seed_instance("win-1", blueprint="windows_server_2022")
    seed(admin, "done", [rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT]), rule("tcp", 443, cidrs=[WORLD4], ipv6=[WORLD6])])
    before = dict((name, stored(admin, name)) for name in ("web-1", "win-1", "done"))
    args = {"mode": "apply", "baseline": "web_https_only", "admin_cidrs": [OFFICE]}
    admin.clear_calls()

    check = ansible.run_module(MODULE, args, check=True, diff=True)

    assert admin.write_calls() == []
    assert dict((name, stored(admin, name)) for name in before) == before
    assert check["changed"] and check["summary"]["changed"] == 2
    assert [(d["before_header"], d["after_header"]) for d in check["diff"]] == [("web-1 (before)", "web-1 (after)"), ("win-1 (before)", "win-1 (after)")]
    diffs = dict((d["before_header"].split()[0], d) for d in check["diff"])
    assert diffs["web-1"]["before"] == "".join("tcp %d: cidrs %s; ipv6_cidrs %s\n" % (port, WORLD4, WORLD6) for port in (22, 80, 443))
    assert diffs["web-1"]["after"] == "tcp 22: cidrs %s; cidr_list_aliases %s\ntcp 443: cidrs %s; ipv6_cidrs %s\n" % (OFFICE, CONNECT, WORLD4, WORLD6)
    assert diffs["win-1"]["after"] == "tcp 443: cidrs %s; ipv6_cidrs %s\ntcp 3389: cidrs %s; cidr_list_aliases %s\n" % (WORLD4, WORLD6, OFFICE, CONNECT)

    real = ansible.run_module(MODULE, args, diff=True)

    assert real["instances"] == check["instances"] and real["diff"] == check["diff"] and real["summary"] == check["summary"]
    assert sorted(call["params"]["instanceName"] for call in admin.write_calls()) == ["web-1", "win-1"]
    for name, entry in by_name(real).items():
        assert stored(admin, name) == as_api(entry["ports_after"])


def test_the_lockout_guard_refuses_before_any_call(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1")
    lightsail_admin.clear_calls()
    result = ansible.run_module(MODULE, {"mode": "apply", "keep_console_access": False})
    assert result["failed"] and "reachable from nowhere" in result["msg"] and "allow_lockout" in result["msg"]
    assert lightsail_admin.calls() == []


def test_allow_lockout_closes_every_rule(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1")
    result = ansible.run_module(MODULE, {"mode": "apply", "keep_console_access": False, "allow_lockout": True})
    assert result["changed"] and stored(lightsail_admin, "web-1") == []
    assert [call["operation"] for call in lightsail_admin.write_calls()] == ["CloseInstancePublicPorts"] * 2


def test_a_lockout_on_one_platform_only_refuses_once_such_an_instance_is_selected(ansible, lightsail_admin):
    lightsail_admin.seed_instance("linux-1")
    lightsail_admin.seed_instance("win-1", blueprint="windows_server_2022")
    args = {"mode": "apply", "baseline": "custom", "keep_console_access": False, "extra_rules": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}]}

    refused = ansible.run_module(MODULE, args)
    assert refused["failed"] and "tcp 3389, the admin port of WINDOWS" in refused["msg"] and "nothing was written" in refused["msg"]
    assert lightsail_admin.write_calls() == []

    linux_only = ansible.run_module(MODULE, dict(args, instance_names=["linux-1"]))
    assert linux_only["changed"] and stored(lightsail_admin, "linux-1") == [rule("tcp", 22, cidrs=[OFFICE])]


def test_the_policy_refuses_the_world_on_the_admin_port_unless_excepted(ansible, lightsail_admin):
    lightsail_admin.seed_instance("bastion")
    lightsail_admin.clear_calls()
    refused = ansible.run_module(MODULE, {"mode": "apply", "admin_cidrs": [WORLD4]})
    assert refused["failed"] and "SSH (tcp 22) open to 0.0.0.0/0" in refused["msg"] and "public_exceptions" in refused["msg"]
    assert lightsail_admin.calls() == []

    exception = {"protocol": "tcp", "from_port": 22, "reason": "bastion host, fail2ban and keys only"}
    applied = ansible.run_module(MODULE, {"mode": "apply", "admin_cidrs": [WORLD4], "public_exceptions": [exception]})
    assert applied["changed"]
    assert stored(lightsail_admin, "bastion") == [rule("tcp", 22, cidrs=[WORLD4], ipv6=[WORLD6], aliases=[CONNECT])]
    audit = ansible.run_module(MODULE, {"admin_cidrs": [WORLD4], "public_exceptions": [exception]})
    [entry] = audit["instances"]
    assert entry["compliant"] and entry["violations"] == []
    assert [(f["service"], f["family"], f["exception_reason"]) for f in entry["excepted"]] == [
        ("SSH", "ipv4", exception["reason"]), ("SSH", "ipv6", exception["reason"])]


@pytest.mark.parametrize("exception, message", [
    ({"protocol": "tcp", "from_port": 25}, "missing required arguments: reason"),
    ({"protocol": "tcp", "from_port": 25, "reason": "  "}, "public_exceptions[0].reason: is required"),
    ({"protocol": "tcp", "from_port": 25, "to_port": 20, "reason": "x"}, "public_exceptions[0]: from_port 25 is greater than to_port 20"),
])
def test_a_bad_exception_fails_before_any_call(ansible, lightsail_admin, exception, message):
    result = ansible.run_module(MODULE, {"mode": "apply", "public_exceptions": [exception]})
    assert result["failed"] and message in result["msg"]
    assert lightsail_admin.calls() == []


def test_selection_by_names_and_tags(ansible, lightsail_admin):
    admin = lightsail_admin
    admin.seed_instance("web-1", tags={"role": "web", "env": "prod"})
    admin.seed_instance("web-2", tags={"role": "web", "env": "dev"})
    admin.seed_instance("db-1", tags={"role": "db", "env": "prod"})
    args = {"mode": "apply", "admin_cidrs": [OFFICE]}

    unknown = ansible.run_module(MODULE, dict(args, instance_names=["web-1", "web-9"]))
    assert unknown["failed"] and unknown["missing_names"] == ["web-9"] and "nothing was written" in unknown["msg"]
    assert admin.write_calls() == []

    by_tag = ansible.run_module(MODULE, dict(args, tags={"env": "prod"}))
    assert [entry["name"] for entry in by_tag["instances"]] == ["db-1", "web-1"]
    by_names = ansible.run_module(MODULE, dict(args, instance_names=["web-2"]))
    assert [entry["name"] for entry in by_names["instances"]] == ["web-2"]
    assert sorted(call["params"]["instanceName"] for call in admin.write_calls()) == ["db-1", "web-1", "web-2"]


def test_a_failed_write_is_reported_and_the_other_instances_are_written(ansible, lightsail_admin):
    for name in ("node-a", "node-b", "node-c"):
        lightsail_admin.seed_instance(name)
    lightsail_admin.drop(1, operation=PUT)
    args = {"mode": "apply", "admin_cidrs": [OFFICE]}

    result = ansible.run_module(MODULE, args, env={"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})

    assert result["failed"] and "writes failed on 1 of 3 instances" in result["msg"]
    [failed] = [entry for entry in result["instances"] if entry["failed"]]
    assert failed["error"] and failed["ports_after"] is None and failed["failed_operation"]["operation"] == PUT
    assert result["summary"]["failed"] == 1 and result["summary"]["changed"] == 2
    for entry in result["instances"]:
        if not entry["failed"]:
            assert stored(lightsail_admin, entry["name"]) == [rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT])]

    again = ansible.run_module(MODULE, args)
    assert not again.get("failed") and [entry["name"] for entry in again["instances"] if entry["changed"]] == [failed["name"]]


def test_throttling_is_retried(ansible, lightsail_admin):
    for name in ("node-a", "node-b"):
        lightsail_admin.seed_instance(name)
    lightsail_admin.throttle(2, operation=PUT)
    result = ansible.run_module(MODULE, {"mode": "apply", "admin_cidrs": [OFFICE]})
    assert not result.get("failed"), result.get("msg")
    assert result["summary"]["changed"] == 2
    assert [call["result"] for call in lightsail_admin.write_calls()].count("ok") == 2


def test_a_thousand_instances_in_one_run(ansible, lightsail_admin):
    """Counts only: one listing call per page, one Put per differing instance (timings live in benchmarks/)."""
    count = 1000
    lightsail_admin.seed_fleet(count, prefix="node")
    lightsail_admin.seed_instance("win-0001", blueprint="windows_server_2022")
    lightsail_admin.clear_calls()
    args = {"mode": "apply", "baseline": "web_https_only", "admin_cidrs": [OFFICE], "max_concurrency": 20}

    result = ansible.run_module(MODULE, args)

    assert not result.get("failed"), result.get("msg")
    assert result["summary"]["instances"] == count + 1 and result["summary"]["changed"] == count + 1
    writes = lightsail_admin.write_calls()
    assert len(writes) == count + 1 and set(call["operation"] for call in writes) == {PUT}
    assert set(read_calls(lightsail_admin)) == {"GetInstances"}
    assert len(read_calls(lightsail_admin)) == math.ceil((count + 1) / lightsail_admin.behaviour()["page_size"])
    assert stored(lightsail_admin, "node-0500") == canonical([rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT]),
                                                              rule("tcp", 443, cidrs=[WORLD4], ipv6=[WORLD6])])
    assert stored(lightsail_admin, "win-0001")[-1]["fromPort"] == 3389

    lightsail_admin.clear_calls()
    again = ansible.run_module(MODULE, args)
    assert again["changed"] is False and again["summary"]["changed"] == 0
    assert lightsail_admin.write_calls() == []
