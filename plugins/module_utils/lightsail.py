# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The only code that talks to the Lightsail API: one small function per call.

Each call is retried with amazon.aws's jittered backoff (on top of botocore's own retries)
and turns botocore errors into AnsibleLightsailError, in the manner of amazon.aws's
_autoscaling package.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import as_completed
from functools import lru_cache

try:
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.exceptions import HTTPClientError
except ImportError:
    BotocoreConnectionError = HTTPClientError = None  # modules report the missing botocore themselves

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.seed.lightsail.plugins.module_utils.plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils.plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils.plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils.plan import has_taken_effect
from ansible_collections.seed.lightsail.plugins.module_utils.transformations import firewall_from_port_states
from ansible_collections.seed.lightsail.plugins.module_utils.transformations import to_port_info

# Lightsail names throttling and server faults differently from EC2, whose codes AWSRetry knows.
RETRYABLE_ERROR_CODES = ["ThrottlingException", "ServiceException", "ServiceUnavailableException"]

lightsail_retry = AWSRetry.jittered_backoff(retries=6, delay=1, backoff=2.0, max_delay=20, catch_extra_error_codes=RETRYABLE_ERROR_CODES)


class AnsibleLightsailError(AnsibleAWSError):
    pass


# Codes with which Lightsail may refuse to close a rule that is not open (any more). AWS documents neither the
# case nor the code; the test service answers InvalidInputException when told to (close_missing=error).
CLOSE_REFUSED_CODES = ("InvalidInputException", "OperationFailureException", "NotFoundException")


class PartialWriteError(AnsibleLightsailError):
    """A write failed after retries; says which writes were applied and which were not.

    Attributes for callers (the fleet module reports them per instance):
      applied, failed, pending  the Operations applied before the failed one, the failed one, those not attempted
      error_code, aws_message   AWS's error code and message (None and the exception's text for a lost answer)
      transient                 True for throttling, server errors and lost answers: a later run may succeed
      outcome                   "not applied", or "unknown" when the failed write may have been carried out
      changed                   True when the firewall may differ from before (a write applied or possibly applied)
    """

    def __init__(self, cause, applied, failed, pending, outcome=None):
        self.applied, self.failed, self.pending = applied, failed, pending
        self.error_code = error_code(cause.exception)
        self.aws_message = aws_error_message(cause.exception)
        self.transient = is_transient(cause.exception)
        self.outcome = outcome or (OUTCOME_UNKNOWN if outcome_is_unknown(cause.exception) else OUTCOME_NOT_APPLIED)
        self.changed = bool(applied) or self.outcome == OUTCOME_UNKNOWN
        total = len(applied) + 1 + len(pending)
        parts = ["%s (%s: %s). Write %d of %d (%s) %s" % (
            cause.message, self.error_code or "no AWS error code", self.aws_message, len(applied) + 1, total, describe_operation(failed),
            _describe_outcome(cause.exception, self.outcome))]
        parts.append("applied before it: %s" % (", ".join(describe_operation(op) for op in applied) or "none"))
        parts.append("not attempted: %s" % (", ".join(describe_operation(op) for op in pending) or "none"))
        message = "; ".join(parts) + ". " + _advice(self.error_code, self.transient, failed)
        possibly_closed = list(applied) + ([failed] if self.outcome == OUTCOME_UNKNOWN else [])
        message += "".join(_interrupted_narrowing(possibly_closed, [failed] + list(pending)))
        super(PartialWriteError, self).__init__(message=message, exception=cause.exception)


OUTCOME_NOT_APPLIED, OUTCOME_UNKNOWN, OUTCOME_APPLIED = "not applied", "unknown", "applied"

# Throttling codes of AWS services (Lightsail answers ThrottlingException); botocore's retry modes use the same list.
THROTTLING_ERROR_CODES = ("ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled",
                          "RequestThrottledException", "SlowDown", "ServiceUnavailableException", "ServiceException")

