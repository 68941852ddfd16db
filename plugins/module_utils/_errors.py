# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Errors in one place: the exception our API calls raise, AWS's error codes, and what a failure means.

Failures are classified from the exception's ``response`` dict (AWS's error code, the HTTP status) and,
for a connection that failed or an answer that was lost, from botocore's exception classes looked up in
``sys.modules``: an exception of botocore's exists only once botocore is imported, so this file never
imports it, and the inventory, the filters and the unit tests stay light.
"""

import sys

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError


class AnsibleLightsailError(AnsibleAWSError):
    """A Lightsail call that failed (after retries); ``exception`` is botocore's, ``message`` says which call."""


# Lightsail names throttling and server faults differently from EC2, whose codes AWSRetry knows: retried on top of botocore.
RETRYABLE_ERROR_CODES = ("ThrottlingException", "ServiceException", "ServiceUnavailableException")

# Throttling codes of AWS services (Lightsail answers ThrottlingException); botocore's retry modes use the same list.
THROTTLING_ERROR_CODES = ("ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled",
                          "RequestThrottledException", "SlowDown", "ServiceUnavailableException", "ServiceException")

# Codes with which Lightsail may refuse to close a rule that is not open (any more). AWS documents neither the
# case nor the code; the test service answers InvalidInputException when told to (close_missing=error).
CLOSE_REFUSED_CODES = ("InvalidInputException", "OperationFailureException", "NotFoundException")

# "These credentials may not do this here" (an IAM policy or an SCP) ...
PERMISSION_ERROR_CODES = ("AccessDeniedException", "AccessDenied", "UnauthorizedOperation")
# ... and "these credentials are not valid" (wrong, expired, or for a region the account has not enabled).
CREDENTIAL_ERROR_CODES = (
    "UnauthenticatedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "IncompleteSignatureException",
    "MissingAuthenticationTokenException",
    "ExpiredTokenException",
    "ExpiredToken",
    "AuthFailure",
)
CREDENTIAL_HINT = (
    "authentication failed: AWS did not accept the credentials. Check the access key, the secret key and, for temporary "
    "credentials, the session token (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or the access_key, "
    "secret_key and session_token options)"
)

# What a permanent failure needs before a rerun can succeed, by AWS error code.
PERMANENT_ERROR_HINTS = {
    "AccessDeniedException": "the credentials are not allowed to make this call (IAM action lightsail:%(api_call)s)",
    "NotFoundException": "Lightsail does not find the instance (any more) in this region",
    "InvalidInputException": "Lightsail refused the request as invalid",
    "OperationFailureException": "Lightsail refused the change in the instance's current state (for example while it starts or stops); "
                                 "wait until it is running",
}


def error_code(exception):
    """The AWS error code of a botocore ClientError, or None for anything else."""
    response = getattr(exception, "response", None)
    return (response.get("Error") or {}).get("Code") if isinstance(response, dict) else None


def aws_error_message(exception):
    """AWS's message of a ClientError, or the text of any other exception (a lost connection names its endpoint)."""
    response = getattr(exception, "response", None)
    message = (response.get("Error") or {}).get("Message") if isinstance(response, dict) else None
    return message or str(exception)


def http_status(exception):
    """The HTTP status of a ClientError's answer, or 0 when there was no answer (or no ClientError)."""
    response = getattr(exception, "response", None)
    metadata = (response.get("ResponseMetadata") or {}) if isinstance(response, dict) else {}
    return int(metadata.get("HTTPStatusCode") or 0)


def is_credential_error(exception):
    """True when AWS refused the credentials themselves (not the permission to act)."""
    return error_code(exception) in CREDENTIAL_ERROR_CODES


def permanent_error_hint(code, api_call):
    """What a refusal with this AWS error code needs before a rerun can succeed, naming the API call for IAM."""
    return PERMANENT_ERROR_HINTS.get(code, "the error is not transient") % {"api_call": api_call}


def _is_botocore(exception, class_name):
    """isinstance(exception, botocore.exceptions.<class_name>), without importing botocore."""
    exceptions = sys.modules.get("botocore.exceptions")
    cls = getattr(exceptions, class_name, None)
    return cls is not None and isinstance(exception, cls)


def is_lost_answer(exception):
    """The request went out and no answer came (a dropped connection, a read timeout): botocore's HTTPClientError."""
    return _is_botocore(exception, "HTTPClientError")


def is_server_error(exception):
    """Lightsail answered with a 5xx: the request may have been carried out."""
    return http_status(exception) >= 500


def outcome_is_unknown(exception):
    """A lost answer (the request went out, no answer came) or a server error: the write may have been carried out."""
    return is_lost_answer(exception) or is_server_error(exception)


def is_transient(exception):
    """Throttling, server errors and connection failures: worth running again. Refusals (4xx) are not."""
    if exception is None:
        return False
    if outcome_is_unknown(exception) or error_code(exception) in THROTTLING_ERROR_CODES:
        return True
    return _is_botocore(exception, "ConnectionError")
