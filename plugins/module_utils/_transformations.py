# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure conversions between Lightsail's camelCase shapes and the rule model.

The API's inconsistencies are absorbed here, in one place: ``-1`` or upper case for a
protocol, ``all`` read back with ports -1/-1, bare addresses without a prefix length, and the
``networking.ports`` entries of GetInstances that describe private access. A value that does not
normalise at all is kept as it came, with a warning (read_firewall, read_networking_ports), and is
never sent back by a write (refuse_resending_odd_values).
"""

from ansible_collections.seed.lightsail.plugins.module_utils._rules import PORT_MAX
from ansible_collections.seed.lightsail.plugins.module_utils._rules import PORT_MIN
from ansible_collections.seed.lightsail.plugins.module_utils._rules import PROTOCOLS
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import merge_into
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_alias
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv4_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv6_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_protocol

# The three source lists of a rule: API member, what a value is, and its normaliser.
_SOURCE_LISTS = (
    ("cidrs", "IPv4 source", normalize_ipv4_cidr),
    ("ipv6Cidrs", "IPv6 source", normalize_ipv6_cidr),
    ("cidrListAliases", "alias", normalize_alias),
)


def _read(normalize, value):
    """A value the service returned -> (its normal form, None), or (the value as it came, why it does not normalise).

    One odd value (a source with host bits set, text that is no address) must not make a whole
    listing fail: it is kept verbatim, so it is reported as it came and compares unequal to every
    normalised value a user can ask for (so purge_ports replaces it), and the reason goes into a warning.
    """
    try:
        return normalize(value), None
    except RuleError as error:
        text = str(error)
        prefix = error.where + ": "
        return str(value), text[len(prefix):] if text.startswith(prefix) else text


def _read_key(entry):
    """-> (RuleKey, problems); an unknown protocol is kept as it came (lower case)."""
    protocol, reason = _read(normalize_protocol, entry.get("protocol", "all"))
    problems = [] if reason is None else [("protocol", protocol, reason)]
    if reason is not None:
        protocol = protocol.strip().lower()
    from_port, to_port = int(entry.get("fromPort", -1)), int(entry.get("toPort", -1))
    if protocol == "all" and (from_port, to_port) == (-1, -1):
        from_port, to_port = PORT_MIN, PORT_MAX
    return RuleKey(protocol, from_port, to_port), problems


def _read_sources(entry):
    """-> (Sources, problems): each problem is (what, value as it came, reason)."""
    lists, problems = [], []
    for member, what, normalize in _SOURCE_LISTS:
        values = []
        for item in entry.get(member) or ():
            value, reason = _read(normalize, item)
            values.append(value)
            if reason is not None:
                problems.append((what, value, reason))
        lists.append(values)
    return Sources.of(*lists), problems


def _warnings(instance_name, key, problems):
    where = "instance %s, rule %s" % (instance_name, key.describe()) if instance_name else "rule %s" % key.describe()
    return [
        "%s: Lightsail returned the %s %r, which is not valid (%s); it is reported as it came, and "
        "seed.lightsail.lightsail_instance_ports with purge_ports: true replaces it" % (where, what, value, reason)
        for what, value, reason in problems
    ]


def _read_rule(entry, instance_name):
    key, key_problems = _read_key(entry)
    sources, source_problems = _read_sources(entry)
    return key, sources, _warnings(instance_name, key, key_problems + source_problems)


def key_from_api(entry):
    return _read_key(entry)[0]


def sources_from_api(entry):
    return _read_sources(entry)[0]


def read_firewall(port_states, instance_name=None):
    """GetInstancePortStates ``portStates`` -> ({RuleKey: Sources}, warnings naming instance, rule and odd value)."""
    firewall, warnings = {}, []
    for entry in port_states or ():
        if entry.get("state", "open") != "open":
            continue
        key, sources, rule_warnings = _read_rule(entry, instance_name)
        merge_into(firewall, key, sources)
        warnings.extend(rule_warnings)
    return firewall, warnings


def firewall_from_port_states(port_states):
    """GetInstancePortStates ``portStates`` -> {RuleKey: Sources} (read_firewall without its warnings)."""
    return read_firewall(port_states)[0]


def read_networking_ports(ports, instance_name=None):
    """GetInstance(s) ``networking.ports`` -> (public firewall, private entries as rule dicts, warnings).

    Entries with accessType ``Private`` are not rules a user can write through the public-ports
    API, so they are kept out of the firewall and returned apart.
    """
    public, private, warnings = {}, [], []
    for entry in ports or ():
        if str(entry.get("accessType", "Public")).lower() == "private":
            key = key_from_api(entry)
            private.append(
                {
                    "protocol": key.protocol,
                    "from_port": key.from_port,
                    "to_port": key.to_port,
                    "access_from": entry.get("accessFrom"),
                    "common_name": entry.get("commonName"),
                }
            )
            continue
        key, sources, rule_warnings = _read_rule(entry, instance_name)
        merge_into(public, key, sources)
        warnings.extend(rule_warnings)
    return public, private, warnings


def split_networking_ports(ports):
    """GetInstance(s) ``networking.ports`` -> (public firewall, private entries) (read_networking_ports without warnings)."""
    public, private, _warnings_unused = read_networking_ports(ports)
    return public, private


def odd_values(key, sources):
    """The values of a rule that the rule model cannot normalise (read from Lightsail as they came), sorted."""
    odd = [] if key.protocol in PROTOCOLS else [key.protocol]
    for values, normalize in ((sources.cidrs, normalize_ipv4_cidr), (sources.ipv6_cidrs, normalize_ipv6_cidr), (sources.aliases, normalize_alias)):
        odd.extend(value for value in values if _read(normalize, value)[1] is not None)
    return sorted(odd)


def refuse_resending_odd_values(operations, instance_name):
    """The message refusing writes that would send back a value read from Lightsail that is not valid, or None.

    Lightsail may refuse such a value, possibly after earlier writes of the same plan were applied
    (a narrowing's Close without the Open that follows it). Only writes naming a rule's current
    sources resend them (Open and Close of targeted changes); PutInstancePublicPorts of purge_ports
    sends just the rules asked for, so it replaces the odd value.
    """
    found = []
    for operation in operations:
        for key, sources in operation.rules:
            found.extend("%r (rule %s)" % (value, key.describe()) for value in odd_values(key, sources))
    if not found:
        return None
    return (
        "instance %s: the writes needed would send back %s, which Lightsail returned but which is not valid, so Lightsail may "
        "refuse it part-way; nothing was written. Use purge_ports: true with the rules the instance should have: "
        "one PutInstancePublicPorts replaces every rule without sending the odd value back" % (instance_name, ", ".join(sorted(set(found))))
    )


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