# What a permanent failure needs before a rerun can succeed, by AWS error code.
PERMANENT_ERROR_HINTS = {
    "AccessDeniedException": "the credentials are not allowed to make this call (IAM action lightsail:%(operation)s)",
    "NotFoundException": "Lightsail does not find the instance (any more) in this region",
    "InvalidInputException": "Lightsail refused the request as invalid",
    "OperationFailureException": "Lightsail refused the change in the instance's current state (for example while it starts or stops); "
                                 "wait until it is running",
}


def _describe_outcome(exception, outcome):
    if HTTPClientError is not None and isinstance(exception, HTTPClientError):
        cause = "got no answer"
    elif _http_status(exception) >= 500:
        cause = "failed with a server error"
    else:
        return "was not applied"
    if outcome == OUTCOME_UNKNOWN:
        return "%s and the firewall could not be read again, so it may or may not have been applied" % cause
    return "%s; a fresh read of the firewall shows it was not applied" % cause


def _advice(code, transient, failed):
    if transient:
        return "The failure is transient (throttling, a server error or a lost answer): running the task again re-reads the firewall and " \
               "makes only the writes still needed"
    hint = PERMANENT_ERROR_HINTS.get(code, "the error is not transient") % {"operation": failed.name}
    return "Running the task again fails the same way until the cause is fixed: %s" % hint


def _interrupted_narrowing(applied, not_applied):
    """Warnings for rules whose narrowing (Close the sources to drop, then Open those to keep) stopped half-way.

    ``applied`` includes a failed Close whose outcome is unknown. If Lightsail closes the whole rule on Close, the
    rule may now be closed entirely, and a task with state=absent will not reopen it: it only ever removes sources.
    """
    closed = set(key for op in applied if op.name == CLOSE for key, _sources in op.rules)
    for op in not_applied:
        if op.name != OPEN:
            continue
        for key, sources in op.rules:
            if key in closed:
                kept = sorted(sources.cidrs) + sorted(sources.ipv6_cidrs) + sorted(sources.aliases)
                yield (". %s may now be closed entirely (the Close may have been made, the Open of the sources to keep was not); a task with "
                       "state=absent does not reopen it, so allow %s again with state=present" % (key.describe(), ", ".join(kept)))


def describe_operation(operation):
    """'OpenInstancePublicPorts tcp 22' (a Put names its rule count, which may be 60)."""
    if len(operation.rules) > 3:
        return "%s (%d rules)" % (operation.name, len(operation.rules))
    return "%s %s" % (operation.name, ", ".join(key.describe() for key, _sources in operation.rules) or "(no rules)")


class LightsailErrorHandler(AWSErrorHandler):
    _CUSTOM_EXCEPTION = AnsibleLightsailError

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code("NotFoundException")


@LightsailErrorHandler.list_error_handler("get instance port states", default_value=None)
@lightsail_retry
def get_instance_port_states(client, instance_name):
    """The instance's portStates, or None when the instance does not exist."""
    return client.get_instance_port_states(instanceName=instance_name)["portStates"]


@LightsailErrorHandler.common_error_handler("open instance public ports")
@lightsail_retry
def open_instance_public_ports(client, instance_name, port_info):
    return client.open_instance_public_ports(instanceName=instance_name, portInfo=port_info)["operation"]


@LightsailErrorHandler.common_error_handler("close instance public ports")
@lightsail_retry
def close_instance_public_ports(client, instance_name, port_info):
    return client.close_instance_public_ports(instanceName=instance_name, portInfo=port_info)["operation"]


@LightsailErrorHandler.common_error_handler("put instance public ports")
@lightsail_retry
def put_instance_public_ports(client, instance_name, port_infos):
    return client.put_instance_public_ports(instanceName=instance_name, portInfos=port_infos)["operation"]


@LightsailErrorHandler.common_error_handler("list instances")
@lightsail_retry
def _get_instances_page(client, page_token):
    return client.get_instances(**({"pageToken": page_token} if page_token else {}))


