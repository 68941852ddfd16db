"""TagResource and UntagResource, and tags on GetInstance / GetInstances, with Lightsail's tag limits."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def tags_of(client, name="web-1"):
    return {t["key"]: t["value"] for t in client.get_instance(instanceName=name)["instance"]["tags"]}


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_tag_adds_and_overwrites_and_reads_back(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1", tags={"env": "prod"})
    answer = lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "owner", "value": "ops team"}, {"key": "env", "value": "test"}])
    assert answer["operations"][0]["status"] == "Succeeded"
    assert tags_of(lightsail_client) == {"env": "test", "owner": "ops team"}
    listed = lightsail_client.get_instances()["instances"][0]["tags"]
    assert {t["key"]: t["value"] for t in listed} == {"env": "test", "owner": "ops team"}


def test_untag_removes_named_keys_and_ignores_unknown_ones(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1", tags={"a": "1", "b": "2", "c": "3"})
    lightsail_client.untag_resource(resourceName="web-1", tagKeys=["a", "c", "not-there"])
    assert tags_of(lightsail_client) == {"b": "2"}


def test_tag_value_may_be_empty_or_omitted(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1")
    lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "flag"}, {"key": "empty", "value": ""}])
    assert tags_of(lightsail_client) == {"flag": "", "empty": ""}


def test_allowed_characters_pass(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1")
    value = "v1 2026-11-29T01:30:00Z tcp:22:22@198.51.100.7/32+2001:db8::7/128 = _ é"
    lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "seed.lightsail/grant/deploy-1", "value": value}])
    assert tags_of(lightsail_client)["seed.lightsail/grant/deploy-1"] == value


@pytest.mark.parametrize("tag, fragment", [
    ({"key": "k" * 129, "value": "v"}, "at most 128"),
    ({"key": "k", "value": "v" * 257}, "at most 256"),
    ({"key": "a,b", "value": "v"}, "','"),
    ({"key": "k", "value": "deploy, ticket 7"}, "','"),
    ({"key": "k", "value": "[x]"}, "'['"),
    ({"key": "k", "value": 'say "hi"'}, "'\"'"),
    ({"key": "aws:name", "value": "v"}, "reserved"),
    ({"key": "AWS:name", "value": "v"}, "reserved"),
    ({"key": "", "value": "v"}, "must not be empty"),
])
def test_tag_limits_are_enforced(lightsail_service, lightsail_client, tag, fragment):
    lightsail_service.seed_instance("web-1", tags={"env": "prod"})
    with pytest.raises(ClientError) as excinfo:
        lightsail_client.tag_resource(resourceName="web-1", tags=[tag])
    assert error_code(excinfo) == "InvalidInputException"
    assert fragment in str(excinfo.value)
    assert tags_of(lightsail_client) == {"env": "prod"}, "a refused request changes nothing"


def test_at_most_fifty_tags(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1", tags={"t%02d" % n: "x" for n in range(49)})
    lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "t49", "value": "x"}])
    lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "t00", "value": "overwritten"}])
    with pytest.raises(ClientError) as excinfo:
        lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "t50", "value": "x"}])
    assert error_code(excinfo) == "InvalidInputException"
    assert len(tags_of(lightsail_client)) == 50


def test_duplicate_keys_in_one_request_are_refused(lightsail_service, lightsail_client):
    lightsail_service.seed_instance("web-1")
    with pytest.raises(ClientError) as excinfo:
        lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "k", "value": "1"}, {"key": "k", "value": "2"}])
    assert "duplicate" in str(excinfo.value)


def test_unknown_resource_is_not_found(lightsail_service, lightsail_client):
    for call in (lambda: lightsail_client.tag_resource(resourceName="nope", tags=[{"key": "k", "value": "v"}]),
                 lambda: lightsail_client.untag_resource(resourceName="nope", tagKeys=["k"])):
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_code(excinfo) == "NotFoundException"


def test_arn_must_be_the_instances(lightsail_service, lightsail_client):
    instance = lightsail_service.seed_instance("web-1")
    lightsail_client.tag_resource(resourceName="web-1", resourceArn=instance.arn, tags=[{"key": "k", "value": "v"}])
    other = instance.arn[:-4] + "0000"
    with pytest.raises(ClientError) as excinfo:
        lightsail_client.tag_resource(resourceName="web-1", resourceArn=other, tags=[{"key": "k", "value": "w"}])
    assert error_code(excinfo) == "InvalidInputException"
    assert tags_of(lightsail_client) == {"k": "v"}


def test_requests_are_checked_against_the_model(lightsail_service):
    lightsail_service.seed_instance("web-1")
    client = lightsail_service.client(validate=False)
    with pytest.raises(ClientError) as excinfo:
        client.tag_resource(resourceName="web-1")
    assert "Member must not be null" in str(excinfo.value)
    with pytest.raises(ClientError) as excinfo:
        client.untag_resource(resourceName="-bad name-", tagKeys=["k"])
    assert "regular expression" in str(excinfo.value)


def test_tag_calls_are_logged(lightsail_service, lightsail_client, lightsail_admin):
    lightsail_service.seed_instance("web-1")
    lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": "k", "value": "v"}])
    lightsail_client.untag_resource(resourceName="web-1", tagKeys=["k"])
    assert [c["operation"] for c in lightsail_admin.calls()] == ["TagResource", "UntagResource"]
