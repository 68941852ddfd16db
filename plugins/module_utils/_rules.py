# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The firewall rule model: pure Python, no boto3.

A Lightsail rule is identified by (protocol, from_port, to_port); what it allows is a set of
sources in three independent lists (IPv4 CIDRs, IPv6 CIDRs, aliases). A firewall is a mapping
from RuleKey to Sources. Everything here works on normalised values, so two rules that mean
the same thing compare equal.
"""

import ipaddress
import math
from collections import namedtuple
from functools import lru_cache

PROTOCOLS = ("tcp", "udp", "icmp", "icmpv6", "all")
ICMP_PROTOCOLS = ("icmp", "icmpv6")
ALIASES = ("lightsail-connect",)
MAX_SOURCES_PER_RULE = 60
# Lightsail's developer guide: 60 inbound rules each for the IPv4 and the IPv6 firewall. A request may list
# at most both together (MAX_RULES_PER_FAMILY per family is checked on the planned firewall).
MAX_RULES_PER_FAMILY = 60
MAX_RULES_PER_REQUEST = 2 * MAX_RULES_PER_FAMILY
PORT_MIN, PORT_MAX = 0, 65535
ICMP_MIN, ICMP_MAX = -1, 255
WORLD_IPV4 = "0.0.0.0/0"
WORLD_IPV6 = "::/0"
SOURCE_FIELDS = ("cidrs", "ipv6_cidrs", "cidr_list_aliases")
RULE_FIELDS = ("protocol", "from_port", "to_port") + SOURCE_FIELDS

# Spellings the API or its users have for the same protocol.
_PROTOCOL_ALIASES = {"-1": "all", "icmp6": "icmpv6"}


class RuleError(ValueError):
    """Bad input, with the place it was found (for example ``ports[2].cidrs``)."""

    def __init__(self, where, message):
        super(RuleError, self).__init__("%s: %s" % (where, message))
        self.where = where


class RuleKey(namedtuple("RuleKey", ["protocol", "from_port", "to_port"])):
    """What Lightsail identifies a rule by."""

    __slots__ = ()

    def describe(self):
        if self.protocol == "all":
            return "all traffic" if (self.from_port, self.to_port) == (PORT_MIN, PORT_MAX) else "all %d-%d" % (self.from_port, self.to_port)
        if self.protocol in ICMP_PROTOCOLS:
            return "%s type %d code %d" % (self.protocol, self.from_port, self.to_port)
        if self.from_port == self.to_port:
            return "%s %d" % (self.protocol, self.from_port)
        return "%s %d-%d" % (self.protocol, self.from_port, self.to_port)


class Sources(namedtuple("Sources", ["cidrs", "ipv6_cidrs", "aliases"])):
    """What a rule allows: three frozensets of normalised strings."""

    __slots__ = ()

    @classmethod
    def empty(cls):
        return cls(frozenset(), frozenset(), frozenset())

    @classmethod
    def of(cls, cidrs=(), ipv6_cidrs=(), aliases=()):
        return cls(frozenset(cidrs), frozenset(ipv6_cidrs), frozenset(aliases))

    def __bool__(self):
        return bool(self.cidrs or self.ipv6_cidrs or self.aliases)

    def count(self):
        return len(self.cidrs) + len(self.ipv6_cidrs) + len(self.aliases)

    def union(self, other):
        return Sources(self.cidrs | other.cidrs, self.ipv6_cidrs | other.ipv6_cidrs, self.aliases | other.aliases)

    def difference(self, other):
        return Sources(self.cidrs - other.cidrs, self.ipv6_cidrs - other.ipv6_cidrs, self.aliases - other.aliases)

    def issuperset(self, other):
        return self.cidrs >= other.cidrs and self.ipv6_cidrs >= other.ipv6_cidrs and self.aliases >= other.aliases

    def describe(self):
        """'cidrs 203.0.113.0/24 0.0.0.0/0; cidr_list_aliases lightsail-connect', lists sorted, empty ones left out."""
        lists = (("cidrs", sorted(self.cidrs, key=_network_sort_key)), ("ipv6_cidrs", sorted(self.ipv6_cidrs, key=_network_sort_key)),
                 ("cidr_list_aliases", sorted(self.aliases)))
        return "; ".join("%s %s" % (name, " ".join(values)) for name, values in lists if values) or "no sources"


def normalize_protocol(value, where="protocol"):
    text = str(value).strip().lower()
    text = _PROTOCOL_ALIASES.get(text, text)
    if text not in PROTOCOLS:
        raise RuleError(where, "unknown protocol %r; use one of %s" % (value, ", ".join(PROTOCOLS)))
    return text


def normalize_ipv4_cidr(value, where="cidrs"):
    """'192.0.2.44' -> '192.0.2.44/32'; rejects IPv6 and host bits."""
    return _normalize_network(value, 4, where)


def normalize_ipv6_cidr(value, where="ipv6_cidrs"):
    """'2001:DB8::1' -> '2001:db8::1/128'; rejects IPv4, zone indexes and host bits."""
    return _normalize_network(value, 6, where)


_FAMILY = {4: ("IPv4", "cidrs"), 6: ("IPv6", "ipv6_cidrs")}


def _normalize_network(value, version, where):
    text = str(value).strip()
    parsed = _parse_network(text)
    if parsed is None:
        raise RuleError(where, "%r is not an %s address or CIDR block" % (value, _FAMILY[version][0]))
    found_version, normal, host_bits = parsed
    if found_version != version:
        raise RuleError(where, "%r is an %s block; list it under %s" % (value, _FAMILY[found_version][0], _FAMILY[found_version][1]))
    if host_bits:
        raise RuleError(where, "%r has host bits set; did you mean %r?" % (value, normal))
    return normal


@lru_cache(maxsize=8192)
def _parse_network(text):
    """text -> (IP version, normal form, host bits set?), or None when it is no address or block.

    Cached: a fleet repeats the same few blocks thousands of times.
    """
    if "%" in text:
        return None  # an IPv6 zone index (fe80::1%eth0) names a local interface, not a source
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None
    host_bits = "/" in text and ipaddress.ip_interface(text).ip != network.network_address
    return network.version, str(network), host_bits


def normalize_alias(value, where="cidr_list_aliases"):
    text = str(value).strip().lower()
    if text not in ALIASES:
        raise RuleError(where, "unknown alias %r; the only alias Lightsail knows is %s" % (value, ", ".join(ALIASES)))
    return text


def normalize_key(protocol, from_port, to_port, where="rule"):
    """Validate and complete a (protocol, from_port, to_port) triple.

    Omitted ports: ``all`` without ports (or with -1) covers 0-65535; ``to_port`` defaults to
    ``from_port`` for tcp, udp and ``all`` with a port, and to -1 (every code) for icmp and icmpv6.
    A firewall rule of protocol ``all`` must cover every port: parse_rule refuses others.
    """
    protocol = normalize_protocol(protocol, where + ".protocol")
    if protocol == "all":
        if _unset_or_minus_one(from_port) and _unset_or_minus_one(to_port):
            from_port, to_port = PORT_MIN, PORT_MAX  # -1 is how the API writes "every port"
        elif from_port is None:
            from_port = PORT_MIN
    if from_port is None:
        raise RuleError(where + ".from_port", "is required for protocol %s" % protocol)
    from_port = _to_int(from_port, where + ".from_port")
    if to_port is None:
        to_port = -1 if protocol in ICMP_PROTOCOLS else from_port
    to_port = _to_int(to_port, where + ".to_port")
    if protocol in ICMP_PROTOCOLS:
        _check_range(from_port, ICMP_MIN, ICMP_MAX, where + ".from_port", "the ICMP type")
        _check_range(to_port, ICMP_MIN, ICMP_MAX, where + ".to_port", "the ICMP code")
        if from_port == -1 and to_port != -1:
            raise RuleError(where + ".to_port", "%d: every ICMP type (from_port -1) needs every code (to_port -1)" % to_port)
    else:
        _check_range(from_port, PORT_MIN, PORT_MAX, where + ".from_port", "a port")
        _check_range(to_port, PORT_MIN, PORT_MAX, where + ".to_port", "a port")
        if from_port > to_port:
            raise RuleError(where, "from_port %d is greater than to_port %d" % (from_port, to_port))
    return RuleKey(protocol, from_port, to_port)


def _unset_or_minus_one(value):
    return value is None or (not isinstance(value, bool) and str(value).strip() in ("-1", "-1.0"))


def _to_int(value, where):
    """Whole numbers only: 22, '22' and 22.0 pass; True, 22.5, 'ssh' and infinity do not."""
    if isinstance(value, bool):
        raise RuleError(where, "%r is not an integer" % (value,))
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise RuleError(where, "%r is not an integer" % (value,))
        return int(value)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RuleError(where, "%r is not an integer" % (value,))


def _check_range(value, low, high, where, what):
    if not low <= value <= high:
        raise RuleError(where, "%d is out of range for %s (%d to %d)" % (value, what, low, high))


def normalize_sources(cidrs=None, ipv6_cidrs=None, aliases=None, where="rule"):
    sources = Sources.of(
        (normalize_ipv4_cidr(item, "%s.cidrs[%d]" % (where, i)) for i, item in enumerate(cidrs or ())),
        (normalize_ipv6_cidr(item, "%s.ipv6_cidrs[%d]" % (where, i)) for i, item in enumerate(ipv6_cidrs or ())),
        (normalize_alias(item, "%s.cidr_list_aliases[%d]" % (where, i)) for i, item in enumerate(aliases or ())),
    )
    if sources.count() > MAX_SOURCES_PER_RULE:
        raise RuleError(where, "%d sources; Lightsail accepts at most %d per rule" % (sources.count(), MAX_SOURCES_PER_RULE))
    return sources


def parse_rule(spec, where="rule"):
    """One user rule (the snake_case dict of the ``ports`` option) -> (RuleKey, Sources)."""
    if not isinstance(spec, dict):
        raise RuleError(where, "expected a dictionary, got %r" % (spec,))
    unknown = sorted(str(field) for field in set(spec) - set(RULE_FIELDS))
    if unknown:
        raise RuleError(where, "unknown field(s) %s; a rule has %s" % (", ".join(unknown), ", ".join(RULE_FIELDS)))
    if spec.get("protocol") is None:
        raise RuleError(where + ".protocol", "is required")
    key = normalize_key(spec.get("protocol"), spec.get("from_port"), spec.get("to_port"), where)
    where = "%s (%s)" % (where, key.describe())
    for field in ("cidrs", "ipv6_cidrs", "cidr_list_aliases"):
        if spec.get(field) is not None and not isinstance(spec.get(field), (list, tuple)):
            raise RuleError("%s.%s" % (where, field), "expected a list, got %r" % (spec.get(field),))
    if key.protocol == "all" and (key.from_port, key.to_port) != (PORT_MIN, PORT_MAX):
        raise RuleError(where, "protocol all covers every port of every protocol in Lightsail, so ports %d-%d cannot be kept; "
                        "leave from_port and to_port out (or write 0 and 65535), or list tcp and udp rules for these ports"
                        % (key.from_port, key.to_port))
    sources = normalize_sources(spec.get("cidrs"), spec.get("ipv6_cidrs"), spec.get("cidr_list_aliases"), where)
    _check_icmp_family(key, sources, where)
    return key, sources


def _check_icmp_family(key, sources, where):
    """icmp carries only IPv4 traffic and icmpv6 only IPv6: a rule whose every address is of the other family allows nothing."""
    if key.protocol == "icmpv6" and sources.cidrs and not sources.ipv6_cidrs:
        raise RuleError(where + ".cidrs", "%s are IPv4 sources, which icmpv6 (ICMP for IPv6) never reaches; use protocol icmp for IPv4 "
                        "sources, or list IPv6 sources under ipv6_cidrs" % ", ".join(sorted(sources.cidrs)))
    if key.protocol == "icmp" and sources.ipv6_cidrs and not sources.cidrs and not sources.aliases:
        raise RuleError(where + ".ipv6_cidrs", "%s are IPv6 sources, which icmp (ICMP for IPv4) never reaches; use protocol icmpv6 "
                        "for IPv6 sources" % ", ".join(sorted(sources.ipv6_cidrs)))


def parse_rules(specs, field="ports", require_sources=False, closing=False):
    """A list of user rules -> firewall dict {RuleKey: Sources}.

    The same rule listed twice with the same sources counts once; listed twice with different
    sources it is an error, so that nothing is silently merged or dropped.
    closing (state=absent): only a rule whose source lists are all left out means the whole rule;
    an explicitly empty list (what a templated empty variable gives) is an error.
    """
    if specs is not None and isinstance(specs, (list, tuple)) and len(specs) > MAX_RULES_PER_REQUEST:
        raise RuleError(field, "%d rules; a Lightsail firewall holds at most %d rules for IPv4 and %d for IPv6, so at most %d can be listed"
                        % (len(specs), MAX_RULES_PER_FAMILY, MAX_RULES_PER_FAMILY, MAX_RULES_PER_REQUEST))
    firewall = {}
    first_seen = {}
    for index, spec in enumerate(specs or ()):
        where = "%s[%d]" % (field, index)
        key, sources = parse_rule(spec, where)
        if closing and not sources:
            given = [name for name in SOURCE_FIELDS if spec.get(name) is not None]
            if given:
                raise RuleError(
                    "%s (%s).%s" % (where, key.describe(), given[0]),
                    "an empty list removes no source; to close the whole rule whatever its sources, leave out %s" % ", ".join(SOURCE_FIELDS))
        if require_sources and not sources:
            raise RuleError(
                "%s (%s)" % (where, key.describe()),
                "no sources; list cidrs, ipv6_cidrs or cidr_list_aliases (use %s or %s to open to the world on purpose)" % (WORLD_IPV4, WORLD_IPV6),
            )
        if key in firewall and firewall[key] != sources:
            raise RuleError(
                where, "describes %s again, with other sources than %s[%d]; merge them into one rule" % (key.describe(), field, first_seen[key])
            )
        firewall.setdefault(key, sources)
        first_seen.setdefault(key, index)
    return firewall


def validate_instance_name(value, field="instance_name"):
    """An instance name as given -> the same string; refuses what can name no instance, before any API call."""
    if value is None or not isinstance(value, str):
        raise RuleError(field, "expected a string, got %r" % (value,))
    if not value.strip():
        raise RuleError(field, "%r is empty; name a Lightsail instance" % (value,))
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise RuleError(field, "%r contains a control character (such as NUL), which no Lightsail name has" % (value,))
    return value


def rule_to_dict(key, sources):
    """(RuleKey, Sources) -> the user-facing snake_case dict, the same shape ``ports`` takes."""
    return {
        "protocol": key.protocol,
        "from_port": key.from_port,
        "to_port": key.to_port,
        "cidrs": sorted(sources.cidrs, key=_network_sort_key),
        "ipv6_cidrs": sorted(sources.ipv6_cidrs, key=_network_sort_key),
        "cidr_list_aliases": sorted(sources.aliases),
    }


def firewall_to_list(firewall):
    """A firewall dict -> a sorted list of rule dicts (stable, so diffs are readable)."""
    return [rule_to_dict(key, firewall[key]) for key in sorted(firewall, key=rule_sort_key)]


def rule_sort_key(key):
    return (key.from_port, key.to_port, key.protocol)


@lru_cache(maxsize=8192)
def _network_sort_key(text):
    """Networks in address order; a value read from Lightsail that is not a network (kept as it came) sorts after them."""
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return (b"\xff" * 17, 0, text)
    return (network.network_address.packed, network.prefixlen, text)


def merge_into(firewall, key, sources):
    """Add sources to a rule of a firewall dict, in place (used when reads repeat a key)."""
    firewall[key] = firewall[key].union(sources) if key in firewall else sources
