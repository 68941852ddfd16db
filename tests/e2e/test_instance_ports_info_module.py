"""lightsail_instance_ports_info end to end against the test service."""

from __future__ import annotations

from firewall_shapes import as_api, canonical, stored

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
    assert as_api(result["ports"]) == canonical(ODD_RULES) == stored(lightsail_admin, "odd")
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
    assert as_api(first["ports"]) == stored(lightsail_admin, first["name"])
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
    assert stored(lightsail_admin, "web-1") == as_api(saved) == canonical(ODD_RULES)


def rule(protocol, port, cidrs=(), ipv6=(), aliases=()):
    """A rule in the API's shape (what the service stores), as literal data."""
    return {"protocol": protocol, "fromPort": port, "toPort": port, "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6), "cidrListAliases": list(aliases)}


def listed(protocol, port, cidrs=(), ipv6=(), aliases=()):
    """A rule in the modules' shape, as literal data."""
    return {"protocol": protocol, "from_port": port, "to_port": port, "cidrs": list(cidrs), "ipv6_cidrs": list(ipv6), "cidr_list_aliases": list(aliases)}


class TestOddValuesFromTheApi:
    """One stored value the collection cannot normalise used to fail the whole read with a bare "has host bits set"."""

    @staticmethod
    def seed(admin):
        admin.seed_instance("a-odd", ports=[rule("tcp", 22, ["192.0.2.5/24", "203.0.113.0/24"])])
        admin.seed_instance("b-fine", ports=[rule("tcp", 22, ["198.51.100.0/24"])])
        admin.seed_instance("c-odd", ports=[rule("tcp", 80, ["not-an-ip"], ["::/0"])])

    def test_region_reads_every_instance_and_warns_naming_instance_rule_and_value(self, ansible, lightsail_admin):
        self.seed(lightsail_admin)
        result = ansible.run_module(INFO, {})
        assert not result.get("failed"), result
        assert dict((i["name"], i["ports"]) for i in result["instances"]) == {
            "a-odd": [listed("tcp", 22, ["192.0.2.5/24", "203.0.113.0/24"])],
            "b-fine": [listed("tcp", 22, ["198.51.100.0/24"])],
            "c-odd": [listed("tcp", 80, ["not-an-ip"], ["::/0"])],
        }
        warnings = " | ".join(result.get("warnings", []))
        assert "instance a-odd, rule tcp 22: Lightsail returned the IPv4 source '192.0.2.5/24'" in warnings, warnings
        assert "instance c-odd, rule tcp 80: Lightsail returned the IPv4 source 'not-an-ip'" in warnings, warnings
        assert "b-fine" not in warnings

    def test_one_instance(self, ansible, lightsail_admin):
        self.seed(lightsail_admin)
        result = ansible.run_module(INFO, {"instance_name": "c-odd"})
        assert not result.get("failed"), result
        assert result["ports"] == [listed("tcp", 80, ["not-an-ip"], ["::/0"])]
        assert any("instance c-odd, rule tcp 80" in w and "'not-an-ip'" in w for w in result["warnings"]), result

    def test_the_ports_module_replaces_it_with_purge_ports(self, ansible, lightsail_admin):
        """purge_ports is one Put of the rules asked for: it replaces the odd values without sending them back."""
        self.seed(lightsail_admin)
        wanted = [{"protocol": "tcp", "from_port": 22, "cidrs": ["192.0.2.0/24", "203.0.113.0/24"]},
                  {"protocol": "tcp", "from_port": 80, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": ["::/0"]}]
        for name in ("a-odd", "c-odd"):
            args = {"instance_name": name, "purge_ports": True, "ports": wanted}
            lightsail_admin.clear_calls()
            predicted = ansible.run_module(PORTS, args, check=True)
            assert predicted["changed"] is True and not predicted.get("failed"), predicted
            assert lightsail_admin.write_calls() == []
            applied = ansible.run_module(PORTS, args)
            assert applied["changed"] is True and not applied.get("failed"), applied
            assert [call["operation"] for call in lightsail_admin.write_calls()] == ["PutInstancePublicPorts"]
            assert lightsail_admin.rules(name) == [
                dict(rule("tcp", 22, ["192.0.2.0/24", "203.0.113.0/24"]), state="open"),
                dict(rule("tcp", 80, ["0.0.0.0/0"], ["::/0"]), state="open"),
            ]
            lightsail_admin.clear_calls()
            again = ansible.run_module(PORTS, args)
            assert again["changed"] is False and lightsail_admin.write_calls() == [], again

    def test_a_targeted_write_that_would_resend_it_is_refused_before_any_write(self, ansible, lightsail_admin):
        """Narrowing tcp 22 is Close(what goes) then Open(what stays); the Open would resend 'not-an-ip', which Lightsail
        refuses, after the Close (whole-rule reading) took every source: 198.51.100.0/24 would be lost. Needs the ports
        module to call transformations.refuse_resending_odd_values on the plan before any write (integrator)."""
        lightsail_admin.set_behaviour(close_sources="whole_rule")
        lightsail_admin.seed_instance("a-odd", ports=[rule("tcp", 22, ["not-an-ip", "203.0.113.0/24", "198.51.100.0/24"])])
        before = lightsail_admin.rules("a-odd")
        args = {"instance_name": "a-odd", "state": "absent", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["203.0.113.0/24"]}]}
        for check in (True, False):
            result = ansible.run_module(PORTS, args, check=check)
            assert result.get("failed") and "'not-an-ip' (rule tcp 22)" in result["msg"] and "nothing was written" in result["msg"], result
        assert lightsail_admin.write_calls() == []
        assert lightsail_admin.rules("a-odd") == before


def test_a_name_that_exists_without_the_tags_is_unmatched_not_missing(ansible, lightsail_admin):
    """Before: web-1 (role=web) asked for with tags role=db was reported in missing_names, as if it did not exist."""
    lightsail_admin.seed_instance("web-1", tags={"role": "web"})
    lightsail_admin.seed_instance("db-1", tags={"role": "db"})
    result = ansible.run_module(INFO, {"names": ["web-1", "db-1", "ghost"], "tags": {"role": "db"}})
    assert not result.get("failed"), result
    assert [i["name"] for i in result["instances"]] == ["db-1"]
    assert result["missing_names"] == ["ghost"] and result["unmatched_names"] == ["web-1"]
    assert ("no instance named ghost in region us-east-1; instance web-1 exists in region us-east-1 but does not carry the tags role=db"
            in result["warnings"]), result


def test_an_explicitly_empty_filter_is_an_error_before_any_call(ansible, lightsail_admin):
    """Before: names: [] selected nothing and succeeded, where the inventory read instance_names: [] as every instance."""
    lightsail_admin.seed_instance("web-1")
    for args, option in (({"names": []}, "names"), ({"tags": {}}, "tags")):
        result = ansible.run_module(INFO, args)
        assert result.get("failed") and result["msg"].startswith("%s: " % option), result
        assert "omit %s (or set it to null) to select every instance" % option in result["msg"]
    assert lightsail_admin.calls() == []
    assert [i["name"] for i in ansible.run_module(INFO, {"names": None})["instances"]] == ["web-1"]


def test_boolean_and_number_tag_filters_match_as_meant(ansible, lightsail_admin):
    """Before: tags {enabled: true} compared True with "true" and matched nothing."""
    lightsail_admin.seed_instance("on-1", tags={"enabled": "true", "tier": "2"})
    lightsail_admin.seed_instance("on-2", tags={"enabled": "yes", "tier": "3"})
    lightsail_admin.seed_instance("off-1", tags={"enabled": "false", "tier": "2"})
    assert [i["name"] for i in ansible.run_module(INFO, {"tags": {"enabled": True}})["instances"]] == ["on-1", "on-2"]
    assert [i["name"] for i in ansible.run_module(INFO, {"tags": {"enabled": False, "tier": 2}})["instances"]] == ["off-1"]
    assert [i["name"] for i in ansible.run_module(INFO, {"tags": {"enabled": "yes"}})["instances"]] == ["on-2"]
