"""SigV4 checks: who may call, and how refusals look."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lightsail_service import DEFAULT_CREDENTIALS, LightsailService

TOKEN = "seed-session-token-0001"


def refusal(call) -> tuple[str, int, str]:
    with pytest.raises(ClientError) as excinfo:
        call()
    response = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Message"]


@pytest.fixture
def token_service():
    with LightsailService(session_token=TOKEN) as service:
        service.seed_instance("web-1")
        yield service


def test_default_credentials_are_accepted(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1")
    assert lightsail_client.get_instance(instanceName="web-1")["instance"]["name"] == "web-1"
    assert lightsail_service.credentials.access_key == DEFAULT_CREDENTIALS.access_key


def test_wrong_secret_is_an_invalid_signature(lightsail_service):
    client = lightsail_service.client(aws_secret_access_key="not-the-secret")
    code, status, message = refusal(client.get_instances)
    assert (code, status) == ("InvalidSignatureException", 403)
    assert message.startswith("The request signature we calculated does not match")


def test_unknown_access_key(lightsail_service):
    client = lightsail_service.client(aws_access_key_id="AKIAUNKNOWNKEY000000")
    assert refusal(client.get_instances) == ("UnrecognizedClientException", 403, "The security token included in the request is invalid.")


def test_session_token_required_when_configured(token_service):
    client = token_service.client(aws_session_token=None)
    assert refusal(client.get_instances)[:2] == ("UnrecognizedClientException", 403)


def test_wrong_session_token(token_service):
    client = token_service.client(aws_session_token="some-other-token")
    assert refusal(client.get_instances)[:2] == ("UnrecognizedClientException", 403)


def test_right_session_token(token_service):
    assert token_service.client().get_instance(instanceName="web-1")["instance"]["name"] == "web-1"


def test_session_token_sent_when_none_configured(lightsail_service):
    client = lightsail_service.client(aws_session_token=TOKEN)
    assert refusal(client.get_instances)[:2] == ("UnrecognizedClientException", 403)


def test_unsigned_request(raw_post, lightsail_admin):
    reply = raw_post(b"{}", operation="GetInstances", sign=False)
    assert (reply.status, reply.body["__type"]) == (400, "MissingAuthenticationTokenException")
    [call] = lightsail_admin.calls()
    assert (call["operation"], call["result"]) == ("GetInstances", "MissingAuthenticationTokenException")


def test_auth_failures_are_logged_without_secrets(lightsail_service, lightsail_admin):
    refusal(lightsail_service.client(aws_secret_access_key="wrong").get_instances)
    refusal(lightsail_service.client(aws_access_key_id="AKIAUNKNOWNKEY000000").get_instances)
    calls = lightsail_admin.calls()
    assert [c["result"] for c in calls] == ["InvalidSignatureException", "UnrecognizedClientException"]
    assert [c["operation"] for c in calls] == ["GetInstances", "GetInstances"]
    dump = json.dumps(calls) + json.dumps(lightsail_admin.instances()) + repr(lightsail_service)
    assert DEFAULT_CREDENTIALS.secret_key not in dump


def test_region_comes_from_the_credential_scope(lightsail_service):
    lightsail_service.seed_instance("eu-1", region="eu-west-1")
    eu_client = lightsail_service.client(region="eu-west-1")
    us_client = lightsail_service.client(region="us-east-1")
    assert eu_client.get_instance(instanceName="eu-1")["instance"]["location"]["regionName"] == "eu-west-1"
    with pytest.raises(us_client.exceptions.NotFoundException):
        us_client.get_instance(instanceName="eu-1")
    assert [c["region"] for c in lightsail_service.calls.list()] == ["eu-west-1", "us-east-1"]


def test_tampered_body_fails_the_signature(raw_post):
    reply = raw_post(b'{"pageToken": "x"}', signed_body=b"{}")
    assert (reply.status, reply.body["__type"]) == (403, "InvalidSignatureException")
    assert raw_post(b"{}")[0] == 200
