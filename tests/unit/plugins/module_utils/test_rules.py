from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._rules import MAX_RULES_PER_REQUEST
from ansible_collections.seed.lightsail.plugins.module_utils._rules import MAX_SOURCES_PER_RULE
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv4_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv6_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_key
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rule
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules
from ansible_collections.seed.lightsail.plugins.module_utils._rules import validate_instance_name


class TestNormalisation:
    @pytest.mark.parametrize(
        "given_value, expected",
        [("192.0.2.44", "192.0.2.44/32"), ("192.0.2.44/32", "192.0.2.44/32"), (" 10.0.0.0/8 ", "10.0.0.0/8"), ("0.0.0.0/0", "0.0.0.0/0")],
    )
    def test_ipv4_forms(self, given_value, expected):
        assert normalize_ipv4_cidr(given_value) == expected

    @pytest.mark.parametrize(
        "given_value, expected",
        [("2001:DB8::1", "2001:db8::1/128"), ("2001:0db8:0000::/32", "2001:db8::/32"), ("::/0", "::/0")],
    )
    def test_ipv6_canonical(self, given_value, expected):
        assert normalize_ipv6_cidr(given_value) == expected

    def test_host_bits_suggest_the_network(self):
        with pytest.raises(RuleError, match=r"'10\.1\.2\.3/8' has host bits set; did you mean '10\.0\.0\.0/8'"):
            normalize_ipv4_cidr("10.1.2.3/8")

    def test_ipv6_in_cidrs_is_named(self):
        with pytest.raises(RuleError, match="ipv6_cidrs"):
            normalize_ipv4_cidr("::/0")

    def test_ipv4_in_ipv6_cidrs_is_named(self):
        with pytest.raises(RuleError, match="list it under cidrs"):
            normalize_ipv6_cidr("0.0.0.0/0")

    @pytest.mark.parametrize("protocol", ["tcp", "TCP", " Tcp "])
    def test_protocol_case_insensitive(self, protocol):
        assert normalize_key(protocol, 22, None) == RuleKey("tcp", 22, 22)

    def test_minus_one_is_all(self):
        assert normalize_key("-1", None, None) == normalize_key("all", None, None) == RuleKey("all", 0, 65535)

    def test_all_read_back_with_minus_one_ports(self):
        assert normalize_key("all", -1, -1) == RuleKey("all", 0, 65535)

    def test_icmp_to_port_defaults_to_every_code(self):
        assert normalize_key("icmp", 8, None) == RuleKey("icmp", 8, -1)

    def test_icmpv6_spelling_from_the_api_reference(self):
        assert normalize_key("icmp6", 128, 0) == RuleKey("icmpv6", 128, 0)

    @given(st.ip_addresses(v=4), st.integers(min_value=0, max_value=32))
    def test_ipv4_normal_form_is_a_fixed_point(self, address, prefix):
        network = str(ipaddress.ip_network("%s/%d" % (address, prefix), strict=False))
        assert normalize_ipv4_cidr(normalize_ipv4_cidr(network)) == normalize_ipv4_cidr(network) == network

    @given(st.ip_addresses(v=6), st.integers(min_value=0, max_value=128))
    def test_ipv6_normal_form_is_a_fixed_point(self, address, prefix):
        network = str(ipaddress.ip_network("%s/%d" % (address, prefix), strict=False))
        assert normalize_ipv6_cidr(network.upper()) == network


