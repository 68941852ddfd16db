"""Firewall rules as the end-to-end tests write their expectations: literal data in the Lightsail API's shape.

Nothing here imports the collection: a normalisation bug in the code under test must not appear on both sides of a
comparison. Expectations are written already normalised (a bare address with its /32, IPv6 in canonical form, protocol
in lower case), as the service must hold them.

    rule("tcp", 22, cidrs=["203.0.113.0/24"])  one portInfo: fromPort, toPort, protocol, cidrs, ipv6Cidrs, cidrListAliases
    canonical(rules)                          portInfos (or portStates) sorted, with sorted source lists and no other keys
    stored(admin, name)                       what the test service holds for an instance, canonical
    as_api(ports)                             a module's `ports` output (the option's shape) -> canonical portInfos
    as_options(rules)                         portInfos -> the `ports` option's shape, to pass to a module
    seed(admin, name, rules)                  an instance with these rules
"""

from __future__ import annotations

API_KEYS = ("fromPort", "toPort", "protocol", "cidrs", "ipv6Cidrs", "cidrListAliases")


def rule(protocol, from_port, to_port=None, cidrs=(), ipv6=(), aliases=()):
    return {"fromPort": from_port, "toPort": from_port if to_port is None else to_port, "protocol": protocol,
            "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6), "cidrListAliases": list(aliases)}


def canonical(rules):
    """Rules sorted by (protocol, fromPort, toPort), each with its source lists sorted and only the six API keys."""
    rules = [{key: sorted(entry.get(key) or []) if key in API_KEYS[3:] else entry[key] for key in API_KEYS} for entry in rules]
    return sorted(rules, key=lambda entry: (entry["protocol"], entry["fromPort"], entry["toPort"]))


def stored(admin, name, region="us-east-1"):
    return canonical(admin.rules(name, region=region))


def as_api(ports):
    """A module's rules (protocol, from_port, to_port, cidrs, ipv6_cidrs, cidr_list_aliases) -> canonical portInfos, by renaming keys."""
    return canonical([{"fromPort": entry["from_port"], "toPort": entry["to_port"], "protocol": entry["protocol"], "cidrs": entry["cidrs"],
                       "ipv6Cidrs": entry["ipv6_cidrs"], "cidrListAliases": entry["cidr_list_aliases"]} for entry in ports])


def as_options(rules):
    """portInfos -> rules in the shape of the modules' `ports` option, by renaming keys."""
    return [{"protocol": entry["protocol"], "from_port": entry["fromPort"], "to_port": entry["toPort"], "cidrs": list(entry["cidrs"]),
             "ipv6_cidrs": list(entry["ipv6Cidrs"]), "cidr_list_aliases": list(entry["cidrListAliases"])} for entry in rules]


def seed(admin, name, rules, blueprint="ubuntu_22_04", **kwargs):
    admin.seed_instance(name, blueprint=blueprint, ports=rules, **kwargs)
