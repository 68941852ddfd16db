# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The exposure policy: which rules open a flagged port to the whole Internet. Pure Python.

A port is exposed when any rule whose protocol and range cover it is open to the world on the
IPv4 firewall or the IPv6 firewall. A rule is open to the world on a firewall when its sources of
that family together cover the whole address family: 0.0.0.0/0 (or ::/0) itself, or pieces whose
union is everything (0.0.0.0/1 + 128.0.0.0/1, ::/1 + 8000::/1, 256 /8 blocks, ...). ``tcp`` and
``udp`` rules cover the ports of their range for their protocol; ``all`` covers every port of
both. A rule of protocol ``all``, or a tcp/udp rule over 0-65535, is one finding of its own
("every port") rather than one finding per flagged service it covers.

The union is taken over the sources of one rule, on one family. Lightsail identifies a rule by
(protocol, from_port, to_port), so one rule holds all the sources of its key; two rules with
different but overlapping ranges whose sources cover the world only together (tcp 20-25 from
0.0.0.0/1 and tcp 22 from 128.0.0.0/1) are not found: a known limitation, documented in
docs/baselines.md. Findings report ``source`` as the world they are open to (0.0.0.0/0 or ::/0)
whatever the pieces; the message names the pieces when the rule has no literal world source.

A public exception names a protocol and a port range that may be open to the world, and why.
It excuses a finding when its protocol is the rule's protocol (or ``all``) and its range covers
the exposed range.
"""

import ipaddress
from collections import namedtuple
from functools import lru_cache

from ansible_collections.seed.lightsail.plugins.module_utils._rules import PORT_MAX
from ansible_collections.seed.lightsail.plugins.module_utils._rules import PORT_MIN
from ansible_collections.seed.lightsail.plugins.module_utils._rules import WORLD_IPV4
from ansible_collections.seed.lightsail.plugins.module_utils._rules import WORLD_IPV6
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_key
from ansible_collections.seed.lightsail.plugins.module_utils._rules import rule_sort_key
from ansible_collections.seed.lightsail.plugins.module_utils._rules import rule_to_dict

EVERY_PORT = "every_port"
FLAGGED_PORT = "flagged_port"
FAMILIES = (("ipv4", WORLD_IPV4), ("ipv6", WORLD_IPV6))
EXCEPTION_FIELDS = ("protocol", "from_port", "to_port", "reason")
# A message names at most this many pieces of a world made of pieces; beyond, it counts them.
PIECES_NAMED = 4

TCP = ("tcp",)
UDP = ("udp",)
TCP_UDP = ("tcp", "udp")


class FlaggedPort(namedtuple("FlaggedPort", ["service", "protocols", "from_port", "to_port", "flagged_by"])):
    """One row of the table: a service's ports, the protocols that count, the checks that flag them."""

    __slots__ = ()

    def describe(self):
        ports = str(self.from_port) if self.from_port == self.to_port else "%d-%d" % (self.from_port, self.to_port)
        return "%s %s/%s" % (self.service, "+".join(self.protocols), ports)


_EC2_19 = "Security Hub EC2.19"
_PROWLER = "Prowler"
_SCOUTSUITE = "ScoutSuite"
_RESTRICTED = "AWS Config restricted-common-ports"