class TestBadInput:
    @pytest.mark.parametrize(
        "rule, where, message",
        [
            ({"protocol": "tcp", "from_port": 70000, "cidrs": ["1.1.1.1"]}, "ports[0].from_port", "out of range"),
            ({"protocol": "tcp", "from_port": -1, "cidrs": ["1.1.1.1"]}, "ports[0].from_port", "out of range"),
            ({"protocol": "udp", "from_port": 53, "to_port": 70000, "cidrs": ["1.1.1.1"]}, "ports[0].to_port", "out of range"),
            ({"protocol": "tcp", "from_port": 90, "to_port": 80, "cidrs": ["1.1.1.1"]}, "ports[0]", "greater than to_port"),
            ({"protocol": "icmp", "from_port": 256, "cidrs": ["1.1.1.1"]}, "ports[0].from_port", "ICMP type"),
            ({"protocol": "icmp", "from_port": 8, "to_port": 300, "cidrs": ["1.1.1.1"]}, "ports[0].to_port", "ICMP code"),
            ({"protocol": "icmp", "from_port": -1, "to_port": 0, "cidrs": ["1.1.1.1"]}, "ports[0].to_port", "every code"),
            ({"protocol": "gre", "from_port": 1, "cidrs": ["1.1.1.1"]}, "ports[0].protocol", "unknown protocol 'gre'"),
            ({"protocol": "tcp", "cidrs": ["1.1.1.1"]}, "ports[0].from_port", "required"),
            ({"from_port": 22, "cidrs": ["1.1.1.1"]}, "ports[0].protocol", "required"),
            ({"protocol": "tcp", "from_port": "ssh", "cidrs": ["1.1.1.1"]}, "ports[0].from_port", "'ssh' is not an integer"),
            ({"protocol": "tcp", "from_port": 22, "cidrs": ["300.1.1.1"]}, "ports[0] (tcp 22).cidrs[0]", "'300.1.1.1' is not"),
            ({"protocol": "tcp", "from_port": 22, "cidrs": ["2001:db8::/32"]}, "ports[0] (tcp 22).cidrs[0]", "IPv6"),
            ({"protocol": "tcp", "from_port": 22, "ipv6_cidrs": ["2001:db8::1/32"]}, "ports[0] (tcp 22).ipv6_cidrs[0]", "host bits"),
            ({"protocol": "tcp", "from_port": 22, "cidr_list_aliases": ["cloudflare"]}, "ports[0] (tcp 22).cidr_list_aliases[0]", "unknown alias 'cloudflare'"),
            ({"protocol": "tcp", "from_port": 22, "cidrs": "10.0.0.0/8"}, "ports[0] (tcp 22).cidrs", "expected a list"),
            ({"protocol": "tcp", "from_port": 22, "port": 23}, "ports[0]", "unknown field(s) port"),
            ({"protocol": "tcp", "from_port": 22}, "ports[0] (tcp 22)", "no sources"),
        ],
    )
    def test_error_names_the_rule_and_field(self, rule, where, message):
        with pytest.raises(RuleError) as caught:
            parse_rules([rule], require_sources=True)
        assert str(caught.value).startswith(where + ":"), str(caught.value)
        assert message in str(caught.value)

    def test_too_many_sources(self):
        cidrs = ["10.0.%d.0/24" % i for i in range(MAX_SOURCES_PER_RULE + 1)]
        with pytest.raises(RuleError, match="61 sources; Lightsail accepts at most 60"):
            parse_rule({"protocol": "tcp", "from_port": 22, "cidrs": cidrs})

    def test_sixty_sources_across_families_are_fine(self):
        key, sources = parse_rule(
            {"protocol": "tcp", "from_port": 22, "cidrs": ["10.0.%d.0/24" % i for i in range(30)], "ipv6_cidrs": ["2001:db8:%x::/48" % i for i in range(30)]}
        )
        assert sources.count() == 60

    def test_conflicting_duplicates(self):
        rules = [{"protocol": "tcp", "from_port": 22, "cidrs": ["10.0.0.0/8"]}, {"protocol": "TCP", "from_port": 22, "to_port": 22, "cidrs": ["192.0.2.1"]}]
        with pytest.raises(RuleError, match=r"ports\[1\]: describes tcp 22 again, with other sources than ports\[0\]"):
            parse_rules(rules)

    def test_identical_duplicates_count_once(self):
        rules = [{"protocol": "tcp", "from_port": 22, "cidrs": ["192.0.2.1"]}, {"protocol": "tcp", "from_port": 22, "cidrs": ["192.0.2.1/32"]}]
        assert len(parse_rules(rules)) == 1

    def test_absent_rules_may_have_no_sources(self):
        assert parse_rules([{"protocol": "tcp", "from_port": 3306}]) == {RuleKey("tcp", 3306, 3306): Sources.empty()}


class TestOutputShape:
    def test_round_trip_through_the_user_shape(self):
        firewall = parse_rules(
            [
                {"protocol": "tcp", "from_port": 22, "cidrs": ["192.0.2.44", "10.0.0.0/8"], "cidr_list_aliases": ["LIGHTSAIL-CONNECT"]},
                {"protocol": "icmpv6", "from_port": 128, "to_port": 0, "ipv6_cidrs": ["2001:DB8::/32"]},
                {"protocol": "all", "cidrs": ["203.0.113.0/24"]},
            ]
        )
        listed = firewall_to_list(firewall)
        assert parse_rules(listed) == firewall
        assert listed[0] == {
            "protocol": "all", "from_port": 0, "to_port": 65535, "cidrs": ["203.0.113.0/24"], "ipv6_cidrs": [], "cidr_list_aliases": [],
        }
        ssh = [rule for rule in listed if rule["from_port"] == 22][0]
        assert ssh["cidrs"] == ["10.0.0.0/8", "192.0.2.44/32"]
        assert ssh["cidr_list_aliases"] == ["lightsail-connect"]


