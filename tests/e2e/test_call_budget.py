"""API-call budgets, counted (never timed) in the test service's call log (issue 7; figures in docs/benchmarks.md).

Single instance: a run that changes nothing makes 1 call; a change is 1 read plus the fewest writes; check mode
writes nothing. Region: one GetInstances call per page. Fleet module: one GetInstances call per page, one write per
instance whose firewall differs, none for the compliant ones.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

PORTS = "seed.lightsail.lightsail_instance_ports"
INFO = "seed.lightsail.lightsail_instance_ports_info"
FLEET = "seed.lightsail.lightsail_firewall_baseline"
READ = "GetInstancePortStates"
OPEN, CLOSE, PUT = "OpenInstancePublicPorts", "CloseInstancePublicPorts", "PutInstancePublicPorts"
OFFICE, WORLD4, WORLD6 = "203.0.113.0/24", "0.0.0.0/0", "::/0"
PAGE_SIZE = 5
FLEET_SIZE = 12


def api_rule(port, cidrs=(WORLD4,), ipv6=(WORLD6,)):
    return {"protocol": "tcp", "fromPort": port, "toPort": port, "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6), "cidrListAliases": []}


START = [api_rule(22, cidrs=[WORLD4, OFFICE]), api_rule(80)]
HTTPS = {"protocol": "tcp", "from_port": 443, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}

# instance -> (task arguments, check mode, the calls it may make: {operation: count})
SINGLE = {
    "no-change": ({"ports": [{"protocol": "tcp", "from_port": 80, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}]}, False, {READ: 1}),
    "open-one": ({"ports": [HTTPS]}, False, {READ: 1, OPEN: 1}),
    "add-source": ({"ports": [{"protocol": "tcp", "from_port": 80, "cidrs": ["198.51.100.7"]}]}, False, {READ: 1, OPEN: 1}),
    "close-one": ({"state": "absent", "ports": [{"protocol": "tcp", "from_port": 80}]}, False, {READ: 1, CLOSE: 1}),
    "close-missing": ({"state": "absent", "ports": [{"protocol": "udp", "from_port": 53}]}, False, {READ: 1}),
    "narrow": ({"state": "absent", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}]}, False,
               {READ: 1, CLOSE: 1, OPEN: 1}),
    "exclusive": ({"purge_ports": True, "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}, HTTPS]}, False, {READ: 1, PUT: 1}),
    "exclusive-same": ({"purge_ports": True, "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [WORLD4, OFFICE], "ipv6_cidrs": [WORLD6]},
                                                       {"protocol": "tcp", "from_port": 80, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}]}, False, {READ: 1}),
    "check-open": ({"ports": [HTTPS]}, True, {READ: 1}),
    "check-narrow": ({"state": "absent", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [WORLD4]}]}, True, {READ: 1}),
    "check-exclusive": ({"purge_ports": True, "ports": [HTTPS]}, True, {READ: 1}),
}


def calls_by_instance(calls):
    counts = {}
    for call in calls:
        name = (call.get("params") or {}).get("instanceName")
        counts.setdefault(name, Counter())[call["operation"]] += 1
    return counts


def test_single_instance_budgets(ansible, lightsail_admin):
    """All scenarios in one playbook, each on an instance of its own: the call log splits by instanceName."""
    for name in SINGLE:
        lightsail_admin.seed_instance(name, ports=START)
    tasks = []
    for name, (args, check, unused_budget) in SINGLE.items():
        task = {"name": name, PORTS: dict(args, instance_name=name)}
        if check:
            task["check_mode"] = True
        tasks.append(task)
    run = ansible.playbook([{"name": "budgets", "hosts": "localhost", "gather_facts": False, "tasks": tasks}])

    counts = calls_by_instance(lightsail_admin.calls())
    assert set(counts) == set(SINGLE), counts
    for name, (unused_args, check, budget) in SINGLE.items():
        assert counts[name] == Counter(budget), "%s made %s, budget %s" % (name, dict(counts[name]), budget)
        result = run.result(name)
        assert result["changed"] is (check or sum(budget.values()) > 1), (name, result)
    # the order of the narrowing writes is part of the plan: Close first, then Open
    narrow = [c["operation"] for c in lightsail_admin.calls() if (c.get("params") or {}).get("instanceName") == "narrow"]
    assert narrow == [READ, CLOSE, OPEN]


@pytest.mark.parametrize("filters", [{}, {"names": ["node-0002", "node-0011"]}, {"tags": {"role": "web"}}])
def test_region_audit_is_one_call_per_page(ansible, lightsail_admin, filters):
    lightsail_admin.set_behaviour(page_size=PAGE_SIZE)
    lightsail_admin.seed_fleet(FLEET_SIZE, prefix="node")
    lightsail_admin.seed_instance("eu-1", region="eu-west-1")
    result = ansible.run_module(INFO, filters)
    assert not result.get("failed"), result
    assert Counter(c["operation"] for c in lightsail_admin.calls()) == Counter({"GetInstances": math.ceil(FLEET_SIZE / PAGE_SIZE)})


FLEET_ARGS = {"mode": "apply", "baseline": "locked_down", "admin_cidrs": [OFFICE]}


def test_fleet_module_writes_only_where_a_firewall_differs(ansible, lightsail_admin):
    lightsail_admin.set_behaviour(page_size=PAGE_SIZE)
    names = lightsail_admin.seed_fleet(FLEET_SIZE, prefix="node")
    pages = math.ceil(FLEET_SIZE / PAGE_SIZE)

    # every instance has Ubuntu's defaults (22 and 80 from everywhere): check mode writes nothing
    result = ansible.run_module(FLEET, FLEET_ARGS, check=True)
    assert result["changed"] is True and result["summary"]["changed"] == FLEET_SIZE, result
    assert Counter(c["operation"] for c in lightsail_admin.calls()) == Counter({"GetInstances": pages})

    # apply: the listing, then one Put per instance, and no per-instance read
    lightsail_admin.clear_calls()
    result = ansible.run_module(FLEET, FLEET_ARGS)
    assert result["summary"]["changed"] == FLEET_SIZE and not result.get("failed"), result
    calls = lightsail_admin.calls()
    assert Counter(c["operation"] for c in calls) == Counter({"GetInstances": pages, PUT: FLEET_SIZE})
    assert sorted(c["params"]["instanceName"] for c in calls if c["operation"] == PUT) == sorted(names)

    # four instances drift back: writes for those four only
    drifted = names[::3]
    for name in drifted:
        lightsail_admin.set_rules(name, START)
    lightsail_admin.clear_calls()
    result = ansible.run_module(FLEET, FLEET_ARGS)
    assert result["summary"]["changed"] == len(drifted), result
    calls = lightsail_admin.calls()
    assert Counter(c["operation"] for c in calls) == Counter({"GetInstances": pages, PUT: len(drifted)})
    assert sorted(c["params"]["instanceName"] for c in calls if c["operation"] == PUT) == sorted(drifted)

    # all compliant: the listing only
    lightsail_admin.clear_calls()
    result = ansible.run_module(FLEET, FLEET_ARGS)
    assert result["changed"] is False and result["summary"]["compliant"] == FLEET_SIZE, result
    assert Counter(c["operation"] for c in lightsail_admin.calls()) == Counter({"GetInstances": pages})


def test_fleet_audit_is_one_call_per_page(ansible, lightsail_admin):
    lightsail_admin.set_behaviour(page_size=PAGE_SIZE)
    lightsail_admin.seed_fleet(FLEET_SIZE, prefix="node")
    result = ansible.run_module(FLEET, dict(FLEET_ARGS, mode="audit"))
    assert result["changed"] is False and result["summary"]["instances"] == FLEET_SIZE, result
    assert Counter(c["operation"] for c in lightsail_admin.calls()) == Counter({"GetInstances": math.ceil(FLEET_SIZE / PAGE_SIZE)})
