"""The facts of an instance, as the info module and the inventory report them (module_utils/_instance_facts.py)."""

from __future__ import annotations

import pytest

from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import instance_platform
from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import instance_summary
from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import read_instance_facts

from .api_instances import api_instance
from .api_instances import api_port


def host_facts(instance):
    return read_instance_facts(instance)[0]


class TestReadInstanceFacts:
    def test_summary_fields(self):
        facts = host_facts(api_instance("win-1", region="eu-west-1", blueprint="windows_server_2022", blueprint_name="Windows Server 2022",
                                        tags={"role": "ad"}))
        assert facts["name"] == "win-1"
        assert facts["region"] == "eu-west-1"
        assert facts["availability_zone"] == "eu-west-1a"
        assert facts["platform"] == "WINDOWS"
        assert facts["tags"] == {"role": "ad"}
        assert facts["state"] == "running"
        assert facts["ipv6_addresses"] == ["2600:1f18::1"]

    def test_ports_take_the_shape_of_the_ports_option_normalised_and_sorted(self):
        ports = [
            api_port("tcp", 443, 443, cidrs=["0.0.0.0/0"]),
            api_port("TCP", 22, 22, cidrs=["192.0.2.44"], ipv6=["2001:DB8::/32"], aliases=["lightsail-connect"]),
            api_port("-1", -1, -1, cidrs=["10.0.0.0/8"]),
        ]
        assert host_facts(api_instance(ports=ports))["ports"] == [
            {"protocol": "all", "from_port": 0, "to_port": 65535, "cidrs": ["10.0.0.0/8"], "ipv6_cidrs": [], "cidr_list_aliases": []},
            {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["192.0.2.44/32"], "ipv6_cidrs": ["2001:db8::/32"],
             "cidr_list_aliases": ["lightsail-connect"]},
            {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": [], "cidr_list_aliases": []},
        ]

    def test_a_rule_listed_twice_reads_as_one_with_both_sources(self):
        ports = [api_port("tcp", 22, 22, cidrs=["192.0.2.0/24"]), api_port("tcp", 22, 22, cidrs=["198.51.100.0/24"])]
        assert host_facts(api_instance(ports=ports))["ports"][0]["cidrs"] == ["192.0.2.0/24", "198.51.100.0/24"]

    def test_private_entries_are_kept_apart(self):
        ports = [
            api_port("tcp", 22, 22, cidrs=["0.0.0.0/0"]),
            api_port("tcp", 0, 65535, access_type="Private", accessFrom="Custom", commonName="Amazon VPC"),
        ]
        facts = host_facts(api_instance(ports=ports))
        assert [rule["from_port"] for rule in facts["ports"]] == [22]
        assert facts["private_ports"] == [{"protocol": "tcp", "from_port": 0, "to_port": 65535, "access_from": "Custom", "common_name": "Amazon VPC"}]

    def test_an_odd_value_is_kept_with_a_warning_naming_instance_rule_and_value(self):
        ports = [api_port("tcp", 22, 22, cidrs=["192.0.2.5/24"]), api_port("tcp", 80, 80, cidrs=["0.0.0.0/0"])]
        facts, warnings = read_instance_facts(api_instance("web-1", ports=ports))
        assert [rule["cidrs"] for rule in facts["ports"]] == [["192.0.2.5/24"], ["0.0.0.0/0"]]
        assert len(warnings) == 1 and warnings[0].startswith("instance web-1, rule tcp 22: Lightsail returned the IPv4 source '192.0.2.5/24'")
        assert host_facts(api_instance("web-1", ports=ports)) == facts

    def test_no_networking_means_no_rules(self):
        instance = api_instance()
        del instance["networking"]
        facts = host_facts(instance)
        assert facts["ports"] == [] and facts["private_ports"] == []


class TestInstanceSummary:
    def test_the_facts_of_an_instance_without_its_rules(self):
        summary = instance_summary(api_instance("web-1", tags={"env": "prod"}, ports=[api_port("tcp", 22, 22, cidrs=["0.0.0.0/0"])]))
        assert summary == {
            "name": "web-1",
            "arn": "arn:aws:lightsail:us-east-1:123456789012:Instance/web-1",
            "region": "us-east-1",
            "availability_zone": "us-east-1a",
            "blueprint_id": "ubuntu_22_04",
            "bundle_id": "small_3_0",
            "platform": "LINUX_UNIX",
            "ip_address_type": "dualstack",
            "public_ip_address": "3.80.0.1",
            "private_ip_address": "172.26.0.1",
            "ipv6_addresses": ["2600:1f18::1"],
            "state": "running",
            "tags": {"env": "prod"},
        }

    def test_missing_parts_read_as_none_or_empty(self):
        summary = instance_summary({"name": "bare"})
        assert summary["region"] is None and summary["state"] is None and summary["ipv6_addresses"] == [] and summary["tags"] == {}
        assert summary["platform"] == "LINUX_UNIX"

    def test_read_instance_facts_adds_the_rules_to_the_summary(self):
        instance = api_instance(ports=[api_port("tcp", 22, 22, cidrs=["0.0.0.0/0"])])
        facts, warnings = read_instance_facts(instance)
        assert warnings == [] and dict((k, v) for k, v in facts.items() if k not in ("ports", "private_ports")) == instance_summary(instance)
        assert facts["ports"] == [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": [], "cidr_list_aliases": []}]


class TestPlatform:
    @pytest.mark.parametrize("blueprint_id, blueprint_name, platform", [
        ("windows_server_2022", "Windows Server 2022", "WINDOWS"),
        ("windows_2019_sql_2019_express", None, "WINDOWS"),
        ("custom_image", "My Windows golden image", "WINDOWS"),
        ("ubuntu_22_04", "Ubuntu", "LINUX_UNIX"),
        ("wordpress", "WordPress", "LINUX_UNIX"),
        (None, None, "LINUX_UNIX"),
    ])
    def test_read_from_the_blueprint(self, blueprint_id, blueprint_name, platform):
        assert instance_platform({"blueprintId": blueprint_id, "blueprintName": blueprint_name}) == platform
