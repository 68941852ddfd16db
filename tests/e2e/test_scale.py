"""Scale edges: an instance without rules, one with 60 rules of 60 sources, a region of 1,000 instances.

All of it runs in one playbook: the bare and the full instance in us-east-1, the 1,000 instances in eu-west-1.
"""

from __future__ import annotations

import ipaddress
import math

from firewall_shapes import as_api, rule, stored

PORTS = "seed.lightsail.lightsail_instance_ports"
INFO = "seed.lightsail.lightsail_instance_ports_info"
READ, LIST, OPEN, PUT = "GetInstancePortStates", "GetInstances", "OpenInstancePublicPorts", "PutInstancePublicPorts"
OFFICE = "203.0.113.0/24"
FLEET_REGION, FLEET_SIZE, PAGE_SIZE = "eu-west-1", 1000, 50
MAX_SOURCES_PER_RULE = 60  # Lightsail's limit, written out: the collection's constant is under test


def full_rule(index):
    """tcp 1000+index with 60 sources: 30 IPv4 blocks, 29 IPv6 blocks and the console alias."""
    return {
        "protocol": "tcp", "from_port": 1000 + index, "to_port": 1000 + index,
        "cidrs": [str(ipaddress.ip_network((0x0A000000 + (index * 64 + n) * 256, 24))) for n in range(30)],
        "ipv6_cidrs": [str(ipaddress.ip_network(((0x20010DB8 << 96) + ((index * 64 + n) << 64), 64))) for n in range(29)],
        "cidr_list_aliases": ["lightsail-connect"],
    }


FULL = [full_rule(i) for i in range(60)]
# The same firewall with one IPv4 source of one rule swapped for another.
CHANGED = [dict(r, cidrs=r["cidrs"][:-1] + [OFFICE]) if r["from_port"] == 1030 else r for r in FULL]


def task(name, module, args, **keywords):
    return dict({"name": name, module: args}, **keywords)


def scale_play():
    one_more = {"protocol": "tcp", "from_port": 1000, "cidrs": ["198.51.100.7"]}
    return [{"name": "scale", "hosts": "localhost", "gather_facts": False, "tasks": [
        # no rules at all
        task("bare: read", INFO, {"instance_name": "bare"}),
        task("bare: purge to nothing", PORTS, {"instance_name": "bare", "purge_ports": True, "ports": []}),
        task("bare: close what is not open", PORTS, {"instance_name": "bare", "state": "absent", "ports": [{"protocol": "tcp", "from_port": 22}]}),
        task("bare: first rule", PORTS, {"instance_name": "bare", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}]}),
        # 60 rules of 60 sources
        task("full: read", INFO, {"instance_name": "full"}, register="full_rules"),
        task("full: write back what was read", PORTS, {"instance_name": "full", "purge_ports": True, "ports": "{{ full_rules.ports }}"}),
        task("full: one rule again", PORTS, {"instance_name": "full", "ports": FULL[59:]}),
        task("full: a 61st source", PORTS, {"instance_name": "full", "ports": [one_more]}, ignore_errors=True),
        task("full: swap one source", PORTS, {"instance_name": "full", "purge_ports": True, "ports": CHANGED}),
        # a region of 1,000 instances
        task("fleet: every instance", INFO, {"region": FLEET_REGION}),
        task("fleet: three names", INFO, {"region": FLEET_REGION, "names": ["node-0001", "node-0500", "node-1000", "node-1001"]}),
    ]}]


def test_scale_edges(ansible, lightsail_admin):
    lightsail_admin.seed_instance("bare", ports=[])
    lightsail_admin.seed_instance("full", ports=as_api(FULL))
    lightsail_admin.seed_fleet(FLEET_SIZE, region=FLEET_REGION, prefix="node")
    lightsail_admin.set_behaviour(page_size=PAGE_SIZE)
    lightsail_admin.throttle(2, LIST)  # the first page is throttled twice: retried on its own, the listing goes on
    run = ansible.playbook(scale_play())
    calls = lightsail_admin.calls()

    # no rules
    assert run.result("bare: read")["ports"] == []
    for name in ("bare: purge to nothing", "bare: close what is not open"):
        assert not run.result(name)["changed"] and run.result(name)["operations"] == [], name
    first = run.result("bare: first rule")
    assert first["changed"] and [op["operation"] for op in first["operations"]] == [OPEN]
    assert stored(lightsail_admin, "bare") == [rule("tcp", 22, cidrs=[OFFICE])]
    bare_calls = [c["operation"] for c in calls if (c["params"] or {}).get("instanceName") == "bare"]
    assert bare_calls == [READ, READ, READ, READ, OPEN]

    # 60 rules of 60 sources: read whole, idempotent, and rewritten in one Put
    read = run.result("full: read")["ports"]
    assert len(read) == 60 and all(len(r["cidrs"]) + len(r["ipv6_cidrs"]) + len(r["cidr_list_aliases"]) == MAX_SOURCES_PER_RULE for r in read)
    assert as_api(read) == as_api(FULL)
    assert not run.result("full: write back what was read")["changed"]
    assert not run.result("full: one rule again")["changed"]
    too_many = run.result("full: a 61st source")
    assert too_many["failed"] and "60" in too_many["msg"] and "tcp 1000" in too_many["msg"], too_many["msg"]
    swapped = run.result("full: swap one source")
    assert swapped["changed"] and [op["operation"] for op in swapped["operations"]] == [PUT]
    assert stored(lightsail_admin, "full") == as_api(CHANGED)
    full_writes = [c for c in calls if c["operation"] in (OPEN, PUT) and c["params"]["instanceName"] == "full"]
    assert all(c["result"] != "ok" for c in full_writes if c["operation"] == OPEN), "the 61st source was never applied"
    assert [c["operation"] for c in full_writes if c["result"] == "ok"] == [PUT]
    put = [c for c in full_writes if c["operation"] == PUT][0]["params"]["portInfos"]
    assert len(put) == 60 and max(len(p["cidrs"]) + len(p["ipv6Cidrs"]) + len(p["cidrListAliases"]) for p in put) == MAX_SOURCES_PER_RULE

    # 1,000 instances: one GetInstances call per page, plus the two throttled attempts at the first page
    pages = math.ceil(FLEET_SIZE / PAGE_SIZE)
    listing = [c for c in calls if c["operation"] == LIST]
    assert [c["result"] for c in listing] == ["ThrottlingException"] * 2 + ["ok"] * pages * 2
    assert all(c["region"] == FLEET_REGION for c in listing)
    everything = run.result("fleet: every instance")["instances"]
    assert len(everything) == FLEET_SIZE and [i["name"] for i in everything] == ["node-%04d" % n for n in range(1, FLEET_SIZE + 1)]
    assert all(i["region"] == FLEET_REGION and i["ports"] for i in everything)
    assert as_api(everything[499]["ports"]) == stored(lightsail_admin, "node-0500", FLEET_REGION)
    named = run.result("fleet: three names")
    assert [i["name"] for i in named["instances"]] == ["node-0001", "node-0500", "node-1000"] and named["missing_names"] == ["node-1001"]
