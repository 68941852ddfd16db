"""lightsail_instance_ports end to end: ansible-playbook -> module -> boto3 -> HTTP -> test service."""

from __future__ import annotations

import pytest

from firewall_shapes import as_api, canonical, rule, stored

MODULE = "seed.lightsail.lightsail_instance_ports"
READ = "GetInstancePortStates"
OFFICE, HOME = "203.0.113.0/24", "198.51.100.7/32"
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"

BEHAVIOURS = [
    dict(open_existing=o, close_sources=c, close_missing=m)
    for o in ("merge", "replace")
    for c in ("remove_named", "whole_rule")
    for m in ("noop", "error")
]


START = [rule("tcp", 22, cidrs=[WORLD4, OFFICE], ipv6=[WORLD6]), rule("tcp", 80, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 3306, cidrs=[WORLD4])]

EXCLUSIVE_PORTS = [
    {"protocol": "TCP", "from_port": 22, "cidrs": ["203.0.113.0/24"], "cidr_list_aliases": ["lightsail-connect"]},
    {"protocol": "tcp", "from_port": 443, "ipv6_cidrs": ["::/0"]},
]

# (instance, task args, expected firewall afterwards)
SCENARIOS = [
    ("add-source", {"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [HOME]}]},
     [rule("tcp", 22, cidrs=[WORLD4, OFFICE, HOME], ipv6=[WORLD6])] + START[1:]),
    ("add-rule", {"ports": [{"protocol": "icmp", "from_port": 8, "cidrs": [HOME]}]},
     START + [rule("icmp", 8, -1, cidrs=[HOME])]),
    ("narrow", {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}]},
     [rule("tcp", 22, cidrs=[OFFICE])] + START[1:]),
    ("close-rule", {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 3306}]},
     START[:2]),
    ("close-last-sources", {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 3306, "cidrs": ["0.0.0.0/0"]}]},
     START[:2]),
    ("close-missing", {"state": "absent", "ports": [{"protocol": "udp", "from_port": 53}]},
     START),
    ("exclusive", {"purge_ports": True, "ports": EXCLUSIVE_PORTS},
     [rule("tcp", 22, cidrs=[OFFICE], aliases=["lightsail-connect"]), rule("tcp", 443, ipv6=[WORLD6])]),
    ("ipv6-only", {"ports": [{"protocol": "tcp", "from_port": 80, "ipv6_cidrs": ["2001:DB8::/32"]}]},
     [START[0], rule("tcp", 80, cidrs=[WORLD4], ipv6=[WORLD6, "2001:db8::/32"]), START[2]]),
]


def seed_start(admin):
    for name, _args, _expected in SCENARIOS:
        admin.seed_instance(name, ports=(START))