class TestIssue13Input:
    """Input accepted before issue 13 that meant something else than the user wrote, or nothing at all."""

    @pytest.mark.parametrize("from_port, to_port", [(None, None), (-1, None), (None, -1), (-1, -1), ("-1", None), (0, 65535), (0, None)])
    def test_all_means_every_port(self, from_port, to_port):
        spec = {"protocol": "-1", "from_port": from_port, "to_port": to_port, "cidrs": ["203.0.113.0/24"]}
        if (from_port, to_port) == (0, None):
            with pytest.raises(RuleError, match="protocol all covers every port"):
                parse_rule(spec)
            return
        assert parse_rule(spec)[0] == RuleKey("all", 0, 65535)

    @pytest.mark.parametrize("from_port, to_port", [(22, None), (22, 65535), (1000, 2000), (None, 80)])
    def test_all_with_ports_is_refused_not_widened(self, from_port, to_port):
        with pytest.raises(RuleError, match=r"^ports\[0\] \(all .*\): protocol all covers every port of every protocol in Lightsail"):
            parse_rules([{"protocol": "all", "from_port": from_port, "to_port": to_port, "cidrs": ["203.0.113.0/24"]}])

    def test_normalize_key_reads_all_with_one_port_as_that_port(self):
        """What public exceptions (policy.py) get: all 22 is port 22 over any protocol, not 22-65535."""
        assert normalize_key("all", 22, None) == RuleKey("all", 22, 22)

    def test_mask_notation_is_read_as_a_prefix_length(self):
        assert normalize_ipv4_cidr("10.0.0.0/255.0.0.0") == "10.0.0.0/8"
        with pytest.raises(RuleError, match="did you mean '10.0.0.0/8'"):
            normalize_ipv4_cidr("10.1.0.0/255.0.0.0")

    def test_icmpv6_with_only_ipv4_sources_is_refused(self):
        with pytest.raises(RuleError, match=r"^ports\[0\] \(icmpv6 type 128 code -1\)\.cidrs: 203\.0\.113\.0/24 are IPv4 sources"):
            parse_rules([{"protocol": "icmpv6", "from_port": 128, "cidrs": ["203.0.113.0/24"]}])

    def test_icmp_with_only_ipv6_sources_is_refused(self):
        with pytest.raises(RuleError, match=r"^ports\[0\] \(icmp type 8 code -1\)\.ipv6_cidrs: ::/0 are IPv6 sources"):
            parse_rules([{"protocol": "icmp", "from_port": 8, "ipv6_cidrs": ["::/0"]}])

    def test_icmp_families_that_fit_are_fine(self):
        assert len(parse_rules([{"protocol": "icmpv6", "from_port": 128, "ipv6_cidrs": ["::/0"]},
                                {"protocol": "icmp", "from_port": 8, "cidrs": ["0.0.0.0/0"], "ipv6_cidrs": ["::/0"]}])) == 2

    @pytest.mark.parametrize("field", ["cidrs", "ipv6_cidrs", "cidr_list_aliases"])
    def test_an_explicitly_empty_list_does_not_close_the_whole_rule(self, field):
        with pytest.raises(RuleError, match=r"^ports\[0\] \(tcp 22\)\.%s: an empty list removes no source; to close the whole rule" % field):
            parse_rules([{"protocol": "tcp", "from_port": 22, field: []}], closing=True)

    def test_only_omitted_lists_mean_the_whole_rule(self):
        assert parse_rules([{"protocol": "tcp", "from_port": 22, "cidrs": None, "ipv6_cidrs": None}], closing=True) == {
            RuleKey("tcp", 22, 22): Sources.empty()}
        assert parse_rules([{"protocol": "tcp", "from_port": 22, "cidrs": [], "ipv6_cidrs": ["::/0"]}], closing=True) == {
            RuleKey("tcp", 22, 22): Sources.of(ipv6_cidrs=["::/0"])}

    def test_a_list_longer_than_two_firewalls_is_refused_before_parsing(self):
        specs = [{"protocol": "tcp", "from_port": port, "cidrs": ["203.0.113.0/24"]} for port in range(MAX_RULES_PER_REQUEST + 1)]
        with pytest.raises(RuleError, match=r"^ports: 121 rules; .* at most 120 can be listed"):
            parse_rules(specs)
        assert len(parse_rules(specs[:MAX_RULES_PER_REQUEST])) == MAX_RULES_PER_REQUEST

    @pytest.mark.parametrize("name, message", [("", "is empty"), ("   ", "is empty"), ("web\x001", "control character"), ("web-1\n", "control character"),
                                               (None, "expected a string")])
    def test_instance_names_that_name_nothing(self, name, message):
        with pytest.raises(RuleError, match=r"^instance_names\[0\]: .*%s" % message):
            validate_instance_name(name, "instance_names[0]")

    def test_a_plausible_instance_name_passes_unchanged(self):
        assert validate_instance_name("web 1") == "web 1", "Lightsail's own naming rules are Lightsail's to judge"