# Ports that security baselines flag when open to 0.0.0.0/0 or ::/0 (see docs/baselines.md).
# UDP counts where the service listens on UDP as well: SSH (as the checks say), RDP (its UDP
# transport), RPC, NetBIOS name/datagram, the SQL Server Browser (1434), NFS and Memcached
# (a known UDP amplifier). Everything else listens on TCP only.
FLAGGED_PORTS = (
    FlaggedPort("FTP", TCP, 20, 21, (_EC2_19, _RESTRICTED, _PROWLER, _SCOUTSUITE)),
    FlaggedPort("SSH", TCP_UDP, 22, 22, (
        "Security Hub EC2.13", "Security Hub EC2.19", "Security Hub EC2.53", "Security Hub EC2.54",
        "CIS AWS Foundations 5.3", "CIS AWS Foundations 5.4", "CIS AWS Compute Services 3.4", _PROWLER, "Checkov CKV_AWS_24",
    )),
    FlaggedPort("Telnet", TCP, 23, 23, (_EC2_19, _PROWLER, _SCOUTSUITE)),
    FlaggedPort("SMTP", TCP, 25, 25, (_EC2_19, _PROWLER)),
    FlaggedPort("POP3", TCP, 110, 110, (_EC2_19, _PROWLER)),
    FlaggedPort("RPC", TCP_UDP, 135, 135, (_EC2_19, _PROWLER)),
    FlaggedPort("NetBIOS", TCP_UDP, 137, 139, ("KICS",)),
    FlaggedPort("IMAP", TCP, 143, 143, (_EC2_19, _PROWLER)),
    FlaggedPort("SMB/CIFS", TCP, 445, 445, (_EC2_19, "CIS AWS Foundations 5.1.2")),
    FlaggedPort("MSSQL", TCP, 1433, 1434, (_EC2_19, _PROWLER)),
    FlaggedPort("MSSQL Browser", UDP, 1434, 1434, (_EC2_19, _PROWLER)),
    FlaggedPort("Oracle", TCP, 1521, 1521, (_PROWLER, _SCOUTSUITE)),
    FlaggedPort("NFS", TCP_UDP, 2049, 2049, (_SCOUTSUITE, "KICS")),
    FlaggedPort("Oracle", TCP, 2483, 2483, (_PROWLER, _SCOUTSUITE)),
    FlaggedPort("dev HTTP", TCP, 3000, 3000, (_EC2_19, _PROWLER)),
    FlaggedPort("MySQL", TCP, 3306, 3306, (_EC2_19, _RESTRICTED, _PROWLER)),
    FlaggedPort("RDP", TCP_UDP, 3389, 3389, (
        "Security Hub EC2.14", "Security Hub EC2.19", "Security Hub EC2.53", "Security Hub EC2.54",
        "CIS AWS Foundations 5.3", "CIS AWS Foundations 5.4", "CIS AWS Compute Services 3.5", _RESTRICTED, "Checkov CKV_AWS_25",
    )),
    FlaggedPort("mSQL", TCP, 4333, 4333, (_EC2_19, _RESTRICTED)),
    FlaggedPort("dev HTTP", TCP, 5000, 5000, (_EC2_19, _PROWLER)),
    FlaggedPort("PostgreSQL", TCP, 5432, 5432, (_EC2_19, _PROWLER)),
    FlaggedPort("dev HTTP", TCP, 5500, 5500, (_EC2_19, _PROWLER)),
    FlaggedPort("Kibana", TCP, 5601, 5601, (_EC2_19, _PROWLER)),
    FlaggedPort("Redis", TCP, 6379, 6379, (_PROWLER,)),
    FlaggedPort("Cassandra", TCP, 7199, 7199, (_PROWLER,)),
    FlaggedPort("alternate HTTP", TCP, 8080, 8080, (_EC2_19, _PROWLER)),
    FlaggedPort("alternate HTTP", TCP, 8088, 8088, (_EC2_19, _PROWLER)),
    FlaggedPort("alternate HTTP, Cassandra", TCP, 8888, 8888, (_EC2_19, _PROWLER)),
    FlaggedPort("Kafka", TCP, 9092, 9092, (_PROWLER,)),
    FlaggedPort("Cassandra", TCP, 9160, 9160, (_PROWLER,)),
    FlaggedPort("OpenSearch", TCP, 9200, 9200, (_EC2_19, _PROWLER)),
    FlaggedPort("OpenSearch", TCP, 9300, 9300, (_EC2_19, _PROWLER)),
    FlaggedPort("Memcached", TCP_UDP, 11211, 11211, (_PROWLER,)),
    FlaggedPort("MongoDB", TCP, 27017, 27018, (_PROWLER, _SCOUTSUITE)),
)
EVERY_PORT_FLAGGED_BY = ("Security Hub EC2.18", "Checkov CKV_AWS_277", _PROWLER)


