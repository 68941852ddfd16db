# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the inventory plugin makes of GetInstances: pure Python, no boto3.

The plugin fetches; everything it decides (which regions, which instances, the variables of a
host, the name of a host) is decided here; the facts of each instance come from _instance_facts.py.
"""

import hashlib
import json
import re

from ansible_collections.seed.lightsail.plugins.module_utils._errors import CREDENTIAL_ERROR_CODES
from ansible_collections.seed.lightsail.plugins.module_utils._errors import PERMISSION_ERROR_CODES
from ansible_collections.seed.lightsail.plugins.module_utils._selection import instance_matches

# Host variables are the instance facts under this prefix: plain ``name`` and ``tags`` are names
# ansible-core reserves (it warns on every run), and plain ``state`` or ``ports`` would override
# role defaults of the same name, since inventory variables take precedence over them.
HOSTVAR_PREFIX = "lightsail_"

HOSTNAME_SOURCES = ("name", "public_ip_address", "private_ip_address")
ANSIBLE_HOST_SOURCES = ("public_ip_address", "private_ip_address")

# The plugin's options that decide what is listed (whose instances, where, which ones): every one is part of
# the cache key, so that changing any of them misses the cache. secret_key and session_token are left out
# (temporary credentials would never hit the cache, and no secret goes into a file name); the identity they
# belong to is in the key through access_key, profile or assume_role_arn.
QUERY_OPTIONS = (
    "access_key", "profile", "assume_role_arn", "endpoint_url", "region", "regions",
    "instance_names", "tags", "states",
)

_REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class InventoryError(ValueError):
    """An inventory source the plugin cannot build: a bad option value, or host names that collide."""


def regions_to_query(requested, default_region, known_regions):
    """The regions to list, in the order given, each once.

    ``requested`` is the ``regions`` option; when it is empty the single ``default_region``
    (the ``region`` option, AWS_REGION or the AWS config) is used. A name that is not a
    Lightsail region known to botocore is an error, so that a typo does not turn into a
    connection error or an empty inventory.
    """
    regions = []
    for region in requested or ([default_region] if default_region else []):
        region = str(region).strip()
        if region not in regions:
            regions.append(region)
    if not regions:
        raise InventoryError("no region to list instances in: set the regions option, the region option or AWS_REGION")
    known = set(known_regions or ())
    unknown = [region for region in regions if region not in known]
    if known and unknown:
        raise InventoryError(
            "unknown Lightsail region(s) %s; %s" % (", ".join(repr(region) for region in unknown), _region_hint(unknown, known))
        )
    return regions


def _region_hint(unknown, known):
    if any(not _REGION_NAME.match(region) for region in unknown):
        return "a region name looks like us-east-1. Lightsail regions: %s" % ", ".join(sorted(known))
    return "Lightsail regions known to the installed botocore: %s (a newer botocore may know more)" % ", ".join(sorted(known))


def query_fingerprint(options):
    """A short digest of the QUERY_OPTIONS values ({option: value}), for the cache key."""
    material = json.dumps([[name, options.get(name)] for name in QUERY_OPTIONS], sort_keys=True, default=str)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def instance_selected(instance, names=None, tags=None, states=None):
    """True when the instance passes the ``instance_names``, ``tags`` and ``states`` options.

    None does not filter (the plugin refuses explicitly empty options first: selection.check_filters);
    states compare without regard to case.
    """
    if not instance_matches(instance, names, tags):
        return False
    if states is not None:
        state = str((instance.get("state") or {}).get("name") or "").lower()
        return state in set(str(wanted).lower() for wanted in states)
    return True


def choose_hostname(facts, preferences):
    """The first non-empty value among ``preferences`` (names of host facts), or None."""
    for source in preferences:
        if source not in HOSTNAME_SOURCES:
            raise InventoryError("hostnames: unknown source %r; use %s" % (source, ", ".join(HOSTNAME_SOURCES)))
        value = facts.get(source)
        if value:
            return str(value)
    return None


def host_variables(facts, ansible_host_source="public_ip_address"):
    """Host facts under HOSTVAR_PREFIX, plus ``ansible_host`` (left unset when the instance has no such address)."""
    if ansible_host_source not in ANSIBLE_HOST_SOURCES:
        raise InventoryError("ansible_host_source: unknown source %r; use %s" % (ansible_host_source, ", ".join(ANSIBLE_HOST_SOURCES)))
    variables = dict((HOSTVAR_PREFIX + key, value) for key, value in facts.items())
    address = facts.get(ansible_host_source)
    if address:
        variables["ansible_host"] = address
    return variables


def inventory_hosts(facts_list, hostnames=("name",), ansible_host_source="public_ip_address"):
    """Host facts of every selected instance -> ([(hostname, variables)], [facts left without a name]).

    Two instances getting the same host name (the same instance name in two regions, or the
    same private address) is an error: Ansible would merge them into one host silently.
    """
    hosts, unnamed, owners = [], [], {}
    for facts in facts_list:
        hostname = choose_hostname(facts, hostnames)
        if hostname is None:
            unnamed.append(facts)
            continue
        if hostname in owners:
            raise InventoryError(
                "host name %r is shared by instance %s and instance %s; choose other hostnames "
                "(for example public_ip_address) or narrow regions or instance_names" % (hostname, _describe(owners[hostname]), _describe(facts))
            )
        owners[hostname] = facts
        hosts.append((hostname, host_variables(facts, ansible_host_source)))
    return hosts, unnamed


def _describe(facts):
    return "%s in %s" % (facts.get("name"), facts.get("region"))


def region_error_message(region, error_code, detail):
    """The message for a failed GetInstances in one region, with a hint when the credentials are the cause."""
    message = "Failed to list Lightsail instances in region %s: %s" % (region, detail)
    if error_code in PERMISSION_ERROR_CODES:
        message += " (the credentials may not call lightsail:GetInstances in %s: allow it, or remove %s from regions)" % (region, region)
    elif error_code in CREDENTIAL_ERROR_CODES:
        message += (
            " (the credentials were refused in %s: check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN or the profile,"
            " and that the account has this region enabled)" % region
        )
    return message
