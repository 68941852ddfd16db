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

try:
    from botocore.exceptions import HTTPClientError
except ImportError:
    HTTPClientError = None  # modules report the missing botocore themselves

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.seed.lightsail.plugins.module_utils.plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils.plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils.plan import PUT
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
    """A write failed after retries; says which writes were applied and which were not."""

    def __init__(self, cause, applied, failed, pending):
        total = len(applied) + 1 + len(pending)
        if HTTPClientError is not None and isinstance(cause.exception, HTTPClientError):
            outcome = "got no answer, so it may or may not have been applied"
        elif _http_status(cause.exception) >= 500:
            outcome = "failed with a server error, so it may or may not have been applied"
        else:
            outcome = "was not applied"
        parts = ["%s. Write %d of %d (%s) %s" % (cause.message, len(applied) + 1, total, describe_operation(failed), outcome)]
        parts.append("applied before it: %s" % (", ".join(describe_operation(op) for op in applied) or "none"))
        parts.append("not attempted: %s" % (", ".join(describe_operation(op) for op in pending) or "none"))
        message = "; ".join(parts) + ". Running the task again re-reads the firewall and makes only the writes still needed"
        message += "".join(_interrupted_narrowing(applied, [failed] + list(pending)))
        super(PartialWriteError, self).__init__(message=message, exception=cause.exception)
        self.applied, self.failed, self.pending = applied, failed, pending


def _interrupted_narrowing(applied, not_applied):
    """Warnings for rules whose narrowing (Close the sources to drop, then Open those to keep) stopped half-way.

    If Lightsail closes the whole rule on Close, the rule is now closed entirely, and a task with state=absent
    will not reopen it: it only ever removes sources.
    """
    closed = set(key for op in applied if op.name == CLOSE for key, _sources in op.rules)
    for op in not_applied:
        if op.name != OPEN:
            continue
        for key, sources in op.rules:
            if key in closed:
                kept = sorted(sources.cidrs) + sorted(sources.ipv6_cidrs) + sorted(sources.aliases)
                yield (". %s may now be closed entirely (the Close was made, the Open of the sources to keep was not); a task with state=absent "
                       "does not reopen it, so allow %s again with state=present" % (key.describe(), ", ".join(kept)))


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
    firewall = firewall_from_port_states(port_states)
    for key, sources in operation.rules:
        now = firewall.get(key)
        if now is None:
            continue
        if not sources or now.difference(sources) != now:
            return False
    return True


def error_code(exception):
    """The AWS error code of a botocore ClientError, or None for anything else."""
    response = getattr(exception, "response", None)
    return (response.get("Error") or {}).get("Code") if isinstance(response, dict) else None


def _http_status(exception):
    response = getattr(exception, "response", None)
    metadata = (response.get("ResponseMetadata") or {}) if isinstance(response, dict) else {}
    return int(metadata.get("HTTPStatusCode") or 0)


def apply_operations(client, instance_name, operations):
    """Apply writes in order; order matters (Close before Open), so stop at the first failure."""
    for index, operation in enumerate(operations):
        try:
            apply_operation(client, instance_name, operation)
        except AnsibleLightsailError as error:
            raise PartialWriteError(error, operations[:index], operation, operations[index + 1:])


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
