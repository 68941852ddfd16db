# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The only code that talks to the Lightsail API: one small function per call.

Each call is retried with amazon.aws's jittered backoff (on top of botocore's own retries)
and turns botocore errors into AnsibleLightsailError (_errors.py), in the manner of amazon.aws's
_autoscaling package. FirewallApi binds the firewall calls to one client for _plan_execution.py,
which carries out write plans through it.
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import as_completed
from functools import lru_cache

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.seed.lightsail.plugins.module_utils._errors import RETRYABLE_ERROR_CODES
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError

lightsail_retry = AWSRetry.jittered_backoff(retries=6, delay=1, backoff=2.0, max_delay=20, catch_extra_error_codes=RETRYABLE_ERROR_CODES)


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


class FirewallApi:
    """The four firewall calls bound to one client: what _plan_execution.py drives (boto3 clients are thread-safe)."""

    def __init__(self, client):
        self.client = client

    def read(self, instance_name):
        """GetInstancePortStates: the instance's portStates, or None when it does not exist."""
        return get_instance_port_states(self.client, instance_name)

    def open(self, instance_name, port_info):
        return open_instance_public_ports(self.client, instance_name, port_info)

    def close(self, instance_name, port_info):
        return close_instance_public_ports(self.client, instance_name, port_info)

    def put(self, instance_name, port_infos):
        return put_instance_public_ports(self.client, instance_name, port_infos)


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
