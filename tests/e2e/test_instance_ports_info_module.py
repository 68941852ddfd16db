"""lightsail_instance_ports_info end to end against the test service."""

from __future__ import annotations

from ansible_collections.seed.lightsail.plugins.module_utils.rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils.rules import parse_rules
from firewall_shapes import stored

INFO = "seed.lightsail.lightsail_instance_ports_info"
PORTS = "seed.lightsail.lightsail_instance_ports"

ODD_RULES = [
    {"protocol": "all", "fromPort": 0, "toPort": 65535, "cidrs": ["203.0.113.0/24"], "ipv6Cidrs": [], "cidrListAliases": []},
    {"protocol": "icmp", "fromPort": -1, "toPort": -1, "cidrs": ["198.51.100.7/32"], "ipv6Cidrs": [], "cidrListAliases": []},
    {"protocol": "icmpv6", "fromPort": 128, "toPort": 0, "cidrs": [], "ipv6Cidrs": ["2001:db8::/32"], "cidrListAliases": []},
    {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": [], "ipv6Cidrs": [], "cidrListAliases": ["lightsail-connect"]},
    {"protocol": "tcp", "fromPort": 8000, "toPort": 8100, "cidrs": [], "ipv6Cidrs": ["::/0"], "cidrListAliases": []},
]


def test_one_instance_is_one_call(ansible, lightsail_admin):
    lightsail_admin.seed_instance("odd", ports=ODD_RULES)
    result = ansible.run_module(INFO, {"instance_name": "odd"}, check=True)
    assert result["changed"] is False and not result.get("failed"), result
    assert result["ports"] == stored(lightsail_admin, "odd")
    assert result["instances"] == [{"name": "odd", "region": "us-east-1", "ports": result["ports"], "private_ports": []}]
    assert [c["operation"] for c in lightsail_admin.calls()] == ["GetInstancePortStates"]
    assert {(r["protocol"], r["from_port"], r["to_port"]) for r in result["ports"]} == {
        ("all", 0, 65535), ("icmp", -1, -1), ("icmpv6", 128, 0), ("tcp", 22, 22), ("tcp", 8000, 8100)
    }


def test_minus_one_protocol_reads_as_all(ansible, lightsail_admin):
    lightsail_admin.set_behaviour(all_protocol_read="-1")
    lightsail_admin.seed_instance("odd", ports=ODD_RULES[:1])
    result = ansible.run_module(INFO, {"instance_name": "odd"})
    assert result["ports"][0]["protocol"] == "all"


def test_instance_without_rules(ansible, lightsail_admin):
    lightsail_admin.seed_instance("bare", ports=[])
    assert ansible.run_module(INFO, {"instance_name": "bare"})["ports"] == []


def test_region_is_one_call_per_page(ansible, lightsail_admin):
    lightsail_admin.set_behaviour(page_size=5)
    names = lightsail_admin.seed_fleet(12, prefix="node")
    lightsail_admin.seed_instance("elsewhere", region="eu-west-1")
    result = ansible.run_module(INFO, {})
    assert [i["name"] for i in result["instances"]] == sorted(names)
    calls = lightsail_admin.calls()
    assert [c["operation"] for c in calls] == ["GetInstances"] * 3
    assert all(c["region"] == "us-east-1" for c in calls)
    first = result["instances"][0]
    assert first["ports"] == stored(lightsail_admin, first["name"])
    assert first["platform"] == "LINUX_UNIX" and first["region"] == "us-east-1" and first["blueprint_id"]


def test_region_filters(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1", tags={"env": "prod", "role": "web"})
    lightsail_admin.seed_instance("web-2", tags={"env": "dev", "role": "web"})
    lightsail_admin.seed_instance("win-1", blueprint="windows_server_2022", tags={"env": "prod"})
    by_tag = ansible.run_module(INFO, {"tags": {"env": "prod"}})
    assert [i["name"] for i in by_tag["instances"]] == ["web-1", "win-1"]
    assert by_tag["instances"][1]["platform"] == "WINDOWS"
    assert by_tag["instances"][1]["tags"] == {"env": "prod"}
    by_name = ansible.run_module(INFO, {"names": ["web-2", "nope"]})
    assert [i["name"] for i in by_name["instances"]] == ["web-2"]
    assert by_name["missing_names"] == ["nope"]


def test_private_entries_are_kept_apart(ansible, lightsail_admin):
    lightsail_admin.seed_instance("db-1", ports=[])
    lightsail_admin.set_rules("db-1", [
        dict(ODD_RULES[3]),
        {"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "accessType": "private", "cidrs": [], "ipv6Cidrs": [], "cidrListAliases": []},
    ])
    result = ansible.run_module(INFO, {"names": ["db-1"]})
    instance = result["instances"][0]
    assert [(r["protocol"], r["from_port"]) for r in instance["ports"]] == [("tcp", 22)]
    assert [(r["protocol"], r["from_port"]) for r in instance["private_ports"]] == [("tcp", 5432)]


def test_unknown_instance(ansible, lightsail_admin):
    result = ansible.run_module(INFO, {"instance_name": "ghost", "region": "ap-south-1"})
    assert result["failed"] and "'ghost'" in result["msg"] and "ap-south-1" in result["msg"]


def test_instance_name_excludes_filters(ansible, lightsail_admin):
    result = ansible.run_module(INFO, {"instance_name": "a", "names": ["b"]})
    assert result["failed"] and "mutually exclusive" in result["msg"]
    assert lightsail_admin.calls() == []


def test_export_then_apply_is_a_no_op(ansible, lightsail_admin):
    """Every firewall of a region exported with the info module and applied back changes nothing."""
    lightsail_admin.seed_instance("odd", ports=ODD_RULES)
    lightsail_admin.seed_instance("win-1", blueprint="windows_server_2022")
    lightsail_admin.seed_instance("cpanel-1", blueprint="cpanel_whm_linux")
    lightsail_admin.seed_instance("bare", ports=[])
    play = [{
        "name": "round trip", "hosts": "localhost", "gather_facts": False,
        "tasks": [
            {"name": "export", INFO: {}, "register": "exported"},
            {"name": "apply", PORTS: {"instance_name": "{{ item.name }}", "purge_ports": True, "ports": "{{ item.ports }}"},
             "loop": "{{ exported.instances }}", "loop_control": {"label": "{{ item.name }}"}},
        ],
    }]
    before = {name: stored(lightsail_admin, name) for name in ("odd", "win-1", "cpanel-1", "bare")}
    run = ansible.playbook(play)
    applied = run.result("apply")
    assert applied["changed"] is False
    assert len(applied["results"]) == 4
    assert lightsail_admin.write_calls() == []
    assert {name: stored(lightsail_admin, name) for name in before} == before


def test_restore_after_drift(ansible, lightsail_admin):
    """Export one firewall, let it drift, restore it from the export."""
    lightsail_admin.seed_instance("web-1", ports=ODD_RULES)
    saved = ansible.run_module(INFO, {"instance_name": "web-1"})["ports"]
    lightsail_admin.set_rules("web-1", [{"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": [], "cidrListAliases": []}])
    restored = ansible.run_module(PORTS, {"instance_name": "web-1", "purge_ports": True, "ports": saved})
    assert restored["changed"] is True
    assert stored(lightsail_admin, "web-1") == saved == firewall_to_list(parse_rules(saved))
