# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The facts of an instance, from its GetInstance(s) entry: pure Python, no boto3.

One place for what the info module reports per instance, the inventory's host variables (under their
prefix) and the fleet tools' per-instance summary, so the three agree, platform detection included.
"""

from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._selection import instance_tags
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import read_networking_ports


def instance_summary(instance):
    """GetInstances entry -> the facts the info module, the inventory and the fleet tools report per instance (no rules)."""
    location = instance.get("location") or {}
    return {
        "name": instance.get("name"),
        "arn": instance.get("arn"),
        "region": location.get("regionName"),
        "availability_zone": location.get("availabilityZone"),
        "blueprint_id": instance.get("blueprintId"),
        "bundle_id": instance.get("bundleId"),
        "platform": instance_platform(instance),
        "ip_address_type": instance.get("ipAddressType"),
        "public_ip_address": instance.get("publicIpAddress"),
        "private_ip_address": instance.get("privateIpAddress"),
        "ipv6_addresses": list(instance.get("ipv6Addresses") or []),
        "state": (instance.get("state") or {}).get("name"),
        "tags": instance_tags(instance),
    }


def instance_platform(instance):
    """LINUX_UNIX or WINDOWS; GetInstances names only the blueprint, so it is read from that."""
    blueprint = "%s %s" % (instance.get("blueprintId") or "", instance.get("blueprintName") or "")
    return "WINDOWS" if "windows" in blueprint.lower() else "LINUX_UNIX"


def read_instance_facts(instance):
    """GetInstance(s) entry -> (its facts with its rules, warnings about odd values read).

    The facts are instance_summary's plus ``ports``, the public firewall rules in exactly the shape the
    ``ports`` option of seed.lightsail.lightsail_instance_ports takes (a value that is not valid kept as it
    came), and ``private_ports``, the private-access entries Lightsail adds itself and that the public-ports
    API does not manage.
    """
    facts = instance_summary(instance)
    public, private, warnings = read_networking_ports((instance.get("networking") or {}).get("ports"), instance.get("name"))
    facts["ports"] = firewall_to_list(public)
    facts["private_ports"] = private
    return facts, warnings
