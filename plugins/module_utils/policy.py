# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The exposure policy: which rules open a flagged port to the whole Internet. Pure Python.

A port is exposed when any rule whose protocol and range cover it allows 0.0.0.0/0 (the IPv4
firewall) or ::/0 (the IPv6 firewall). ``tcp`` and ``udp`` rules cover the ports of their
range for their protocol; ``all`` covers every port of both. A rule of protocol ``all``, or a
tcp/udp rule over 0-65535, is one finding of its own ("every port") rather than one finding per
flagged service it covers.

A public exception names a protocol and a port range that may be open to the world, and why.
It excuses a finding when its protocol is the rule's protocol (or ``all``) and its range covers
the exposed range.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.seed.lightsail.plugins.module_utils.rules import PORT_MAX
from ansible_collections.seed.lightsail.plugins.module_utils.rules import PORT_MIN
from ansible_collections.seed.lightsail.plugins.module_utils.rules import WORLD_IPV4
from ansible_collections.seed.lightsail.plugins.module_utils.rules import WORLD_IPV6
from ansible_collections.seed.lightsail.plugins.module_utils.rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils.rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils.rules import normalize_key
from ansible_collections.seed.lightsail.plugins.module_utils.rules import rule_sort_key
from ansible_collections.seed.lightsail.plugins.module_utils.rules import rule_to_dict

EVERY_PORT = "every_port"
FLAGGED_PORT = "flagged_port"
FAMILIES = (("ipv4", WORLD_IPV4), ("ipv6", WORLD_IPV6))
EXCEPTION_FIELDS = ("protocol", "from_port", "to_port", "reason")

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


def exposures(firewall):
    """{'ipv4': [RuleKey...], 'ipv6': [RuleKey...]}: the rules open to the world on each firewall, sorted."""
    result = {}
    for family, world in FAMILIES:
        sources_of = (lambda sources: sources.cidrs) if family == "ipv4" else (lambda sources: sources.ipv6_cidrs)
        result[family] = sorted((key for key, sources in firewall.items() if world in sources_of(sources)), key=rule_sort_key)
    return result


def _flagged_ranges(key):
    """(FlaggedPort, exposed RuleKey) for every table row a tcp/udp rule's range overlaps."""
    for row in FLAGGED_PORTS:
        if row.to_port < key.from_port or row.from_port > key.to_port or key.protocol not in row.protocols:
            continue
        yield row, RuleKey(key.protocol, max(key.from_port, row.from_port), min(key.to_port, row.to_port))


def _finding(check, service, flagged_by, exposed, key, sources, family, world, exceptions):
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
        "rule": rule_to_dict(key, sources),
        "excepted": excuse is not None,
        "exception_reason": excuse.reason if excuse else None,
        "message": "%s (%s) open to %s" % (service, exposed.describe(), world),
    }


def find_violations(firewall, exceptions=()):
    """Every finding of the policy on a firewall {RuleKey: Sources}, excepted ones marked so.

    Sorted by rule, then family, then port; ``[f for f in findings if not f['excepted']]`` are
    the violations.
    """
    findings = []
    open_to_world = exposures(firewall)
    for family, world in FAMILIES:
        for key in open_to_world[family]:
            sources = firewall[key]
            if opens_every_port(key):
                findings.append(_finding(EVERY_PORT, "every port", EVERY_PORT_FLAGGED_BY, key, key, sources, family, world, exceptions))
                continue
            for row, exposed in _flagged_ranges(key):
                findings.append(_finding(FLAGGED_PORT, row.service, row.flagged_by, exposed, key, sources, family, world, exceptions))
    findings.sort(key=lambda f: (rule_sort_key(RuleKey(f["rule"]["protocol"], f["rule"]["from_port"], f["rule"]["to_port"])), f["family"], f["from_port"]))
    return findings


def violations_only(findings):
    return [finding for finding in findings if not finding["excepted"]]
