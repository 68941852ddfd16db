"""Reads, writes, seeding defaults, limits and pagination."""

from __future__ import annotations

import time

import pytest

WORLD = {"cidrs": ["0.0.0.0/0"], "ipv6Cidrs": ["::/0"], "cidrListAliases": []}
WORLD_V4_ONLY = {"cidrs": ["0.0.0.0/0"], "ipv6Cidrs": [], "cidrListAliases": []}


def tcp(port: int, **sources) -> dict:
    rule = {"protocol": "tcp", "fromPort": port, "toPort": port, "cidrs": [], "ipv6Cidrs": [], "cidrListAliases": []}
    rule.update(sources)
    return rule


def keys(port_states: list[dict]) -> list[tuple]:
    return [(p["protocol"], p["fromPort"], p["toPort"]) for p in port_states]


@pytest.mark.parametrize("blueprint, expected", [
    ("ubuntu_22_04", [("tcp", 22, 22), ("tcp", 80, 80)]),
    ("wordpress", [("tcp", 22, 22), ("tcp", 80, 80), ("tcp", 443, 443)]),
    ("windows_server_2022", [("tcp", 22, 22), ("tcp", 80, 80), ("tcp", 3389, 3389)]),
    ("cpanel_whm_linux", [("tcp", 22, 22), ("tcp", 80, 80), ("tcp", 443, 443), ("tcp", 53, 53), ("udp", 53, 53),
                          ("tcp", 2078, 2078), ("tcp", 2083, 2083), ("tcp", 2087, 2087), ("tcp", 2089, 2089)]),
    ("plesk_ubuntu", [("tcp", 22, 22), ("tcp", 80, 80), ("tcp", 443, 443), ("tcp", 53, 53), ("udp", 53, 53),
                      ("tcp", 8443, 8443), ("tcp", 8447, 8447)]),
])
def test_seeded_defaults_per_blueprint(lightsail_service, lightsail_client, blueprint, expected):
    lightsail_service.seed_instance("box-1", blueprint=blueprint)
    states = lightsail_client.get_instance_port_states(instanceName="box-1")["portStates"]
    assert keys(states) == expected
    assert all({k: s[k] for k in WORLD} == WORLD and s["state"] == "open" for s in states)