class PublicException(namedtuple("PublicException", ["key", "reason"])):
    """Permission to open (key.protocol, key.from_port..key.to_port) to the world, with the reason."""

    __slots__ = ()

    def excuses(self, exposed):
        """True when this exception covers an exposed RuleKey (protocol and whole range)."""
        return (
            self.key.protocol in (exposed.protocol, "all")
            and self.key.from_port <= exposed.from_port
            and exposed.to_port <= self.key.to_port
        )

    def to_dict(self):
        return {"protocol": self.key.protocol, "from_port": self.key.from_port, "to_port": self.key.to_port, "reason": self.reason}


def parse_public_exceptions(specs, field="public_exceptions"):
    """User exceptions (dicts with protocol, from_port, to_port, reason) -> tuple of PublicException."""
    exceptions = []
    for index, spec in enumerate(specs or ()):
        where = "%s[%d]" % (field, index)
        if not isinstance(spec, dict):
            raise RuleError(where, "expected a dictionary, got %r" % (spec,))
        unknown = sorted(set(spec) - set(EXCEPTION_FIELDS))
        if unknown:
            raise RuleError(where, "unknown field(s) %s; an exception has %s" % (", ".join(unknown), ", ".join(EXCEPTION_FIELDS)))
        if spec.get("protocol") is None:
            raise RuleError(where + ".protocol", "is required")
        key = normalize_key(spec.get("protocol"), spec.get("from_port"), spec.get("to_port"), where)
        if key.protocol not in ("tcp", "udp", "all"):
            # The policy flags ports, so an exception names ports; it also opens them to the world in a baseline, and an
            # ICMP "exception" with -1 would open every ICMP type to everyone.
            raise RuleError(where + ".protocol", "%r: an exception is for tcp, udp or all ports; put ICMP rules in extra_rules with their sources"
                            % (spec.get("protocol"),))
        reason = spec.get("reason")
        if reason is None or not str(reason).strip():
            raise RuleError(where + ".reason", "is required: say why %s may be open to the world" % key.describe())
        exceptions.append(PublicException(key, str(reason).strip()))
    return tuple(exceptions)


def covered_protocols(key):
    """The port protocols a rule covers: its own for tcp/udp, both for all, none for ICMP."""
    if key.protocol == "all":
        return TCP_UDP
    if key.protocol in TCP_UDP:
        return (key.protocol,)
    return ()


def opens_every_port(key):
    return key.protocol == "all" or (key.protocol in TCP_UDP and (key.from_port, key.to_port) == (PORT_MIN, PORT_MAX))


def family_cidrs(sources, family):
    """The CIDR blocks of one family ('ipv4' or 'ipv6') of a Sources."""
    return sources.cidrs if family == "ipv4" else sources.ipv6_cidrs


@lru_cache(maxsize=8192)
def covers_world(cidrs, family):
    """True when the CIDR blocks ``cidrs`` (a frozenset of one family's blocks) together cover the whole family.

    Cached: a fleet repeats the same few source sets thousands of times.
    """
    world = WORLD_IPV4 if family == "ipv4" else WORLD_IPV6
    if world in cidrs:
        return True
    if len(cidrs) < 2:
        return False
    version = 4 if family == "ipv4" else 6
    networks = []
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            continue
        if network.version == version:
            networks.append(network)
    collapsed = list(ipaddress.collapse_addresses(networks))
    return len(collapsed) == 1 and collapsed[0].prefixlen == 0


def exposures(firewall):
    """{'ipv4': [RuleKey...], 'ipv6': [RuleKey...]}: the rules open to the world on each firewall, sorted."""
    result = {}
    for family, world in FAMILIES:
        result[family] = sorted((key for key, sources in firewall.items() if covers_world(family_cidrs(sources, family), family)), key=rule_sort_key)
    return result


