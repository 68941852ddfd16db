# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure conversions between Lightsail's camelCase shapes and the rule model.

The API's inconsistencies are absorbed here, in one place: ``-1`` or upper case for a
protocol, ``all`` read back with ports -1/-1, bare addresses without a prefix length, and the
``networking.ports`` entries of GetInstances that describe private access.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.seed.lightsail.plugins.module_utils.rules import PORT_MAX
from ansible_collections.seed.lightsail.plugins.module_utils.rules import PORT_MIN
from ansible_collections.seed.lightsail.plugins.module_utils.rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils.rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils.rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils.rules import merge_into
from ansible_collections.seed.lightsail.plugins.module_utils.rules import normalize_ipv4_cidr
from ansible_collections.seed.lightsail.plugins.module_utils.rules import normalize_ipv6_cidr
from ansible_collections.seed.lightsail.plugins.module_utils.rules import normalize_protocol
from ansible_collections.seed.lightsail.plugins.module_utils.selection import instance_tags


def _lenient(normalize, value):
    """Normalise what the service returned; keep it as it came if it does not parse."""
    try:
        return normalize(value)
    except RuleError:
        return str(value).strip()


def key_from_api(entry):
    protocol = normalize_protocol(entry.get("protocol", "all"))
    from_port, to_port = int(entry.get("fromPort", -1)), int(entry.get("toPort", -1))
    if protocol == "all" and (from_port, to_port) == (-1, -1):
        from_port, to_port = PORT_MIN, PORT_MAX
    return RuleKey(protocol, from_port, to_port)


def sources_from_api(entry):
    return Sources.of(
        (_lenient(normalize_ipv4_cidr, item) for item in entry.get("cidrs") or ()),
        (_lenient(normalize_ipv6_cidr, item) for item in entry.get("ipv6Cidrs") or ()),
        (str(item).strip().lower() for item in entry.get("cidrListAliases") or ()),
    )


def firewall_from_port_states(port_states):
    """GetInstancePortStates ``portStates`` -> {RuleKey: Sources}."""
    firewall = {}
    for entry in port_states or ():
        if entry.get("state", "open") != "open":
            continue
        merge_into(firewall, key_from_api(entry), sources_from_api(entry))
    return firewall


def split_networking_ports(ports):
    """GetInstance(s) ``networking.ports`` -> (public firewall, private entries as rule dicts).

    Entries with accessType ``Private`` are not rules a user can write through the public-ports
    API, so they are kept out of the firewall and returned apart.
    """
    public, private = {}, []
    for entry in ports or ():
        if str(entry.get("accessType", "Public")).lower() == "private":
            private.append(
                {
                    "protocol": key_from_api(entry).protocol,
                    "from_port": key_from_api(entry).from_port,
                    "to_port": key_from_api(entry).to_port,
                    "access_from": entry.get("accessFrom"),
                    "common_name": entry.get("commonName"),
                }
            )
            continue
        merge_into(public, key_from_api(entry), sources_from_api(entry))
    return public, private


def to_port_info(key, sources):
    """(RuleKey, Sources) -> a PortInfo request member, with all three source lists always sent.

    The service's default for an omitted list is undocumented, so nothing is left to it.
    """
    return {
        "fromPort": key.from_port,
        "toPort": key.to_port,
        "protocol": key.protocol,
        "cidrs": sorted(sources.cidrs),
        "ipv6Cidrs": sorted(sources.ipv6_cidrs),
        "cidrListAliases": sorted(sources.aliases),
    }


def instance_summary(instance):
    """GetInstances entry -> the facts the info module and the fleet tools report per instance."""
    location = instance.get("location") or {}
    return {
        "name": instance.get("name"),
        "arn": instance.get("arn"),
        "region": location.get("regionName"),
        "availability_zone": location.get("availabilityZone"),
        "blueprint_id": instance.get("blueprintId"),
        "bundle_id": instance.get("bundleId"),
        "platform": _platform(instance),
        "ip_address_type": instance.get("ipAddressType"),
        "public_ip_address": instance.get("publicIpAddress"),
        "private_ip_address": instance.get("privateIpAddress"),
        "ipv6_addresses": list(instance.get("ipv6Addresses") or []),
        "state": (instance.get("state") or {}).get("name"),
        "tags": instance_tags(instance),
    }


def _platform(instance):
    """LINUX_UNIX or WINDOWS; GetInstances names only the blueprint, so it is read from that."""
    blueprint = "%s %s" % (instance.get("blueprintId") or "", instance.get("blueprintName") or "")
    return "WINDOWS" if "windows" in blueprint.lower() else "LINUX_UNIX"
