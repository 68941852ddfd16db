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

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.seed.lightsail.plugins.module_utils.plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils.plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils.plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils.transformations import to_port_info

# Lightsail names throttling and server faults differently from EC2, whose codes AWSRetry knows.
RETRYABLE_ERROR_CODES = ["ThrottlingException", "ServiceException", "ServiceUnavailableException"]

lightsail_retry = AWSRetry.jittered_backoff(retries=6, delay=1, backoff=2.0, max_delay=20, catch_extra_error_codes=RETRYABLE_ERROR_CODES)


class AnsibleLightsailError(AnsibleAWSError):
    pass


class PartialWriteError(AnsibleLightsailError):
    """A write failed after retries; says which writes were applied and which were not."""

    def __init__(self, cause, applied, failed, pending):
        message = "%s (%d of %d writes applied before it)" % (cause.message, len(applied), len(applied) + 1 + len(pending))
        super(PartialWriteError, self).__init__(message=message, exception=cause.exception)
        self.applied, self.failed, self.pending = applied, failed, pending


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
        for instance in page.get("instances") or ():
            yield instance
        page_token = page.get("nextPageToken")
        if not page_token:
            return


def apply_operation(client, instance_name, operation):
    infos = [to_port_info(key, sources) for key, sources in operation.rules]
    if operation.name == OPEN:
        return open_instance_public_ports(client, instance_name, infos[0])
    if operation.name == CLOSE:
        return close_instance_public_ports(client, instance_name, infos[0])
    if operation.name == PUT:
        return put_instance_public_ports(client, instance_name, infos)
    raise ValueError("unknown operation %r" % (operation.name,))


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
