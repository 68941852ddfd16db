"""Errors in one place: AWS error codes and how a failed call is classified (module_utils/_errors.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionClosedError
from botocore.exceptions import EndpointConnectionError
from botocore.exceptions import ReadTimeoutError

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.seed.lightsail.plugins.module_utils._errors import CREDENTIAL_ERROR_CODES
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._errors import aws_error_message
from ansible_collections.seed.lightsail.plugins.module_utils._errors import error_code
from ansible_collections.seed.lightsail.plugins.module_utils._errors import http_status
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_credential_error
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_lost_answer
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_server_error
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_transient
from ansible_collections.seed.lightsail.plugins.module_utils._errors import outcome_is_unknown
from ansible_collections.seed.lightsail.plugins.module_utils._errors import permanent_error_hint

ENDPOINT = "https://lightsail.us-east-1.amazonaws.com/"


def client_error(code, status=400, message="refused", call="CloseInstancePublicPorts"):
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, call)


class Answered(Exception):
    """Not botocore's: anything with a ``response`` dict in ClientError's shape is classified the same way."""

    def __init__(self, response):
        super().__init__("answered")
        self.response = response


class TestReadingTheAnswer:
    def test_a_client_error(self):
        error = client_error("AccessDeniedException", 400, "not allowed")
        assert (error_code(error), aws_error_message(error), http_status(error)) == ("AccessDeniedException", "not allowed", 400)

    def test_any_exception_with_a_response_dict(self):
        error = Answered({"Error": {"Code": "ServiceException"}, "ResponseMetadata": {"HTTPStatusCode": 503}})
        assert (error_code(error), http_status(error)) == ("ServiceException", 503)
        assert aws_error_message(error) == "answered", "no message from AWS: the exception's text"

    @pytest.mark.parametrize("error", [None, ValueError("boom"), ConnectionClosedError(endpoint_url=ENDPOINT), Answered(None), Answered({})])
    def test_no_answer_no_code(self, error):
        assert error_code(error) is None and http_status(error) == 0

    def test_a_lost_answer_is_described_by_its_text_naming_the_endpoint(self):
        assert ENDPOINT in aws_error_message(ConnectionClosedError(endpoint_url=ENDPOINT))


class TestClassification:
    @pytest.mark.parametrize("error, lost, server, unknown, transient", [
        (client_error("AccessDeniedException"), False, False, False, False),
        (client_error("InvalidInputException"), False, False, False, False),
        (client_error("ThrottlingException"), False, False, False, True),
        (client_error("ServiceException", 500), False, True, True, True),
        (client_error("ServiceUnavailableException", 503), False, True, True, True),
        (ConnectionClosedError(endpoint_url=ENDPOINT), True, False, True, True),
        (ReadTimeoutError(endpoint_url=ENDPOINT), True, False, True, True),
        # Never connected: the request did not go out, so its outcome is known (not applied), and a rerun may work.
        (EndpointConnectionError(endpoint_url=ENDPOINT), False, False, False, True),
        (ValueError("a bug"), False, False, False, False),
    ])
    def test_each_kind_of_failure(self, error, lost, server, unknown, transient):
        assert (is_lost_answer(error), is_server_error(error), outcome_is_unknown(error), is_transient(error)) == (lost, server, unknown, transient)

    def test_no_exception_is_not_transient(self):
        assert not is_transient(None)

    @pytest.mark.parametrize("code", CREDENTIAL_ERROR_CODES)
    def test_credential_errors(self, code):
        assert is_credential_error(client_error(code, 403))

    @pytest.mark.parametrize("code", ["AccessDeniedException", "ThrottlingException", None])
    def test_other_errors_are_not_about_the_credentials(self, code):
        assert not is_credential_error(client_error(code) if code else ValueError("x"))


class TestHints:
    def test_access_denied_names_the_iam_action(self):
        assert "IAM action lightsail:OpenInstancePublicPorts" in permanent_error_hint("AccessDeniedException", "OpenInstancePublicPorts")

    def test_an_unknown_code(self):
        assert permanent_error_hint("SomethingNew", "PutInstancePublicPorts") == "the error is not transient"
        assert permanent_error_hint(None, "PutInstancePublicPorts") == "the error is not transient"


def test_the_exception_keeps_amazon_aws_formatting():
    cause = client_error("NotFoundException")
    error = AnsibleLightsailError(message="Failed to get instance", exception=cause)
    assert isinstance(error, AnsibleAWSError) and error.exception is cause and error.message == "Failed to get instance"
    assert str(error).startswith("Failed to get instance: An error occurred (NotFoundException)")


def test_importing_it_imports_no_botocore():
    """The inventory and the filters import it: it must not pay for botocore."""
    probe = ("import json, sys\n"
             "import ansible_collections.seed.lightsail.plugins.module_utils._errors as errors\n"
             "lost = errors.is_lost_answer(OSError('x')), errors.is_transient(OSError('x'))\n"
             "print(json.dumps([sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'boto3')), lost]))\n")
    root = os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep)[0]  # the tree conftest.py builds, amazon.aws linked in
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    output = subprocess.run([sys.executable, "-c", probe], env=env, check=True, capture_output=True, text=True).stdout
    assert json.loads(output) == [[], [False, False]]