def iter_instances(client):
    """Every instance of the client's region, one GetInstances call per page (each retried alone)."""
    page_token = None
    while True:
        page = _get_instances_page(client, page_token)
        yield from page.get("instances") or ()
        page_token = page.get("nextPageToken")
        if not page_token:
            return


def apply_operation(client, instance_name, operation):
    infos = [to_port_info(key, sources) for key, sources in operation.rules]
    if operation.name == OPEN:
        return open_instance_public_ports(client, instance_name, infos[0])
    if operation.name == CLOSE:
        try:
            return close_instance_public_ports(client, instance_name, infos[0])
        except AnsibleLightsailError as error:
            if error_code(error.exception) in CLOSE_REFUSED_CODES and close_has_taken_effect(client, instance_name, operation):
                return None
            raise
    if operation.name == PUT:
        return put_instance_public_ports(client, instance_name, infos)
    raise ValueError("unknown operation %r" % (operation.name,))


def close_has_taken_effect(client, instance_name, operation):
    """After Lightsail refused a Close: True when a fresh read shows none of its sources still allowed.

    The refusal "this rule is not open" is what a retried Close gets when its first attempt was applied but the
    answer was lost (a dropped connection: botocore sends the call again), or when someone else closed the rule
    in between. Either way the Close wanted exactly what the firewall now is. Any other refusal leaves the
    sources in place, and the original error stands.
    """
    port_states = get_instance_port_states(client, instance_name)
    if port_states is None:
        return False
    return has_taken_effect(firewall_from_port_states(port_states), operation)


def error_code(exception):
    """The AWS error code of a botocore ClientError, or None for anything else."""
    response = getattr(exception, "response", None)
    return (response.get("Error") or {}).get("Code") if isinstance(response, dict) else None


def _http_status(exception):
    response = getattr(exception, "response", None)
    metadata = (response.get("ResponseMetadata") or {}) if isinstance(response, dict) else {}
    return int(metadata.get("HTTPStatusCode") or 0)


def aws_error_message(exception):
    """AWS's message of a ClientError, or the text of any other exception (a lost connection names its endpoint)."""
    response = getattr(exception, "response", None)
    message = (response.get("Error") or {}).get("Message") if isinstance(response, dict) else None
    return message or str(exception)


def outcome_is_unknown(exception):
    """A lost answer (the request went out, no answer came) or a server error: the write may have been carried out."""
    return (HTTPClientError is not None and isinstance(exception, HTTPClientError)) or _http_status(exception) >= 500


def is_transient(exception):
    """Throttling, server errors and connection failures: worth running again. Refusals (4xx) are not."""
    if exception is None:
        return False
    if outcome_is_unknown(exception) or error_code(exception) in THROTTLING_ERROR_CODES:
        return True
    return BotocoreConnectionError is not None and isinstance(exception, BotocoreConnectionError)


def outcome_after_reread(client, instance_name, operation):
    """After a write whose outcome is unknown: read the firewall again and tell whether the write took effect."""
    try:
        port_states = get_instance_port_states(client, instance_name)
    except AnsibleLightsailError:
        return OUTCOME_UNKNOWN
    if port_states is None:
        return OUTCOME_UNKNOWN
    return OUTCOME_APPLIED if has_taken_effect(firewall_from_port_states(port_states), operation) else OUTCOME_NOT_APPLIED


def apply_operations(client, instance_name, operations):
    """Apply writes in order; order matters (Close before Open), so stop at the first failure.

    A write that failed without a known outcome (a lost answer, a server error) counts as made when a fresh read
    shows it in effect; otherwise it fails the run as the others do.
    """
    for index, operation in enumerate(operations):
        try:
            apply_operation(client, instance_name, operation)
        except AnsibleLightsailError as error:
            # A write whose answer was lost may have been made: a fresh read decides, and if it was made, the
            # writes after it (the Open that completes a narrowing) are still needed.
            outcome = outcome_after_reread(client, instance_name, operation) if outcome_is_unknown(error.exception) else None
            if outcome == OUTCOME_APPLIED:
                continue
            raise PartialWriteError(error, operations[:index], operation, operations[index + 1:], outcome)


