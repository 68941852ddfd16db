"""Injected throttling, server errors, latency and dropped connections, seen through boto3 with retries off."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError, ConnectionClosedError

PORT_443 = {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": [], "cidrListAliases": []}


@pytest.fixture
def web(lightsail_service, lightsail_admin):
    lightsail_service.seed_instance("web-1")
    return lightsail_admin


def code_of(call) -> tuple[str, int]:
    with pytest.raises(ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def test_throttle_n_then_success(web, lightsail_client):
    web.throttle(2)

    def get():
        return lightsail_client.get_instance(instanceName="web-1")

    assert code_of(get) == ("ThrottlingException", 400)
    assert code_of(get) == ("ThrottlingException", 400)
    assert get()["instance"]["name"] == "web-1"
    assert [(c["result"], c["fault"]) for c in web.calls()] == [("ThrottlingException", "throttle")] * 2 + [("ok", None)]


def test_throttle_message(web, lightsail_client):
    web.throttle(1)
    with pytest.raises(ClientError) as excinfo:
        lightsail_client.get_instances()
    assert excinfo.value.response["Error"]["Message"] == "Rate exceeded"


def test_fault_filtered_by_operation(web, lightsail_client):
    web.throttle(1, operation="OpenInstancePublicPorts")
    lightsail_client.get_instance_port_states(instanceName="web-1")
    assert code_of(lambda: lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=PORT_443))[0] == "ThrottlingException"
    lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=PORT_443)
    assert web.faults()["queue"] == []


def test_faults_are_consumed_in_order(web, lightsail_client):
    web.server_error(1)
    web.throttle(1)
    get = lightsail_client.get_instances
    assert code_of(get) == ("ServiceException", 500)
    assert code_of(get) == ("ThrottlingException", 400)
    get()


def test_server_error_is_a_500_service_exception(web, lightsail_client):
    web.server_error(1, operation="GetInstance")
    with pytest.raises(lightsail_client.exceptions.ServiceException) as excinfo:
        lightsail_client.get_instance(instanceName="web-1")
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500


def test_throttled_write_is_not_applied(web, lightsail_client):
    before = web.rules("web-1")
    web.throttle(1)
    code_of(lambda: lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=PORT_443))
    assert web.rules("web-1") == before


def test_latency(web, lightsail_client):
    web.latency(0.3)
    started = time.perf_counter()
    lightsail_client.get_instance(instanceName="web-1")
    assert time.perf_counter() - started >= 0.3
    web.clear_faults()
    assert web.faults()["latency"] == 0.0


def test_drop_raises_a_connection_error_and_changes_nothing(web, lightsail_client):
    before = web.rules("web-1")
    web.drop(1)
    with pytest.raises(ConnectionClosedError):
        lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=PORT_443)
    assert web.rules("web-1") == before
    [call] = web.write_calls()
    assert (call["result"], call["fault"]) == ("dropped", "drop")
    lightsail_client.get_instance(instanceName="web-1")  # the next call gets through


def test_drop_after_apply_applies_the_write(web, lightsail_client):
    web.drop_after_apply(1, operation="OpenInstancePublicPorts")
    with pytest.raises(ConnectionClosedError):
        lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=PORT_443)
    assert (("tcp", 443, 443)) in [(r["protocol"], r["fromPort"], r["toPort"]) for r in web.rules("web-1")]
    [call] = web.write_calls()
    assert (call["result"], call["fault"]) == ("ok", "drop_after_apply")


def test_server_error_after_apply_applies_the_write(web, lightsail_client):
    web.server_error_after_apply(1, operation="OpenInstancePublicPorts")
    with pytest.raises(ClientError) as caught:
        lightsail_client.open_instance_public_ports(instanceName="web-1", portInfo=PORT_443)
    assert caught.value.response["Error"]["Code"] == "ServiceException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert (("tcp", 443, 443)) in [(r["protocol"], r["fromPort"], r["toPort"]) for r in web.rules("web-1")]
    [call] = web.write_calls()
    assert (call["result"], call["fault"]) == ("ServiceException", "server_error_after_apply")


def test_boto3_retries_recover_from_throttling(lightsail_service, web):
    web.throttle(1)
    client = lightsail_service.client(max_attempts=3)
    assert client.get_instance(instanceName="web-1")["instance"]["name"] == "web-1"
    assert len(web.calls()) == 2


def test_unknown_fault_kind_is_refused(lightsail_service):
    with pytest.raises(ValueError):
        lightsail_service.faults.add("explode")
