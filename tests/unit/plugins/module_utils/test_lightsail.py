"""The adapter's firewall calls, against a fake boto3 client (module_utils/_lightsail.py)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import FirewallApi

INFO = {"fromPort": 22, "toPort": 22, "protocol": "tcp", "cidrs": ["203.0.113.0/24"], "ipv6Cidrs": [], "cidrListAliases": []}
PORT_STATES = [dict(INFO, state="open")]


class FakeClient:
    """boto3's Lightsail client as far as FirewallApi uses it: records each call and its keyword arguments."""

    def __init__(self, error=None):
        self.calls, self.error = [], error

    def _answer(self, call, kwargs, answer):
        self.calls.append((call, kwargs))
        if self.error is not None:
            raise self.error
        return answer

    def get_instance_port_states(self, **kwargs):
        return self._answer("get_instance_port_states", kwargs, {"portStates": PORT_STATES})

    def open_instance_public_ports(self, **kwargs):
        return self._answer("open_instance_public_ports", kwargs, {"operation": {"status": "Succeeded", "operationType": "OpenInstancePublicPorts"}})

    def close_instance_public_ports(self, **kwargs):
        return self._answer("close_instance_public_ports", kwargs, {"operation": {"status": "Succeeded", "operationType": "CloseInstancePublicPorts"}})

    def put_instance_public_ports(self, **kwargs):
        return self._answer("put_instance_public_ports", kwargs, {"operation": {"status": "Succeeded", "operationType": "PutInstancePublicPorts"}})


def client_error(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": "no"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Call")


def test_each_method_is_its_call_with_boto3s_names():
    client = FakeClient()
    api = FirewallApi(client)
    assert api.read("web-1") == PORT_STATES
    assert api.open("web-1", INFO)["operationType"] == "OpenInstancePublicPorts"
    assert api.close("web-1", INFO)["operationType"] == "CloseInstancePublicPorts"
    assert api.put("web-1", [INFO])["operationType"] == "PutInstancePublicPorts"
    assert client.calls == [
        ("get_instance_port_states", {"instanceName": "web-1"}),
        ("open_instance_public_ports", {"instanceName": "web-1", "portInfo": INFO}),
        ("close_instance_public_ports", {"instanceName": "web-1", "portInfo": INFO}),
        ("put_instance_public_ports", {"instanceName": "web-1", "portInfos": [INFO]}),
    ]


def test_reading_an_instance_that_does_not_exist_is_none():
    assert FirewallApi(FakeClient(client_error("NotFoundException"))).read("gone") is None


@pytest.mark.parametrize("method, args", [("open", (INFO,)), ("close", (INFO,)), ("put", ([INFO],)), ("read", ())])
def test_a_refusal_becomes_our_error_keeping_botocores(method, args):
    denied = client_error("AccessDeniedException")
    with pytest.raises(AnsibleLightsailError) as caught:
        getattr(FirewallApi(FakeClient(denied)), method)("web-1", *args)
    assert caught.value.exception is denied
