"""Lightsail API errors and request validation against the botocore service model."""

from __future__ import annotations

import functools
import json
import re

import botocore.session

TARGET_PREFIX = "Lightsail_20161128."

# Errors the Lightsail model declares: they carry code, docs, message and tip.
MODELLED_ERRORS = {
    "AccessDeniedException": "AccessDenied",
    "AccountSetupInProgressException": "AccountSetupInProgress",
    "InvalidInputException": "InvalidInput",
    "NotFoundException": "DoesNotExist",
    "OperationFailureException": "OperationFailure",
    "RegionSetupInProgressException": "RegionSetupInProgress",
    "ServiceException": "InternalFailure",
    "UnauthenticatedException": "Unauthenticated",
}
DOCS_URL = "https://docs.aws.amazon.com/lightsail/latest/userguide/"
TIP = "Check the request parameters and try again."

# Lightsail accepts protocol names in any case (the CLI reference uses TCP).
CASE_INSENSITIVE_ENUMS = frozenset(("NetworkProtocol",))


class ApiError(Exception):
    """An error answered the way AWS answers it (JSON 1.1 protocol)."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict:
        """The JSON error document botocore parses (BaseJSONParser._do_error_parse)."""
        doc = {"__type": self.code, "message": self.message}
        if self.code in MODELLED_ERRORS:
            doc.update(code=MODELLED_ERRORS[self.code], docs=DOCS_URL, tip=TIP)
        return doc


def invalid_input(message: str) -> ApiError:
    return ApiError("InvalidInputException", message)


def not_found(kind: str, name: str) -> ApiError:
    return ApiError("NotFoundException", "The %s does not exist: %s" % (kind, name))


@functools.lru_cache(maxsize=1)
def service_model():
    """The lightsail 2016-11-28 model shipped with the installed botocore."""
    return botocore.session.get_session().get_service_model("lightsail")


def operation_model(target: str | None):
    """Resolve an X-Amz-Target header to an operation model, or raise UnknownOperationException."""
    if target and target.startswith(TARGET_PREFIX):
        name = target[len(TARGET_PREFIX):]
        if name in service_model().operation_names:
            return service_model().operation_model(name)
    raise ApiError("UnknownOperationException", "Unknown operation %s" % (target or ""))


def operation_name(target: str | None) -> str | None:
    """The operation a target header names, known or not (for the call log)."""
    if target and target.startswith(TARGET_PREFIX):
        return target[len(TARGET_PREFIX):]
    return target


def parse_body(body: bytes) -> dict:
    """Decode a request body; an empty body is an empty structure."""
    if not body.strip():
        return {}
    try:
        params = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError("SerializationException", "Unable to parse the request body as JSON") from exc
    if not isinstance(params, dict):
        raise ApiError("SerializationException", "Start of structure or map found where not expected.")
    return params


def validate(operation, params: dict) -> None:
    """Check params against the operation's input shape; raise the error AWS would answer."""
    problems: list[str] = []
    _check(operation.input_shape, params, "", problems)
    if problems:
        noun = "error" if len(problems) == 1 else "errors"
        raise invalid_input("%d validation %s detected: %s" % (len(problems), noun, "; ".join(problems)))


# JSON types each model type accepts; bool is excluded from numbers explicitly.
_JSON_TYPES = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "boolean": (bool,),
    "float": (int, float),
    "double": (int, float),
    "timestamp": (int, float, str),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}


def _check(shape, value, path: str, problems: list[str]) -> None:
    if value is None:
        return
    accepted = _JSON_TYPES.get(shape.type_name, (object,))
    is_bool_as_number = isinstance(value, bool) and bool not in accepted
    if not isinstance(value, accepted) or is_bool_as_number:
        raise ApiError(
            "SerializationException",
            "Unexpected JSON type %s for member %s (expected %s)" % (type(value).__name__, path or "<body>", shape.type_name),
        )
    checker = _CHECKERS.get(shape.type_name)
    if checker:
        checker(shape, value, path, problems)


def _check_structure(shape, value: dict, path: str, problems: list[str]) -> None:
    for name in shape.required_members:
        if value.get(name) is None:
            problems.append(_problem("null", _join(path, name), "Member must not be null"))
    for name, member_value in value.items():
        if name not in shape.members:
            problems.append(_problem(member_value, _join(path, name), "Member is not a known member of %s" % shape.name))
            continue
        _check(shape.members[name], member_value, _join(path, name), problems)


def _check_list(shape, value: list, path: str, problems: list[str]) -> None:
    _check_length(shape, len(value), value, path, problems)
    for index, item in enumerate(value, start=1):
        _check(shape.member, item, "%s.%d.member" % (path, index), problems)


def _check_string(shape, value: str, path: str, problems: list[str]) -> None:
    enum = shape.enum
    if enum:
        candidates = [e.lower() for e in enum] if shape.name in CASE_INSENSITIVE_ENUMS else enum
        probe = value.lower() if shape.name in CASE_INSENSITIVE_ENUMS else value
        if probe not in candidates:
            problems.append(_problem(value, path, "Member must satisfy enum value set: [%s]" % ", ".join(enum)))
            return
    _check_length(shape, len(value), value, path, problems)
    pattern = shape.metadata.get("pattern")
    if pattern and not re.fullmatch(pattern, value):
        problems.append(_problem(value, path, "Member must satisfy regular expression pattern: %s" % pattern))


def _check_number(shape, value, path: str, problems: list[str]) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and value < low:
        problems.append(_problem(value, path, "Member must have value greater than or equal to %s" % low))
    if high is not None and value > high:
        problems.append(_problem(value, path, "Member must have value less than or equal to %s" % high))


def _check_length(shape, length: int, value, path: str, problems: list[str]) -> None:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and length < low:
        problems.append(_problem(value, path, "Member must have length greater than or equal to %s" % low))
    if high is not None and length > high:
        problems.append(_problem(value, path, "Member must have length less than or equal to %s" % high))


_CHECKERS = {
    "structure": _check_structure,
    "list": _check_list,
    "string": _check_string,
    "integer": _check_number,
    "long": _check_number,
}


def _join(path: str, name: str) -> str:
    return "%s.%s" % (path, name) if path else name


def _problem(value, path: str, constraint: str) -> str:
    shown = value if value == "null" else "'%s'" % (value,)
    return "Value %s at '%s' failed to satisfy constraint: %s" % (shown, path, constraint)
