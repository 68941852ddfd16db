"""Tests of the fake Lightsail service itself."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import NamedTuple

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

# The fixtures (lightsail_service, lightsail_admin, lightsail_env, lightsail_client) come from
# lightsail_service.pytest_plugin, registered for every suite by pytest.ini (-p lightsail_service.pytest_plugin).
# Declaring pytest_plugins here as well would break `pytest tests` (pytest refuses it in a non-root conftest).

TARGET = "Lightsail_20161128."


class Reply(NamedTuple):
    status: int
    headers: dict
    body: dict


@pytest.fixture
def raw_post(lightsail_service):
    """Send a hand-made body, SigV4-signed (over signed_body if given) unless sign=False; returns a Reply."""

    def post(body: bytes, operation: str = "GetInstances", sign: bool = True, region: str = "us-east-1", signed_body: bytes | None = None):
        headers = {"X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1"}
        signed = body if signed_body is None else signed_body
        request = AWSRequest(method="POST", url=lightsail_service.url + "/", data=signed, headers=headers)
        if sign:
            creds = lightsail_service.credentials
            SigV4Auth(Credentials(creds.access_key, creds.secret_key), "lightsail", region).add_auth(request)
        prepared = urllib.request.Request(request.url, data=body, headers=dict(request.headers.items()), method="POST")
        try:
            with urllib.request.urlopen(prepared, timeout=10) as response:
                return Reply(response.status, dict(response.headers), json.loads(response.read()))
        except urllib.error.HTTPError as err:
            return Reply(err.code, dict(err.headers), json.loads(err.read()))

    return post