@lru_cache(maxsize=4096)
def _flagged_ranges(key):
    """((FlaggedPort, exposed RuleKey), ...) for every table row a tcp/udp rule's range overlaps (cached per rule)."""
    return tuple(
        (row, RuleKey(key.protocol, max(key.from_port, row.from_port), min(key.to_port, row.to_port)))
        for row in FLAGGED_PORTS
        if not (row.to_port < key.from_port or row.from_port > key.to_port or key.protocol not in row.protocols)
    )


def _open_to(pieces, world):
    """What a message says a rule is open to: the world, and the pieces (sorted blocks) when they make it up."""
    if world in pieces:
        return world
    if len(pieces) > PIECES_NAMED:
        return "%s (as %d blocks together)" % (world, len(pieces))
    return "%s (as %s)" % (world, " + ".join(pieces))


def _finding(check, service, flagged_by, exposed, rule, family, world, open_to, exceptions):
    excuse = next((exception for exception in exceptions if exception.excuses(exposed)), None)
    return {
        "check": check,
        "service": service,
        "protocol": exposed.protocol,
        "from_port": exposed.from_port,
        "to_port": exposed.to_port,
        "family": family,
        "source": world,
        "flagged_by": list(flagged_by),
        "rule": rule,
        "excepted": excuse is not None,
        "exception_reason": excuse.reason if excuse else None,
        "message": "%s (%s) open to %s" % (service, exposed.describe(), open_to),
    }


@lru_cache(maxsize=4096)
def _rule_findings(key, sources, exceptions):
    """The findings of one rule, both families: a tuple of dicts, cached (callers copy them)."""
    findings = []
    rule = None
    for family, world in FAMILIES:
        cidrs = family_cidrs(sources, family)
        if not covers_world(cidrs, family):
            continue
        rule = rule or rule_to_dict(key, sources)
        open_to = _open_to(rule["cidrs" if family == "ipv4" else "ipv6_cidrs"], world)
        if opens_every_port(key):
            findings.append(_finding(EVERY_PORT, "every port", EVERY_PORT_FLAGGED_BY, key, rule, family, world, open_to, exceptions))
            continue
        for row, exposed in _flagged_ranges(key):
            findings.append(_finding(FLAGGED_PORT, row.service, row.flagged_by, exposed, rule, family, world, open_to, exceptions))
    findings.sort(key=lambda f: (f["family"], f["from_port"]))
    return tuple(findings)


def exposure_findings(firewall, exceptions=()):
    """Every finding of the policy on a firewall {RuleKey: Sources}, violations and excepted ones (marked ``excepted``).

    Sorted by rule, then family, then port; ``[f for f in findings if not f['excepted']]`` are
    the violations. The findings of each distinct (rule, sources, exceptions) are worked out once
    and cached; every call returns fresh copies.
    """
    exceptions = tuple(exceptions)
    findings = []
    for key in sorted(firewall, key=rule_sort_key):
        findings.extend(_fresh(finding) for finding in _cached_rule_findings(key, firewall[key], exceptions))
    return findings


def _cached_rule_findings(key, sources, exceptions):
    try:
        return _rule_findings(key, sources, exceptions)
    except TypeError:  # unhashable: Sources built from lists rather than with Sources.of
        return _rule_findings.__wrapped__(key, Sources(*(frozenset(part) for part in sources)), exceptions)


def _fresh(finding):
    """A copy of a cached finding that shares nothing mutable with the cache."""
    rule = finding["rule"]
    return dict(
        finding,
        flagged_by=list(finding["flagged_by"]),
        rule=dict(rule, cidrs=list(rule["cidrs"]), ipv6_cidrs=list(rule["ipv6_cidrs"]), cidr_list_aliases=list(rule["cidr_list_aliases"])),
    )


def violations_only(findings):
    """The findings no public exception excuses."""
    return [finding for finding in findings if not finding["excepted"]]
