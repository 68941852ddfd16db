from __future__ import annotations

import ipaddress
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._policy import EVERY_PORT
from ansible_collections.seed.lightsail.plugins.module_utils._policy import FLAGGED_PORT
from ansible_collections.seed.lightsail.plugins.module_utils._policy import FLAGGED_PORTS
from ansible_collections.seed.lightsail.plugins.module_utils._policy import exposures
from ansible_collections.seed.lightsail.plugins.module_utils._policy import exposure_findings
from ansible_collections.seed.lightsail.plugins.module_utils._policy import parse_public_exceptions
from ansible_collections.seed.lightsail.plugins.module_utils._policy import violations_only
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources

WORLD4, WORLD6, OFFICE = "0.0.0.0/0", "::/0", "203.0.113.0/24"
OPEN4 = Sources.of([WORLD4])
OPEN6 = Sources.of((), [WORLD6])
OPEN_BOTH = Sources.of([WORLD4], [WORLD6])


def key(protocol, from_port, to_port=None):
    return RuleKey(protocol, from_port, from_port if to_port is None else to_port)


def services(findings):
    return sorted((f["service"], f["protocol"], f["from_port"], f["to_port"], f["family"]) for f in findings)


def exceptions(*specs):
    return parse_public_exceptions([dict(zip(("protocol", "from_port", "to_port", "reason"), spec)) for spec in specs])


class TestTable:
    def test_rows_are_well_formed(self):
        for row in FLAGGED_PORTS:
            assert row.protocols and set(row.protocols) <= {"tcp", "udp"}, row
            assert 0 <= row.from_port <= row.to_port <= 65535, row
            assert row.flagged_by, row

    @pytest.mark.parametrize("service, protocol, port", [
        ("SSH", "tcp", 22), ("SSH", "udp", 22), ("RDP", "tcp", 3389), ("RDP", "udp", 3389), ("FTP", "tcp", 20), ("FTP", "tcp", 21),
        ("Telnet", "tcp", 23), ("SMB/CIFS", "tcp", 445), ("NetBIOS", "udp", 137), ("NetBIOS", "tcp", 139), ("RPC", "tcp", 135),
        ("NFS", "tcp", 2049), ("MSSQL", "tcp", 1433), ("MSSQL Browser", "udp", 1434), ("MySQL", "tcp", 3306), ("PostgreSQL", "tcp", 5432),
        ("Oracle", "tcp", 1521), ("Oracle", "tcp", 2483), ("mSQL", "tcp", 4333), ("Redis", "tcp", 6379), ("Memcached", "udp", 11211),
        ("MongoDB", "tcp", 27018), ("OpenSearch", "tcp", 9200), ("OpenSearch", "tcp", 9300), ("Kibana", "tcp", 5601), ("Kafka", "tcp", 9092),
        ("Cassandra", "tcp", 7199), ("Cassandra", "tcp", 9160), ("alternate HTTP, Cassandra", "tcp", 8888), ("dev HTTP", "tcp", 3000),
        ("dev HTTP", "tcp", 5000), ("dev HTTP", "tcp", 5500), ("alternate HTTP", "tcp", 8080), ("alternate HTTP", "tcp", 8088),
        ("SMTP", "tcp", 25), ("POP3", "tcp", 110), ("IMAP", "tcp", 143),
    ])
    def test_every_port_of_the_facts_table_is_flagged(self, service, protocol, port):
        findings = exposure_findings({key(protocol, port): OPEN4})
        assert [(f["service"], f["check"]) for f in findings] == [(service, FLAGGED_PORT)]

    @pytest.mark.parametrize("protocol, port", [("tcp", 80), ("tcp", 443), ("udp", 3306), ("udp", 53), ("tcp", 53), ("udp", 443), ("tcp", 8443)])
    def test_ports_nobody_flags(self, protocol, port):
        assert exposure_findings({key(protocol, port): OPEN_BOTH}) == []


