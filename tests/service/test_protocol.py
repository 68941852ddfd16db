"""Requests the model rejects, and errors shaped the way AWS answers them."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lightsail_service.model import service_model

PORT_80 = {"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrs": ["192.0.2.0/24"], "ipv6Cidrs": [], "cidrListAliases": []}


@pytest.fixture
def loose_client(lightsail_service):
    """A client that skips botocore's own parameter checks, so the service sees bad input."""
    lightsail_service.seed_instance("web-1")
    return lightsail_service.client(validate=False)


def error_of(excinfo) -> tuple[str, int, str]:
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


def test_missing_required_member(loose_client):
    with pytest.raises(ClientError) as excinfo:
        loose_client.get_instance_port_states()
    code, status, message = error_of(excinfo)
    assert (code, status) == ("InvalidInputException", 400)
    assert "'instanceName' failed to satisfy constraint: Member must not be null" in message


def test_wrong_json_type_is_a_serialization_error(loose_client):
    with pytest.raises(ClientError) as excinfo:
        loose_client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_80, fromPort="80"))
    assert error_of(excinfo)[:2] == ("SerializationException", 400)


def test_boolean_is_not_an_integer(loose_client):
    with pytest.raises(ClientError) as excinfo:
        loose_client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_80, fromPort=True))
    assert error_of(excinfo)[0] == "SerializationException"


def test_enum_violation(loose_client):
    with pytest.raises(loose_client.exceptions.InvalidInputException) as excinfo:
        loose_client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_80, protocol="tcpx"))
    assert "Member must satisfy enum value set: [tcp, all, udp, icmp, icmpv6]" in error_of(excinfo)[2]


def test_port_above_model_maximum(loose_client):
    with pytest.raises(loose_client.exceptions.InvalidInputException) as excinfo:
        loose_client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_80, toPort=70000))
    assert "'portInfo.toPort' failed to satisfy constraint: Member must have value less than or equal to 65535" in error_of(excinfo)[2]


def test_port_below_model_minimum(loose_client):
    with pytest.raises(loose_client.exceptions.InvalidInputException):
        loose_client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_80, fromPort=-2))


def test_unknown_member_is_rejected(lightsail_service, raw_post):
    lightsail_service.seed_instance("web-1")
    body = json.dumps({"instanceName": "web-1", "portInfo": dict(PORT_80, cidr=["192.0.2.1/32"])}).encode()
    reply = raw_post(body, operation="OpenInstancePublicPorts")
    assert (reply.status, reply.body["__type"]) == (400, "InvalidInputException")
    assert "portInfo.cidr" in reply.body["message"]


def test_resource_name_pattern(loose_client):
    with pytest.raises(loose_client.exceptions.InvalidInputException):
        loose_client.get_instance(instanceName="bad name!")


def test_several_problems_in_one_message(loose_client):
    with pytest.raises(ClientError) as excinfo:
        loose_client.put_instance_public_ports(portInfos=[dict(PORT_80, protocol="nope", toPort=99999)])
    assert error_of(excinfo)[2].startswith("3 validation errors detected: ")


def test_upper_case_protocol_is_accepted_and_stored_lower_case(loose_client, lightsail_admin):
    loose_client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_80, protocol="TCP", fromPort=8080, toPort=8080))
    assert {"protocol": "tcp", "fromPort": 8080, "toPort": 8080} in [
        {k: r[k] for k in ("protocol", "fromPort", "toPort")} for r in lightsail_admin.rules("web-1")]


def test_body_that_is_not_json(raw_post, lightsail_admin):
    status, headers, body = raw_post(b"{not json", operation="GetInstances")
    assert status == 400
    assert body["__type"] == "SerializationException"
    assert headers["x-amzn-ErrorType"] == "SerializationException"
    assert lightsail_admin.calls()[-1]["result"] == "SerializationException"
    assert lightsail_admin.calls()[-1]["params"] is None


def test_body_that_is_a_json_list(raw_post):
    reply = raw_post(b"[]", operation="GetInstances")
    assert (reply.status, reply.body["__type"]) == (400, "SerializationException")


def test_unknown_operation(raw_post, lightsail_admin):
    reply = raw_post(b"{}", operation="LaunchRockets")
    assert (reply.status, reply.body["__type"]) == (400, "UnknownOperationException")
    assert lightsail_admin.calls()[-1]["operation"] == "LaunchRockets"


def test_modelled_operation_not_implemented(raw_post):
    reply = raw_post(b"{}", operation="GetBlueprints")
    assert (reply.status, reply.body["__type"]) == (400, "UnknownOperationException")


def test_not_found_is_the_modelled_exception(lightsail_client):
    with pytest.raises(lightsail_client.exceptions.NotFoundException) as excinfo:
        lightsail_client.get_instance(instanceName="ghost")
    response = excinfo.value.response
    assert error_of(excinfo) == ("NotFoundException", 400, "The Instance does not exist: ghost")
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "NotFoundException"
    assert {"code", "docs", "tip", "message"} <= set(response)


@pytest.mark.parametrize("call", [
    lambda c: c.get_instance_port_states(instanceName="ghost"),
    lambda c: c.open_instance_public_ports(instanceName="ghost", portInfo=PORT_80),
    lambda c: c.close_instance_public_ports(instanceName="ghost", portInfo=PORT_80),
    lambda c: c.put_instance_public_ports(instanceName="ghost", portInfos=[PORT_80]),
])
def test_every_operation_answers_not_found(lightsail_client, call):
    with pytest.raises(lightsail_client.exceptions.NotFoundException):
        call(lightsail_client)


def test_rejected_calls_are_logged_and_change_nothing(loose_client, lightsail_admin):
    before = lightsail_admin.rules("web-1")
    with pytest.raises(ClientError):
        loose_client.open_instance_public_ports(instanceName="web-1", portInfo=dict(PORT_80, protocol="tcpx"))
    assert lightsail_admin.rules("web-1") == before
    [call] = lightsail_admin.write_calls()
    assert call["operation"] == "OpenInstancePublicPorts"
    assert call["result"] == "InvalidInputException"
    assert call["status"] == 400
    assert call["params"]["portInfo"]["protocol"] == "tcpx"


def unknown_members(shape, value, path="") -> list[str]:
    """Paths in a raw JSON answer that the output shape does not declare."""
    if shape.type_name == "structure":
        found = ["%s.%s" % (path, k) for k in value if k not in shape.members]
        for key, member in value.items():
            if key in shape.members:
                found += unknown_members(shape.members[key], member, "%s.%s" % (path, key))
        return found
    if shape.type_name == "list":
        return [p for item in value for p in unknown_members(shape.member, item, path + "[]")]
    return []


@pytest.mark.parametrize("operation, params", [
    ("GetInstance", {"instanceName": "web-1", "includeHealthStatus": True}),
    ("GetInstances", {}),
    ("GetInstancePortStates", {"instanceName": "web-1"}),
    ("OpenInstancePublicPorts", {"instanceName": "web-1", "portInfo": PORT_80}),
    ("CloseInstancePublicPorts", {"instanceName": "web-1", "portInfo": PORT_80}),
    ("PutInstancePublicPorts", {"instanceName": "web-1", "portInfos": [PORT_80]}),
])
def test_answers_use_only_modelled_members(lightsail_service, raw_post, operation, params):
    lightsail_service.seed_instance("web-1")
    reply = raw_post(json.dumps(params).encode(), operation=operation)
    assert reply.status == 200
    output_shape = service_model().operation_model(operation).output_shape
    assert unknown_members(output_shape, reply.body) == []
    assert set(reply.body) == set(output_shape.members) - {"nextPageToken"}
