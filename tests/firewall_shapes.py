"""Firewall rules in the shapes the end-to-end tests need: the modules' options, their sorted output, the API's.

    rule("tcp", 22, cidrs=["203.0.113.0/24"])   one rule as the `ports` option takes it
    normalised(rules)                          any accepted rules -> the modules' sorted output
    api_rules(rules)                           -> the API's portInfos, for seeding the test service
    stored(admin, name)                        what the test service holds, in the modules' output shape
    seed(admin, name, rules)                   an instance with these rules
"""

from __future__ import annotations

from ansible_collections.seed.lightsail.plugins.module_utils.rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils.rules import parse_rules
from ansible_collections.seed.lightsail.plugins.module_utils.transformations import firewall_from_port_states
from ansible_collections.seed.lightsail.plugins.module_utils.transformations import to_port_info


def rule(protocol, from_port, to_port=None, cidrs=(), ipv6=(), aliases=()):
    return {"protocol": protocol, "from_port": from_port, "to_port": from_port if to_port is None else to_port,
            "cidrs": list(cidrs), "ipv6_cidrs": list(ipv6), "cidr_list_aliases": list(aliases)}


def normalised(rules):
    return firewall_to_list(parse_rules(rules))


def api_rules(rules):
    firewall = parse_rules(rules)
    return [to_port_info(key, firewall[key]) for key in firewall]


def stored(admin, name, region="us-east-1"):
    return firewall_to_list(firewall_from_port_states(admin.rules(name, region=region)))


def seed(admin, name, rules, blueprint="ubuntu_22_04", **kwargs):
    admin.seed_instance(name, blueprint=blueprint, ports=api_rules(rules), **kwargs)
