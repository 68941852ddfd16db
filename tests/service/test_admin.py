"""The admin interface, the Python API and the pytest fixtures."""

from __future__ import annotations

import threading

import pytest

from lightsail_service import DEFAULT_CREDENTIALS, AdminError, LightsailService

PORT_443 = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": [], "cidrListAliases": []}


def test_only_loopback():
    with pytest.raises(ValueError):
        LightsailService(host="0.0.0.0")


def test_start_stop_and_context_manager():
    service = LightsailService().start()
    try:
        assert service.url.startswith("http://127.0.0.1:") and service.endpoint_url == service.url
        assert service.admin.instances() == []
    finally:
        service.stop()
    with pytest.raises(RuntimeError):
        assert service.url


def test_seed_and_dump(lightsail_admin):
    assert lightsail_admin.seed_instance("web-1", blueprint="wordpress", tags={"team": "a"}) == "web-1"
    lightsail_admin.seed_instance("eu-1", region="eu-west-1", ip_address_type="ipv4",
                                  ports=[{"protocol": "udp", "fromPort": 500, "toPort": 500}])
    [web, eu] = lightsail_admin.instances()
    assert (web["name"], web["platform"], web["blueprintName"], web["tags"]) == ("web-1", "LINUX_UNIX", "WordPress", [{"key": "team", "value": "a"}])
    assert eu["rules"] == [{"fromPort": 500, "toPort": 500, "protocol": "udp", "state": "open", "cidrs": ["0.0.0.0/0"],
                            "ipv6Cidrs": [], "cidrListAliases": [], "accessType": "public"}]
    assert lightsail_admin.instances(region="eu-west-1") == [eu]


def test_unknown_blueprint_is_refused(lightsail_admin):
    with pytest.raises(AdminError) as excinfo:
        lightsail_admin.seed_instance("web-1", blueprint="beos")
    assert excinfo.value.status == 400


def test_rules_of_unknown_instance(lightsail_admin):
    with pytest.raises(AdminError) as excinfo:
        lightsail_admin.rules("ghost")
    assert excinfo.value.status == 404


def test_set_rules_bypasses_the_call_log(lightsail_admin, lightsail_client):
    lightsail_admin.seed_instance("web-1")
    lightsail_admin.set_rules("web-1", [PORT_443])
    assert lightsail_admin.calls() == []
    assert lightsail_client.get_instance_port_states(instanceName="web-1")["portStates"] == [dict(PORT_443, state="open")]


def test_call_log(lightsail_admin, lightsail_client):
    lightsail_admin.seed_instance("web-1")
    lightsail_client.get_instance_port_states(instanceName="web-1")
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=PORT_443)
    calls = lightsail_admin.calls()
    assert [c["seq"] for c in calls] == [1, 2]
    assert calls[1]["params"] == {"instanceName": "web-1", "portInfo": PORT_443}
    assert (calls[1]["region"], calls[1]["result"], calls[1]["status"]) == ("us-east-1", "ok", 200)
    assert lightsail_admin.calls("GetInstancePortStates") == [calls[0]]
    assert lightsail_admin.write_calls() == [calls[1]]
    lightsail_admin.clear_calls()
    assert lightsail_admin.calls() == []


def test_reset(lightsail_service, lightsail_admin, lightsail_client):
    lightsail_admin.seed_instance("web-1")
    lightsail_admin.set_behaviour(open_existing="replace")
    lightsail_admin.throttle(5)
    lightsail_admin.latency(1)
    lightsail_admin.reset()
    assert lightsail_admin.instances() == [] and lightsail_admin.calls() == []
    assert lightsail_admin.faults() == {"latency": 0.0, "queue": []}
    assert lightsail_service.behaviour.open_existing == "merge"
    assert lightsail_client.get_instances()["instances"] == []


def test_unknown_admin_route(lightsail_admin):
    with pytest.raises(AdminError) as excinfo:
        lightsail_admin._call("POST", "launch")  # pylint: disable=protected-access
    assert excinfo.value.status == 404


def test_concurrent_writes_are_all_applied(lightsail_service, lightsail_admin):
    lightsail_admin.seed_instance("web-1", ports=[])

    def open_ports(base):
        client = lightsail_service.client()
        for port in range(base, base + 5):
            client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_443, fromPort=port, toPort=port))

    threads = [threading.Thread(target=open_ports, args=(base,)) for base in (1000, 2000, 3000, 4000)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(lightsail_admin.rules("web-1")) == 20
    assert [c["seq"] for c in lightsail_admin.calls()] == list(range(1, 21))


def test_env_fixture(lightsail_env, lightsail_service):
    assert lightsail_env["AWS_URL"] == lightsail_service.url
    assert lightsail_env["AWS_REGION"] == "us-east-1"
    assert lightsail_env["AWS_ACCESS_KEY_ID"] == DEFAULT_CREDENTIALS.access_key
    assert lightsail_env["AWS_SECRET_ACCESS_KEY"] == DEFAULT_CREDENTIALS.secret_key
    assert "AWS_PROFILE" not in lightsail_env and "AWS_SESSION_TOKEN" not in lightsail_env


def test_env_carries_a_configured_session_token():
    with LightsailService(session_token="tok-1") as service:
        assert service.env()["AWS_SESSION_TOKEN"] == "tok-1"


def test_fixtures_isolate_tests_first(lightsail_admin):
    lightsail_admin.seed_instance("leftover")


def test_fixtures_isolate_tests_second(lightsail_admin):
    assert lightsail_admin.instances() == []