def scenario_play(check=False):
    tasks = [{"name": name, MODULE: dict(args, instance_name=name)} for name, args, _expected in SCENARIOS]
    return [{"name": "scenarios", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


@pytest.mark.parametrize("behaviour", BEHAVIOURS, ids=lambda b: "-".join(b.values()))
def test_every_scenario_converges_under_every_behaviour(ansible, lightsail_admin, behaviour):
    lightsail_admin.set_behaviour(**behaviour)
    seed_start(lightsail_admin)

    first = ansible.playbook(scenario_play())
    for name, _args, expected in SCENARIOS:
        result = first.result(name)
        assert stored(lightsail_admin, name) == canonical(expected), name
        assert as_api(result["ports"]) == canonical(expected), name
        assert as_api(result["ports_before"]) == canonical(START), name
        assert result["changed"] == (canonical(expected) != canonical(START)), name

    lightsail_admin.clear_calls()
    second = ansible.playbook(scenario_play())
    assert not any(second.result(name)["changed"] for name, _args, _expected in SCENARIOS)
    calls = lightsail_admin.calls()
    assert [c["operation"] for c in calls] == [READ] * len(SCENARIOS), "an unchanged run is one read per task"


def test_check_mode_writes_nothing_and_tells_the_truth(ansible, lightsail_admin):
    seed_start(lightsail_admin)
    checked = ansible.playbook(scenario_play(), check=True, diff=True)
    assert lightsail_admin.write_calls() == []
    assert [c["operation"] for c in lightsail_admin.calls()] == [READ] * len(SCENARIOS)
    for name, _args, _expected in SCENARIOS:
        assert stored(lightsail_admin, name) == canonical(START)

    real = ansible.playbook(scenario_play(), diff=True)
    for name, _args, _expected in SCENARIOS:
        dry, wet = checked.result(name), real.result(name)
        for key in ("changed", "ports", "ports_before", "operations", "diff"):
            assert dry[key] == wet[key], (name, key)


def test_operations_match_the_calls_made(ansible, lightsail_admin):
    seed_start(lightsail_admin)
    run = ansible.playbook(scenario_play())
    writes = lightsail_admin.write_calls()
    reported = [op["operation"] for name, _args, _expected in SCENARIOS for op in run.result(name)["operations"]]
    assert [c["operation"] for c in writes] == reported
    narrow = run.result("narrow")["operations"]
    assert [op["operation"] for op in narrow] == ["CloseInstancePublicPorts", "OpenInstancePublicPorts"]
    assert [op["operation"] for op in run.result("exclusive")["operations"]] == ["PutInstancePublicPorts"]
    assert run.result("close-missing")["operations"] == []


def test_every_write_sends_all_three_source_lists(ansible, lightsail_admin):
    seed_start(lightsail_admin)
    ansible.playbook(scenario_play())
    for call in lightsail_admin.write_calls():
        infos = call["params"].get("portInfos") or [call["params"]["portInfo"]]
        for info in infos:
            assert {"cidrs", "ipv6Cidrs", "cidrListAliases"} <= set(info), call


START_LINES = ["tcp 22: cidrs 0.0.0.0/0 203.0.113.0/24; ipv6_cidrs ::/0", "tcp 80: cidrs 0.0.0.0/0; ipv6_cidrs ::/0", "tcp 3306: cidrs 0.0.0.0/0"]


def test_diff_shows_before_and_after(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1", ports=(START))
    result = ansible.run_module(MODULE, {"instance_name": "web-1", "state": "absent", "ports": [{"protocol": "tcp", "from_port": 3306}]}, diff=True)
    assert result["diff"] == {"before": "".join(line + "\n" for line in START_LINES), "after": "".join(line + "\n" for line in START_LINES[:2])}
    assert result["_run"].rc == 0


def test_diff_hunks_name_their_rule(ansible, lightsail_admin):
    """One line per rule: a changed source shows with its rule's protocol and ports, not as a bare list item."""
    lightsail_admin.seed_instance("web-1", ports=(START))
    task = {"name": "add a source", MODULE: {"instance_name": "web-1", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [HOME]}]}}
    run = ansible.playbook([{"name": "diff", "hosts": "localhost", "gather_facts": False, "tasks": [task]}], diff=True, callback="default")
    assert "\n-tcp 22: cidrs 0.0.0.0/0 203.0.113.0/24; ipv6_cidrs ::/0\n" in run.stdout, run.stdout
    assert "\n+tcp 22: cidrs 0.0.0.0/0 198.51.100.7/32 203.0.113.0/24; ipv6_cidrs ::/0\n" in run.stdout, run.stdout
    assert '"cidrs"' not in run.stdout


SIXTY = ["10.%d.0.0/16" % i for i in range(60)]


def edges_play():
    add_twenty = {"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["172.16.%d.0/24" % i for i in range(20)]}]}
    tasks = [
        {"name": "absent on a covered port", MODULE: {"instance_name": "covered", "state": "absent", "ports": [{"protocol": "tcp", "from_port": 22}]}},
        {"name": "70 sources, check mode", MODULE: dict(add_twenty, instance_name="crowded"), "check_mode": True, "ignore_errors": True},
        {"name": "70 sources", MODULE: dict(add_twenty, instance_name="crowded"), "ignore_errors": True},
        {"name": "all with -1 and no to_port", MODULE: {"instance_name": "everything", "ports": [{"protocol": "-1", "from_port": -1, "cidrs": [OFFICE]}]}},
        {"name": "mask notation", MODULE: {"instance_name": "everything", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["10.0.0.0/255.0.0.0"]}]}},
    ]
    return [{"name": "edges", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def test_edges_of_issue_13(ansible, lightsail_admin):
    lightsail_admin.seed_instance("covered", ports=([rule("tcp", 20, 30, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 22, cidrs=[OFFICE])]))
    lightsail_admin.seed_instance("crowded", ports=([rule("tcp", 22, cidrs=SIXTY[:50])]))
    lightsail_admin.seed_instance("everything", ports=[])
    run = ansible.playbook(edges_play())

    # absent on a port another rule still covers: closed, and a warning names the covering rule and its sources
    covered = run.result("absent on a covered port")
    assert covered["changed"] and as_api(covered["ports"]) == [rule("tcp", 20, 30, cidrs=[WORLD4], ipv6=[WORLD6])]
    assert any("tcp 22 stays reachable through the rule tcp 20-30" in w and "0.0.0.0/0" in w and "::/0" in w for w in covered["warnings"]), covered

    # a rule that would exceed 60 sources: refused in check mode and for real, naming the rule and the counts, nothing written
    for name in ("70 sources, check mode", "70 sources"):
        crowded = run.result(name)
        assert crowded["failed"] and not crowded["changed"], (name, crowded)
        assert "tcp 22: would allow 70 sources (50 now, 20 added); Lightsail accepts at most 60 per rule" in crowded["msg"], crowded["msg"]
    assert stored(lightsail_admin, "crowded") == canonical([rule("tcp", 22, cidrs=SIXTY[:50])])

    # protocol -1 with from_port -1 and no to_port is every port; a netmask is read as its prefix length
    assert as_api(run.result("all with -1 and no to_port")["ports"]) == [rule("all", 0, 65535, cidrs=[OFFICE])]
    assert stored(lightsail_admin, "everything") == canonical([rule("all", 0, 65535, cidrs=[OFFICE]), rule("tcp", 22, cidrs=["10.0.0.0/8"])])
    writes = [c for c in lightsail_admin.write_calls() if c["params"]["instanceName"] != "covered"]
    assert [c["params"]["instanceName"] for c in writes] == ["everything", "everything"]


def test_ports_before_undoes_the_task(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1", ports=(START))
    changed = ansible.run_module(MODULE, {"instance_name": "web-1", "purge_ports": True, "ports": EXCLUSIVE_PORTS})
    assert changed["changed"] and stored(lightsail_admin, "web-1") != canonical(START)
    undone = ansible.run_module(MODULE, {"instance_name": "web-1", "purge_ports": True, "ports": changed["ports_before"]})
    assert undone["changed"] and undone["ports_before"] == changed["ports"]
    assert stored(lightsail_admin, "web-1") == canonical(START)


def test_no_diff_key_without_diff_mode(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1", ports=(START))
    result = ansible.run_module(MODULE, {"instance_name": "web-1", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}]})
    assert "diff" not in result and result["changed"] is False


def test_all_read_back_as_minus_one_is_the_same_rule(ansible, lightsail_admin):
    lightsail_admin.set_behaviour(all_protocol_read="-1")
    lightsail_admin.seed_instance("web-1", ports=([rule("all", 0, 65535, cidrs=[OFFICE])]))
    result = ansible.run_module(MODULE, {"instance_name": "web-1", "ports": [{"protocol": "-1", "cidrs": [OFFICE]}]})
    assert result["changed"] is False, result
    assert as_api(result["ports"]) == [rule("all", 0, 65535, cidrs=[OFFICE])]


def test_unknown_instance_names_instance_and_region(ansible, lightsail_admin):
    result = ansible.run_module(MODULE, {"instance_name": "ghost", "region": "eu-west-1", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}]})
    assert result["failed"]
    assert "ghost" in result["msg"] and "eu-west-1" in result["msg"]
    assert lightsail_admin.write_calls() == []