class TestExposures:
    def test_world_sources_per_family(self):
        firewall = {key("tcp", 22): Sources.of([OFFICE], [WORLD6]), key("tcp", 80): OPEN_BOTH, key("tcp", 443): OPEN4}
        assert exposures(firewall) == {"ipv4": [key("tcp", 80), key("tcp", 443)], "ipv6": [key("tcp", 22), key("tcp", 80)]}

    @pytest.mark.parametrize("sources", [
        Sources.of(["0.0.0.0/1"]), Sources.of(["0.0.0.0/1", "128.0.0.0/2"]), Sources.of(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/4"]),
        Sources.of([OFFICE]), Sources.of((), ["2000::/3"]), Sources.of((), ["::/1", "8000::/2"]),
        Sources.of((), (), ["lightsail-connect"]), Sources.of(["0.0.0.0/1"], ["8000::/1"]),
    ])
    def test_only_the_whole_address_space_counts(self, sources):
        assert exposure_findings({key("tcp", 22): sources}) == []

    @pytest.mark.parametrize("sources, family", [
        (Sources.of(["0.0.0.0/1", "128.0.0.0/1"]), "ipv4"),
        (Sources.of(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/2", OFFICE]), "ipv4"),
        (Sources.of(["%d.0.0.0/8" % n for n in range(256)]), "ipv4"),
        (Sources.of((), ["::/1", "8000::/1"]), "ipv6"),
        (Sources.of((), ["%x::/4" % (n << 12) for n in range(16)]), "ipv6"),
    ])
    def test_pieces_that_cover_a_family_are_the_world(self, sources, family):
        assert exposures({key("tcp", 22): sources})[family] == [key("tcp", 22)]
        assert [(f["service"], f["family"], f["source"]) for f in exposure_findings({key("tcp", 22): sources})] == [
            ("SSH", family, WORLD4 if family == "ipv4" else WORLD6)]

    def test_families_do_not_mix(self):
        """IPv4 pieces never complete the IPv6 world, nor the other way round."""
        assert exposures({key("tcp", 22): Sources.of(["0.0.0.0/1"], ["8000::/1"])}) == {"ipv4": [], "ipv6": []}


class TestFindings:
    def test_a_finding_describes_rule_family_and_sources(self):
        [finding] = exposure_findings({key("tcp", 22): Sources.of([WORLD4, OFFICE])})
        assert finding == {
            "check": FLAGGED_PORT, "service": "SSH", "protocol": "tcp", "from_port": 22, "to_port": 22, "family": "ipv4", "source": WORLD4,
            "flagged_by": list(FLAGGED_PORTS[1].flagged_by),
            "rule": {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": [WORLD4, OFFICE], "ipv6_cidrs": [], "cidr_list_aliases": []},
            "excepted": False, "exception_reason": None, "message": "SSH (tcp 22) open to 0.0.0.0/0",
        }

    def test_pieces_keep_the_report_shape_and_name_themselves_in_the_message(self):
        [finding] = exposure_findings({key("tcp", 22): Sources.of(["128.0.0.0/1", "0.0.0.0/1"])})
        [literal] = exposure_findings({key("tcp", 22): OPEN4})
        assert set(finding) == set(literal) and finding["source"] == WORLD4
        assert finding["message"] == "SSH (tcp 22) open to 0.0.0.0/0 (as 0.0.0.0/1 + 128.0.0.0/1)"
        assert finding["rule"]["cidrs"] == ["0.0.0.0/1", "128.0.0.0/1"]

    def test_many_pieces_are_counted_not_listed(self):
        [finding] = exposure_findings({key("tcp", 3389): Sources.of((), ["%x::/4" % (n << 12) for n in range(16)])})
        assert finding["message"] == "RDP (tcp 3389) open to ::/0 (as 16 blocks together)" and finding["source"] == WORLD6

    def test_a_literal_world_is_named_alone(self):
        [finding] = exposure_findings({key("tcp", 22): Sources.of([WORLD4, "0.0.0.0/1", "128.0.0.0/1"])})
        assert finding["message"] == "SSH (tcp 22) open to 0.0.0.0/0"

    def test_findings_are_fresh_on_every_call(self):
        """Findings are cached per rule: what a caller does to one result must not leak into the next."""
        firewall = {key("tcp", 22): Sources.of([WORLD4, OFFICE])}
        first = exposure_findings(firewall)
        first[0]["rule"]["cidrs"].append("x")
        first[0]["flagged_by"].clear()
        first[0]["message"] = "changed"
        assert exposure_findings(firewall) == exposure_findings({key("tcp", 22): Sources.of([OFFICE, WORLD4])})
        assert exposure_findings(firewall)[0]["message"] == "SSH (tcp 22) open to 0.0.0.0/0" and exposure_findings(firewall)[0]["flagged_by"]
        assert exposure_findings(firewall)[0]["rule"]["cidrs"] == [WORLD4, OFFICE]

    def test_sources_made_of_lists_still_work(self):
        assert services(exposure_findings({key("tcp", 22): Sources([WORLD4], [], [])})) == [("SSH", "tcp", 22, 22, "ipv4")]

    def test_each_family_is_a_finding(self):
        assert services(exposure_findings({key("tcp", 3389): OPEN_BOTH})) == [("RDP", "tcp", 3389, 3389, "ipv4"), ("RDP", "tcp", 3389, 3389, "ipv6")]

    def test_a_range_is_one_finding_per_flagged_service_it_covers(self):
        assert services(exposure_findings({key("tcp", 20, 25): OPEN4})) == [
            ("FTP", "tcp", 20, 21, "ipv4"), ("SMTP", "tcp", 25, 25, "ipv4"), ("SSH", "tcp", 22, 22, "ipv4"), ("Telnet", "tcp", 23, 23, "ipv4"),
        ]

    def test_a_range_reports_only_the_part_it_exposes(self):
        assert services(exposure_findings({key("tcp", 1434, 1500): OPEN6})) == [("MSSQL", "tcp", 1434, 1434, "ipv6")]
        assert services(exposure_findings({key("tcp", 27018, 30000): OPEN4})) == [("MongoDB", "tcp", 27018, 27018, "ipv4")]

    def test_udp_counts_only_where_the_service_listens_on_udp(self):
        assert services(exposure_findings({key("udp", 1433, 1434): OPEN4})) == [("MSSQL Browser", "udp", 1434, 1434, "ipv4")]

    @pytest.mark.parametrize("rule", [key("all", 0, 65535), key("tcp", 0, 65535), key("udp", 0, 65535)])
    def test_every_port_is_one_finding(self, rule):
        findings = exposure_findings({rule: OPEN_BOTH})
        assert [(f["check"], f["service"], f["family"]) for f in findings] == [(EVERY_PORT, "every port", "ipv4"), (EVERY_PORT, "every port", "ipv6")]
        assert "Security Hub EC2.18" in findings[0]["flagged_by"]

    def test_icmp_is_not_flagged(self):
        assert exposure_findings({key("icmp", -1, -1): OPEN_BOTH, key("icmpv6", 128, 0): OPEN6}) == []

    def test_findings_are_sorted_by_rule_then_family(self):
        firewall = {key("tcp", 3306): OPEN_BOTH, key("tcp", 22): OPEN_BOTH}
        assert [(f["from_port"], f["family"]) for f in exposure_findings(firewall)] == [(22, "ipv4"), (22, "ipv6"), (3306, "ipv4"), (3306, "ipv6")]


class TestExceptions:
    def test_an_exception_excuses_what_it_names(self):
        [finding] = exposure_findings({key("tcp", 25): OPEN4}, exceptions(("tcp", 25, 25, "mail relay")))
        assert finding["excepted"] and finding["exception_reason"] == "mail relay"
        assert violations_only([finding]) == []

    def test_an_exception_excuses_nothing_else(self):
        findings = exposure_findings({key("tcp", 20, 25): OPEN4}, exceptions(("tcp", 25, 25, "mail relay")))
        assert [f["service"] for f in violations_only(findings)] == ["FTP", "SSH", "Telnet"]

    def test_protocol_must_match_or_be_all(self):
        firewall = {key("tcp", 22): OPEN4}
        assert violations_only(exposure_findings(firewall, exceptions(("udp", 22, 22, "x"))))
        assert not violations_only(exposure_findings(firewall, exceptions(("all", 22, 22, "bastion"))))

    def test_the_range_must_cover_the_exposure(self):
        firewall = {key("tcp", 27017, 27018): OPEN4}
        assert violations_only(exposure_findings(firewall, exceptions(("tcp", 27017, 27017, "x"))))
        assert not violations_only(exposure_findings(firewall, exceptions(("tcp", 27000, 28000, "replica set"))))

    def test_every_port_needs_an_exception_for_every_port(self):
        firewall = {key("all", 0, 65535): OPEN4}
        assert violations_only(exposure_findings(firewall, exceptions(("tcp", 0, 65535, "x"))))
        assert not violations_only(exposure_findings(firewall, exceptions(("all", None, None, "honeypot"))))

    def test_parse_normalises(self):
        [exception] = parse_public_exceptions([{"protocol": "TCP", "from_port": 25, "reason": " mail "}])
        assert exception.key == key("tcp", 25) and exception.reason == "mail"
        assert exception.to_dict() == {"protocol": "tcp", "from_port": 25, "to_port": 25, "reason": "mail"}

    @pytest.mark.parametrize("spec, where, text", [
        ({"protocol": "tcp", "from_port": 25}, "public_exceptions[0].reason", "is required: say why tcp 25"),
        ({"protocol": "tcp", "from_port": 25, "reason": "  "}, "public_exceptions[0].reason", "is required"),
        ({"from_port": 25, "reason": "x"}, "public_exceptions[0].protocol", "is required"),
        ({"protocol": "tcp", "from_port": 70000, "reason": "x"}, "public_exceptions[0].from_port", "out of range"),
        ({"protocol": "tcp", "port": 25, "reason": "x"}, "public_exceptions[0]", "unknown field(s) port"),
        ("tcp/25", "public_exceptions[0]", "expected a dictionary"),
    ])
    def test_errors_name_the_field(self, spec, where, text):
        with pytest.raises(RuleError) as error:
            parse_public_exceptions([spec])
        assert error.value.where == where and text in str(error.value)

    def test_field_name_is_the_callers(self):
        with pytest.raises(RuleError, match=r"^firewall_baseline_public_exceptions\[1\]\.reason"):
            parse_public_exceptions([{"protocol": "tcp", "from_port": 25, "reason": "a"}, {"protocol": "tcp", "from_port": 26}],
                                    field="firewall_baseline_public_exceptions")


FLAGGED_PROTOCOL_PORTS = [(protocol, port) for row in FLAGGED_PORTS for protocol in row.protocols for port in range(row.from_port, row.to_port + 1)]
WORLD_SOURCES = st.sampled_from([OPEN4, OPEN6, OPEN_BOTH, Sources.of([WORLD4, OFFICE], ["2001:db8::/32", WORLD6], ["lightsail-connect"])])


@given(st.sampled_from(FLAGGED_PROTOCOL_PORTS), st.integers(0, 2000), st.integers(0, 2000), WORLD_SOURCES)
def test_any_rule_opening_a_flagged_port_to_the_world_is_found(protocol_port, below, above, sources):
    protocol, port = protocol_port
    rule = key(protocol, max(0, port - below), min(65535, port + above))
    findings = exposure_findings({rule: sources})
    families = {"ipv4"} if WORLD4 in sources.cidrs else set()
    families |= {"ipv6"} if WORLD6 in sources.ipv6_cidrs else set()
    for family in families:
        assert any(
            f["family"] == family and (f["check"] == EVERY_PORT or f["protocol"] == protocol and f["from_port"] <= port <= f["to_port"])
            for f in findings
        ), (rule, family, findings)
    for finding in findings:
        assert rule.from_port <= finding["from_port"] <= finding["to_port"] <= rule.to_port


@given(st.sampled_from(["tcp", "udp", "all"]), st.integers(0, 65535), st.integers(0, 65535),
       st.frozensets(st.sampled_from([OFFICE, "10.0.0.0/8", "0.0.0.0/1"])), st.frozensets(st.sampled_from(["2001:db8::/32", "::/1"])))
def test_nothing_is_found_without_a_world_source(protocol, first, last, cidrs, ipv6_cidrs):
    rule = key(protocol, min(first, last), max(first, last))
    assert exposure_findings({rule: Sources.of(cidrs, ipv6_cidrs, ["lightsail-connect"])}) == []


@st.composite
def ipv4_pieces(draw):
    """IPv4 blocks that often cover the whole family: a random partition of 0.0.0.0/0, perhaps with a piece
    dropped or shrunk, plus random blocks."""
    pieces, todo = [], [ipaddress.ip_network(WORLD4)]
    while todo:
        network = todo.pop()
        if network.prefixlen < 6 and draw(st.integers(0, 2)) > 0:
            todo.extend(network.subnets())
        else:
            pieces.append(network)
    if draw(st.booleans()):
        victim = pieces.pop(draw(st.integers(0, len(pieces) - 1)))
        if draw(st.booleans()) and victim.prefixlen < 32:
            pieces.append(next(victim.subnets()))
    pieces.extend(ipaddress.ip_network((draw(st.integers(0, 2 ** 32 - 1)), draw(st.integers(1, 32))), strict=False)
                  for _extra in range(draw(st.integers(0, 2))))
    return [str(piece) for piece in pieces]


def covers_everything(cidrs, size):
    """Oracle without collapse_addresses: merge the blocks as integer intervals."""
    reach = 0
    for first, last in sorted((int(n.network_address), int(n.broadcast_address)) for n in map(ipaddress.ip_network, cidrs)):
        if first > reach:
            return False
        reach = max(reach, last + 1)
    return reach == size


@given(ipv4_pieces())
def test_a_rule_is_open_to_the_world_exactly_when_its_blocks_cover_everything(cidrs):
    findings = exposure_findings({key("tcp", 22): Sources.of(cidrs)})
    assert bool(findings) == covers_everything(cidrs, 2 ** 32)
    assert all(f["source"] == WORLD4 and f["family"] == "ipv4" for f in findings)


@given(st.sampled_from(FLAGGED_PROTOCOL_PORTS), WORLD_SOURCES)
def test_an_exception_for_exactly_the_rule_excuses_all_its_findings(protocol_port, sources):
    protocol, port = protocol_port
    findings = exposure_findings({key(protocol, port): sources}, exceptions((protocol, port, port, "because")))
    assert findings and all(f["excepted"] for f in findings)


def test_the_documented_table_matches_the_data():
    """docs/baselines.md justifies each flagged port; it must list exactly the rows of FLAGGED_PORTS."""
    docs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "..", "docs", "baselines.md")
    with open(docs) as handle:
        lines = [line for line in handle.read().splitlines() if line.startswith("| ")]
    documented = set()
    for line in lines:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if len(cells) == 4 and cells[1] in ("tcp", "udp", "tcp, udp"):
            for ports in cells[2].split(", "):
                documented.add((cells[0], tuple(cells[1].split(", ")), ports))
    expected = set((row.service, row.protocols, "%d" % row.from_port if row.from_port == row.to_port else "%d-%d" % (row.from_port, row.to_port))
                   for row in FLAGGED_PORTS)
    assert documented == expected


@pytest.mark.parametrize("protocol", ["icmp", "icmpv6", "ICMP"])
def test_an_exception_is_for_ports_not_icmp(protocol):
    """Issue 13 item 13: an ICMP exception with -1 opened every ICMP type to the world."""
    with pytest.raises(RuleError, match=r"public_exceptions\[0\]\.protocol: '%s': an exception is for tcp, udp or all ports" % protocol):
        parse_public_exceptions([{"protocol": protocol, "from_port": -1, "reason": "ping"}])