def test_ipv4_instance_defaults_have_no_ipv6_sources(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("v4", ip_address_type="ipv4")
    states = lightsail_client.get_instance_port_states(instanceName="v4")["portStates"]
    assert all({k: s[k] for k in WORLD} == WORLD_V4_ONLY for s in states)
    assert "ipv6Addresses" not in lightsail_client.get_instance(instanceName="v4")["instance"]


def test_get_instance_shape(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1", blueprint="windows_server_2022", tags={"env": "prod"})
    lightsail_service.fleet.set_rules("us-east-1", "web-1", [
        tcp(3389, cidrs=["192.0.2.0/24"]),
        {"protocol": "tcp", "fromPort": 0, "toPort": 65535, "accessType": "private", "accessFrom": "Custom", "commonName": "Amazon VPC"},
    ])
    instance = lightsail_client.get_instance(instanceName="web-1")["instance"]
    assert instance["blueprintId"] == "windows_server_2022"
    assert instance["ipAddressType"] == "dualstack" and instance["ipv6Addresses"]
    assert instance["state"] == {"code": 16, "name": "running"}
    assert instance["tags"] == [{"key": "env", "value": "prod"}]
    assert instance["arn"].startswith("arn:aws:lightsail:us-east-1:")
    assert instance["location"] == {"availabilityZone": "us-east-1a", "regionName": "us-east-1"}
    public, private = instance["networking"]["ports"]
    assert public == {"fromPort": 3389, "toPort": 3389, "protocol": "tcp", "accessFrom": "Custom", "accessType": "public",
                      "commonName": "", "accessDirection": "inbound", "cidrs": ["192.0.2.0/24"], "ipv6Cidrs": [], "cidrListAliases": []}
    assert {k: private[k] for k in ("accessType", "accessFrom", "commonName", "cidrs")} == {
        "accessType": "private", "accessFrom": "Custom", "commonName": "Amazon VPC", "cidrs": []}
    # portStates is the public firewall only
    assert keys(lightsail_client.get_instance_port_states(instanceName="web-1")["portStates"]) == [("tcp", 3389, 3389)]


def test_write_returns_a_finished_operation(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1")
    operation = lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=tcp(443, cidrs=["192.0.2.1/32"]))["operation"]
    assert operation["resourceName"] == "web-1"
    assert operation["resourceType"] == "Instance"
    assert operation["operationType"] == "OpenInstancePublicPorts"
    assert operation["status"] == "Succeeded" and operation["isTerminal"] is True
    assert operation["location"]["regionName"] == "us-east-1"
    assert {"id", "createdAt", "statusChangedAt"} <= set(operation)


def test_open_close_put(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_instance("web-1")
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=tcp(443, cidrs=["192.0.2.0/24"]))
    assert keys(lightsail_admin.rules("web-1")) == [("tcp", 22, 22), ("tcp", 80, 80), ("tcp", 443, 443)]
    lightsail_client.close_instance_public_ports(instanceName="web-1", portInfo=tcp(22, **WORLD))
    assert keys(lightsail_admin.rules("web-1")) == [("tcp", 80, 80), ("tcp", 443, 443)]
    put = lightsail_client.put_instance_public_ports(instanceName="web-1", portInfos=[tcp(8443, cidrs=["198.51.100.7"])])
    assert put["operation"]["operationType"] == "PutInstancePublicPorts"
    assert lightsail_admin.rules("web-1") == [dict(tcp(8443, cidrs=["198.51.100.7"]), state="open")]


def test_put_empty_list_closes_everything_public(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_instance("web-1")
    lightsail_admin.set_rules("web-1", [tcp(22, **WORLD), dict(tcp(9000, cidrs=["10.0.0.0/8"]), accessType="private")])
    lightsail_client.put_instance_public_ports(instanceName="web-1", portInfos=[])
    assert lightsail_admin.rules("web-1") == []
    assert [r["accessType"] for r in lightsail_admin.rules("web-1", include_private=True)] == ["private"]


def test_sources_are_stored_as_sent(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_instance("web-1")
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=tcp(
        5432, cidrs=["192.0.2.44", "10.1.2.3/8"], ipv6Cidrs=["2001:DB8::/32"], cidrListAliases=["lightsail-connect"]))
    [rule] = [r for r in lightsail_admin.rules("web-1") if r["fromPort"] == 5432]
    assert (rule["cidrs"], rule["ipv6Cidrs"], rule["cidrListAliases"]) == (["192.0.2.44", "10.1.2.3/8"], ["2001:DB8::/32"], ["lightsail-connect"])


@pytest.mark.parametrize("ip_address_type, ipv6", [("dualstack", ["::/0"]), ("ipv4", [])])
def test_omitted_cidrs_default_to_every_address(lightsail_service, lightsail_client, lightsail_admin, ip_address_type, ipv6):
    lightsail_service.seed_instance("web-1", ip_address_type=ip_address_type, ports=[])
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo={"protocol": "tcp", "fromPort": 25, "toPort": 25})
    [rule] = lightsail_admin.rules("web-1")
    assert (rule["cidrs"], rule["ipv6Cidrs"]) == (["0.0.0.0/0"], ipv6)


def test_omitted_cidrs_with_ipv6_named(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_instance("web-1", ports=[])
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo={"protocol": "tcp", "fromPort": 25, "toPort": 25,
                                                                                "ipv6Cidrs": ["2001:db8::/32"]})
    [rule] = lightsail_admin.rules("web-1")
    assert (rule["cidrs"], rule["ipv6Cidrs"]) == (["0.0.0.0/0"], ["2001:db8::/32"])


def test_omitted_cidrs_switch_none(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_instance("web-1", ports=[])
    lightsail_admin.set_behaviour(omitted_cidrs="none")
    with pytest.raises(lightsail_client.exceptions.InvalidInputException):
        lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo={"protocol": "tcp", "fromPort": 25, "toPort": 25})
    assert lightsail_admin.rules("web-1") == []


@pytest.mark.parametrize("port_info, fragment", [
    (tcp(22, cidrs=["10.0.%d.0/24" % n for n in range(61)]), "at most 60 sources"),
    (tcp(22, cidrs=["10.0.%d.0/24" % n for n in range(30)], ipv6Cidrs=["2001:db8:%x::/48" % n for n in range(30)],
         cidrListAliases=["lightsail-connect"]), "at most 60 sources"),
    (tcp(22, cidrListAliases=["office-vpn"]), "unknown alias"),
    (tcp(22, cidrs=["10.0.0.256/24"]), "not a valid CIDR"),
    (tcp(22, cidrs=["10.0.0.0/33"]), "not a valid CIDR"),
    (tcp(22, cidrs=["2001:db8::/32"]), "IPv6"),
    (tcp(22, ipv6Cidrs=["10.0.0.0/8"]), "not an IPv6 CIDR"),
    (dict(tcp(22, cidrs=["10.0.0.0/8"]), toPort=21), "toPort (21) must not be lower than fromPort (22)"),
    (dict(tcp(22, cidrs=["10.0.0.0/8"]), fromPort=-1), "between 0 and 65535"),
    (tcp(22), "at least one of"),
])
def test_invalid_port_info(lightsail_service, lightsail_client, lightsail_admin, port_info, fragment):
    lightsail_service.seed_instance("web-1")
    before = lightsail_admin.rules("web-1")
    for call in (lambda: lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=port_info),
                 lambda: lightsail_client.put_instance_public_ports(instanceName="web-1", portInfos=[tcp(80, **WORLD), port_info])):
        with pytest.raises(lightsail_client.exceptions.InvalidInputException) as excinfo:
            call()
        assert fragment in excinfo.value.response["Error"]["Message"]
    assert lightsail_admin.rules("web-1") == before


def test_sixty_sources_are_allowed(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1")
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=tcp(22, cidrs=["10.0.%d.0/24" % n for n in range(60)]))


def test_icmp_and_all_rules(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_instance("web-1", ports=[])
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo={"protocol": "icmp", "fromPort": 8, "toPort": -1, **WORLD})
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo={"protocol": "icmpv6", "fromPort": 128, "toPort": 0, **WORLD})
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo={"protocol": "all", "fromPort": 0, "toPort": 65535, **WORLD})
    assert keys(lightsail_admin.rules("web-1")) == [("icmp", 8, -1), ("icmpv6", 128, 0), ("all", 0, 65535)]


