"""Each switch for what AWS has not documented is observable through the API."""

from __future__ import annotations

import pytest

from lightsail_service import AdminError, LightsailService


def tcp(port: int, cidrs: list[str], ipv6: list[str] | None = None) -> dict:
    return {"protocol": "tcp", "fromPort": port, "toPort": port, "cidrs": cidrs, "ipv6Cidrs": ipv6 or [], "cidrListAliases": []}


@pytest.fixture
def web(lightsail_service, lightsail_admin):
    """web-1 with a single rule: tcp 22 from 192.0.2.0/24 and 198.51.100.0/24."""
    lightsail_service.seed_instance("web-1", ports=[tcp(22, ["192.0.2.0/24", "198.51.100.0/24"])])
    return lightsail_admin


def sources_of_22(lightsail_client) -> list[str] | None:
    states = lightsail_client.get_instance_port_states(instanceName="web-1")["portStates"]
    return next((s["cidrs"] for s in states if s["fromPort"] == 22), None)


@pytest.mark.parametrize("mode, expected", [
    ("merge", ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.9/32"]),
    ("replace", ["203.0.113.9/32"]),
])
def test_open_existing(web, lightsail_client, mode, expected):
    web.set_behaviour(open_existing=mode)
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=tcp(22, ["203.0.113.9/32"]))
    assert sources_of_22(lightsail_client) == expected


def test_merge_does_not_duplicate_the_same_address(web, lightsail_client):
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=tcp(22, ["192.0.2.0/24"]))
    assert sources_of_22(lightsail_client) == ["192.0.2.0/24", "198.51.100.0/24"]


@pytest.mark.parametrize("mode, expected", [("remove_named", ["198.51.100.0/24"]), ("whole_rule", None)])
def test_close_sources(web, lightsail_client, mode, expected):
    web.set_behaviour(close_sources=mode)
    lightsail_client.close_instance_public_ports(instanceName="web-1", portInfo=tcp(22, ["192.0.2.0/24"]))
    assert sources_of_22(lightsail_client) == expected


def test_close_removes_the_rule_when_no_source_is_left(web, lightsail_client):
    lightsail_client.close_instance_public_ports(instanceName="web-1", portInfo=tcp(22, ["192.0.2.0/24", "198.51.100.0/24"]))
    assert sources_of_22(lightsail_client) is None


def test_close_with_a_source_not_in_the_rule(web, lightsail_client):
    # The Pulumi report: close 0.0.0.0/0 on a rule from other addresses. remove_named leaves it, whole_rule closes it.
    lightsail_client.close_instance_public_ports(instanceName="web-1", portInfo=tcp(22, ["0.0.0.0/0"]))
    assert sources_of_22(lightsail_client) == ["192.0.2.0/24", "198.51.100.0/24"]
    web.set_behaviour(close_sources="whole_rule")
    lightsail_client.close_instance_public_ports(instanceName="web-1", portInfo=tcp(22, ["0.0.0.0/0"]))
    assert sources_of_22(lightsail_client) is None


def test_close_missing_noop(web, lightsail_client):
    result = lightsail_client.close_instance_public_ports(instanceName="web-1", portInfo=tcp(8080, ["0.0.0.0/0"]))
    assert result["operation"]["status"] == "Succeeded"
    assert web.calls()[-1]["result"] == "ok"


def test_close_missing_error(web, lightsail_client):
    web.set_behaviour(close_missing="error")
    with pytest.raises(lightsail_client.exceptions.InvalidInputException):
        lightsail_client.close_instance_public_ports(instanceName="web-1", portInfo=tcp(8080, ["0.0.0.0/0"]))


@pytest.mark.parametrize("mode", ["all", "-1"])
def test_all_protocol_read(web, lightsail_client, mode):
    web.set_behaviour(all_protocol_read=mode)
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo={
        "protocol": "all", "fromPort": 0, "toPort": 65535, "cidrs": ["10.0.0.0/8"], "ipv6Cidrs": [], "cidrListAliases": []})
    states = lightsail_client.get_instance_port_states(instanceName="web-1")["portStates"]
    ports = lightsail_client.get_instance(instanceName="web-1")["instance"]["networking"]["ports"]
    assert [s["protocol"] for s in states] == ["tcp", mode]
    assert [p["protocol"] for p in ports] == ["tcp", mode]
    assert web.rules("web-1")[1]["protocol"] == "all"  # stored as all whatever reads report


def test_behaviour_set_at_construction_and_kept_by_reset():
    with LightsailService(close_sources="whole_rule", page_size=2) as service:
        service.admin.set_behaviour(close_sources="remove_named", page_size=7)
        service.admin.reset()
        assert service.admin.behaviour()["close_sources"] == "whole_rule"
        assert service.admin.behaviour()["page_size"] == 2


@pytest.mark.parametrize("switches", [{"open_existing": "append"}, {"no_such_switch": "x"}, {"page_size": 0}])
def test_bad_switch_is_refused(lightsail_admin, switches):
    before = lightsail_admin.behaviour()
    with pytest.raises(AdminError):
        lightsail_admin.set_behaviour(**switches)
    assert lightsail_admin.behaviour() == before


def test_bad_switch_at_construction():
    with pytest.raises(ValueError):
        LightsailService(close_missing="maybe")
