"""SigV4 verification of incoming requests, recomputed with botocore's signer."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials as BotoCredentials

from .model import ApiError

SERVICE = "lightsail"
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<signed>[^,\s]+),\s*Signature=(?P<signature>[0-9a-f]+)$"
)
_INVALID_TOKEN = "The security token included in the request is invalid."
_BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)


@dataclass(frozen=True)
class Credentials:
    """The one identity the fake service accepts."""

    access_key: str
    secret_key: str
    session_token: str | None = None

    def __repr__(self) -> str:
        # Never show the secret or the token.
        return "Credentials(access_key=%r)" % self.access_key


# The identity the fake accepts unless told otherwise. Tests scan outputs for this secret.
DEFAULT_CREDENTIALS = Credentials("AKIASEEDTESTKEY00001", "seed-test-secret-DO-NOT-LEAK-0123456789")


@dataclass(frozen=True)
class SignedRequest:
    """What the verifier needs from an HTTP request."""

    method: str
    path: str
    headers: dict[str, str] = field(repr=False)  # lower-cased names; may hold a session token
    body: bytes = field(repr=False)


class _Recomputer(SigV4Auth):
    """SigV4Auth that signs exactly the headers the client said it signed."""

    def __init__(self, credentials, region: str, signed: list[str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self._signed = signed

    def headers_to_sign(self, request):
        header_map = HTTPHeaders()
        for name in self._signed:
            header_map[name] = request.headers.get(name, "")
        return header_map


def verify(request: SignedRequest, expected: Credentials) -> str:
    """Check the request's signature; return the region of its credential scope."""
    header = request.headers.get("authorization")
    if not header:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 400)
    match = _AUTH_RE.match(header.strip())
    if not match:
        raise ApiError("IncompleteSignatureException", "Authorization header is not a valid AWS4-HMAC-SHA256 signature.", 400)
    scope = match.group("credential").split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise ApiError("IncompleteSignatureException", "Credential should be scoped to a valid region and service.", 400)
    access_key, day, region, service = scope[:4]
    if not hmac.compare_digest(access_key, expected.access_key):
        raise ApiError("UnrecognizedClientException", _INVALID_TOKEN, 403)
    if not _token_matches(request.headers.get("x-amz-security-token"), expected.session_token):
        raise ApiError("UnrecognizedClientException", _INVALID_TOKEN, 403)
    if service != SERVICE:
        raise ApiError("InvalidSignatureException", "Credential should be scoped to correct service: '%s'." % SERVICE, 403)
    amz_date = request.headers.get("x-amz-date", "")
    if not amz_date.startswith(day):
        raise ApiError("InvalidSignatureException", "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.", 403)
    signed = match.group("signed").split(";")
    if "host" not in signed:
        raise ApiError("InvalidSignatureException", "'Host' must be a 'SignedHeader' in the AWS Authorization.", 403)
    if not hmac.compare_digest(_signature(request, expected, region, signed, amz_date), match.group("signature")):
        raise ApiError("InvalidSignatureException", _BAD_SIGNATURE, 403)
    return region


def _token_matches(sent: str | None, configured: str | None) -> bool:
    if configured is None:
        return sent is None
    return sent is not None and hmac.compare_digest(sent, configured)


def _signature(request: SignedRequest, expected: Credentials, region: str, signed: list[str], amz_date: str) -> str:
    host = request.headers.get("host", "localhost")
    aws_request = AWSRequest(
        method=request.method,
        url="http://%s%s" % (host, request.path),
        headers={name: request.headers.get(name, "") for name in signed},
        data=request.body,
    )
    aws_request.context["timestamp"] = amz_date
    signer = _Recomputer(BotoCredentials(expected.access_key, expected.secret_key, expected.session_token), region, signed)
    canonical = signer.canonical_request(aws_request)
    return signer.signature(signer.string_to_sign(aws_request, canonical), aws_request)