BAD_INPUT = [
    ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["10.0.0.1/8"]}]},
     "ports[0] (tcp 22).cidrs[0]: '10.0.0.1/8' has host bits set; did you mean '10.0.0.0/8'?"),
    ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["::/0"]}]}, "ports[0] (tcp 22).cidrs[0]: '::/0' is an IPv6 block"),
    ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["not-an-ip"]}]}, "ports[0] (tcp 22).cidrs[0]: 'not-an-ip' is not an IPv4"),
    ({"ports": [{"protocol": "tcp", "from_port": 65536, "cidrs": [OFFICE]}]}, "ports[0].from_port: 65536 is out of range"),
    ({"ports": [{"protocol": "tcp", "from_port": 443, "to_port": 80, "cidrs": [OFFICE]}]}, "ports[0]: from_port 443 is greater than to_port 80"),
    ({"ports": [{"protocol": "icmp", "from_port": 8, "to_port": 256, "cidrs": [OFFICE]}]}, "ports[0].to_port: 256 is out of range for the ICMP code"),
    ({"ports": [{"protocol": "sctp", "from_port": 22, "cidrs": [OFFICE]}]}, "ports[0].protocol: unknown protocol 'sctp'"),
    ({"ports": [{"protocol": "tcp", "from_port": 22, "cidr_list_aliases": ["office"]}]}, "ports[0] (tcp 22).cidr_list_aliases[0]: unknown alias 'office'"),
    ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["10.%d.0.0/16" % i for i in range(61)]}]}, "ports[0] (tcp 22): 61 sources"),
    ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}, {"protocol": "tcp", "from_port": 22, "cidrs": [HOME]}]},
     "ports[1]: describes tcp 22 again"),
    ({"ports": [{"protocol": "tcp", "from_port": 22}]}, "ports[0] (tcp 22): no sources"),
    ({"state": "absent", "purge_ports": True, "ports": []}, "purge_ports: true applies to state=present only"),
    ({"ports": [{"protocol": "tcp", "from_port": "ssh", "cidrs": [OFFICE]}]}, "from_port"),
    ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE], "source": "x"}]}, "source"),
]


@pytest.mark.parametrize("args, message", BAD_INPUT, ids=[message[:40] for _args, message in BAD_INPUT])
def test_bad_input_fails_before_any_call(ansible, lightsail_admin, args, message):
    lightsail_admin.seed_instance("web-1")
    result = ansible.run_module(MODULE, dict(args, instance_name="web-1"))
    assert result["failed"], result
    assert message in result["msg"], result["msg"]
    assert "Traceback (most recent call last)" not in str(result.get("exception", "")) + result.get("module_stderr", "")
    assert lightsail_admin.calls() == []