def apply_operations_concurrently(client, operations_by_instance, max_concurrency):
    """Apply each instance's writes, in order, for at most ``max_concurrency`` instances at a time.

    Returns {instance name: PartialWriteError} for the instances whose writes failed; every other
    instance's writes were all applied. boto3 clients are thread-safe, and each call keeps its own
    retries, so a throttled call backs off without holding up the other instances.
    """
    failures = {}
    if not operations_by_instance:
        return failures
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(operations_by_instance)))) as pool:
        futures = dict((pool.submit(apply_operations, client, name, operations), name) for name, operations in operations_by_instance.items())
        for future in as_completed(futures):
            error = future.exception()
            if isinstance(error, PartialWriteError):
                failures[futures[future]] = error
            elif error is not None:
                raise error
    return failures


@LightsailErrorHandler.list_error_handler("get instance", default_value=None)
@lightsail_retry
def get_instance(client, instance_name):
    """The instance (its rules under networking.ports, its tags, its blueprint), or None when it does not exist."""
    return client.get_instance(instanceName=instance_name)["instance"]


# Fewer instances than this still missing after a listing's first page are read one by one rather than by listing on.
DIRECT_READS_MAX = 10


def read_named_instances(client, names, max_concurrency=10):
    """{name: instance} for the instances named that exist, with the fewest calls a listing or direct reads allow.

    One name is one GetInstance. More names start the GetInstances listing; it stops once every name was seen,
    and when at most DIRECT_READS_MAX names are still missing after a page that has a next one, those are read
    with concurrent GetInstance calls instead of listing the rest of the region.
    """
    wanted = set(names)
    found = {}
    if len(wanted) > 1:
        page_token = None
        while True:
            page = _get_instances_page(client, page_token)
            found.update((i["name"], i) for i in page.get("instances") or () if i.get("name") in wanted)
            page_token = page.get("nextPageToken")
            missing = wanted - set(found)
            if not page_token or not missing:
                return found
            if len(missing) <= DIRECT_READS_MAX:
                wanted = missing
                break
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(wanted)))) as pool:
        for name, instance in zip(sorted(wanted), pool.map(lambda name: get_instance(client, name), sorted(wanted))):
            if instance is not None:
                found[name] = instance
    return found


@lru_cache(maxsize=1)
def lightsail_regions():
    """The Lightsail regions of every partition in the installed botocore's endpoint data, sorted; () without botocore. No network access."""
    try:
        import botocore.session  # pylint: disable=import-outside-toplevel
    except ImportError:
        return ()
    session = botocore.session.Session()
    return tuple(sorted(set(region for partition in session.get_available_partitions()
                            for region in session.get_available_regions("lightsail", partition_name=partition))))


@LightsailErrorHandler.common_error_handler("tag resource")
@lightsail_retry
def tag_resource(client, resource_name, tags):
    """Add or overwrite tags ({key: value}) of a resource; other tags stay."""
    tag_list = [{"key": key, "value": tags[key]} for key in sorted(tags)]
    return client.tag_resource(resourceName=resource_name, tags=tag_list)["operations"]


@LightsailErrorHandler.common_error_handler("untag resource")
@lightsail_retry
def untag_resource(client, resource_name, tag_keys):
    """Remove tags of a resource by key."""
    return client.untag_resource(resourceName=resource_name, tagKeys=sorted(tag_keys))["operations"]


def untag_resources_concurrently(client, tag_keys_by_resource, max_concurrency):
    """Remove tags of several resources, at most ``max_concurrency`` at a time; {resource name: AnsibleLightsailError} for failures."""
    failures = {}
    if not tag_keys_by_resource:
        return failures
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(tag_keys_by_resource)))) as pool:
        futures = dict((pool.submit(untag_resource, client, name, keys), name) for name, keys in tag_keys_by_resource.items())
        for future in as_completed(futures):
            error = future.exception()
            if isinstance(error, AnsibleLightsailError):
                failures[futures[future]] = error
            elif error is not None:
                raise error
    return failures