def test_pagination_one_call_per_page(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_fleet(12, prefix="web")
    lightsail_service.seed_fleet(3, region="eu-west-1", prefix="eu")
    pages = list(lightsail_client.get_paginator("get_instances").paginate())
    assert [len(p["instances"]) for p in pages] == [5, 5, 2]
    assert [i["name"] for p in pages for i in p["instances"]] == ["web-%04d" % n for n in range(1, 13)]
    calls = lightsail_admin.calls("GetInstances")
    assert len(calls) == 3
    assert "pageToken" not in calls[0]["params"] and calls[1]["params"]["pageToken"] == pages[0]["nextPageToken"]
    assert "nextPageToken" not in pages[-1]


def test_page_size_is_settable(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_fleet(12)
    lightsail_admin.set_behaviour(page_size=100)
    assert len(lightsail_client.get_instances()["instances"]) == 12


@pytest.mark.parametrize("token", ["garbage!", "djF8dXMtZWFzdC0xfDk5OQ==", "djF8ZXUtd2VzdC0xfDU="])
def test_invalid_page_token(lightsail_service, lightsail_client, token):
    lightsail_service.seed_fleet(12)
    with pytest.raises(lightsail_client.exceptions.InvalidInputException):
        lightsail_client.get_instances(pageToken=token)


def test_big_fleet_seeds_fast(lightsail_service, lightsail_admin):
    started = time.perf_counter()
    lightsail_service.seed_fleet(1000, prefix="big")
    assert time.perf_counter() - started < 1.0  # ~0.01 s on an idle machine; loose for busy CI
    started = time.perf_counter()
    assert len(lightsail_admin.seed_fleet(1000, region="eu-west-1")) == 1000
    assert time.perf_counter() - started < 3.0
    assert len(lightsail_admin.instances(region="eu-west-1")) == 1000
