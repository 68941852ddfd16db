"""The read path: one odd value from the API is reported as it came, with a warning, and never breaks a read."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils._plan import Operation
from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import firewall_from_port_states
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import odd_values
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import read_firewall
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import read_networking_ports
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import refuse_resending_odd_values
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import split_networking_ports

from .lightsail_semantics import ALL_BEHAVIOURS
from .lightsail_semantics import apply_writes

SSH, HTTP = RuleKey("tcp", 22, 22), RuleKey("tcp", 80, 80)


def port_state(protocol, port, cidrs=(), ipv6=(), aliases=()):
    return {"protocol": protocol, "fromPort": port, "toPort": port, "state": "open", "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6),
            "cidrListAliases": list(aliases)}


ODD_PORT_STATES = [
    port_state("tcp", 22, ["192.0.2.5/24", "203.0.113.0/24"]),
    port_state("tcp", 80, ["not-an-ip", "0.0.0.0/0"], ["::/0"]),
    port_state("tcp", 443, ["192.0.2.44"], ["2001:DB8::/32"], ["Lightsail-Connect"]),
]


class TestOddValues:
    def test_kept_as_they_came_the_rest_normalised(self):
        firewall, _warnings = read_firewall(ODD_PORT_STATES, "web-1")
        assert firewall[SSH] == Sources.of(["192.0.2.5/24", "203.0.113.0/24"])
        assert firewall[HTTP] == Sources.of(["not-an-ip", "0.0.0.0/0"], ["::/0"])
        assert firewall[RuleKey("tcp", 443, 443)] == Sources.of(["192.0.2.44/32"], ["2001:db8::/32"], ["lightsail-connect"])

    def test_each_warning_names_instance_rule_and_value(self):
        _firewall, warnings = read_firewall(ODD_PORT_STATES, "web-1")
        assert len(warnings) == 2
        assert warnings[0].startswith("instance web-1, rule tcp 22: Lightsail returned the IPv4 source '192.0.2.5/24', which is not valid "
                                      "('192.0.2.5/24' has host bits set; did you mean '192.0.2.0/24'?); it is reported as it came")
        assert warnings[1].startswith("instance web-1, rule tcp 80: Lightsail returned the IPv4 source 'not-an-ip', which is not valid")
        assert "purge_ports: true" in warnings[0]

    def test_a_normal_firewall_reads_without_warnings(self):
        assert read_firewall([port_state("tcp", 22, ["192.0.2.44"], ["2001:DB8::1"])], "web-1")[1] == []

    @pytest.mark.parametrize("entry,what,value", [
        (port_state("tcp", 22, ipv6=["192.0.2.0/24"]), "IPv6 source", "192.0.2.0/24"),
        (port_state("tcp", 22, ["::/0"]), "IPv4 source", "::/0"),
        (port_state("tcp", 22, aliases=["console"]), "alias", "console"),
        (port_state("sctp", 22, ["0.0.0.0/0"]), "protocol", "sctp"),
    ])
    def test_other_odd_values(self, entry, what, value):
        firewall, warnings = read_firewall([entry], "web-1")
        assert len(warnings) == 1 and "the %s %r" % (what, value) in warnings[0]
        assert odd_values(*list(firewall.items())[0]) == [value]

    def test_listing_shows_the_odd_value_instead_of_failing(self):
        """Before: firewall_to_list raised a bare "192.0.2.5/24 has host bits set", naming neither instance nor rule."""
        listed = firewall_to_list(firewall_from_port_states(ODD_PORT_STATES))
        assert [rule["cidrs"] for rule in listed] == [["192.0.2.5/24", "203.0.113.0/24"], ["0.0.0.0/0", "not-an-ip"], ["192.0.2.44/32"]]

    def test_networking_ports_of_getinstances(self):
        ports = [dict(entry, accessType="public") for entry in ODD_PORT_STATES]
        ports.append({"protocol": "tcp", "fromPort": 0, "toPort": 65535, "accessType": "Private", "accessFrom": "Custom", "commonName": "VPC"})
        public, private, warnings = read_networking_ports(ports, "web-1")
        assert public == read_firewall(ODD_PORT_STATES)[0] and len(private) == 1 and len(warnings) == 2
        assert split_networking_ports(ports) == (public, private)

    def test_without_an_instance_name_the_warning_names_the_rule(self):
        assert read_firewall(ODD_PORT_STATES)[1][0].startswith("rule tcp 22: ")


HOST_BITS = st.builds(lambda n, p: (ipaddress.IPv4Network((n, p), strict=False), n), st.integers(0, 2 ** 32 - 1), st.integers(0, 31)).filter(
    lambda pair: pair[0].network_address != ipaddress.IPv4Address(pair[1]))


class TestPurgeReplacesAnOddValue:
    @given(HOST_BITS)
    def test_an_odd_source_differs_from_its_normal_form_so_purge_puts_the_rule(self, pair):
        """Stored 192.0.2.5/24, asked 192.0.2.0/24: the plan is one Put of exactly what is asked, and it sends nothing odd."""
        network, address = pair
        stored = "%s/%d" % (ipaddress.IPv4Address(address), network.prefixlen)
        current = firewall_from_port_states([port_state("tcp", 22, [stored])])
        requested = parse_rules([{"protocol": "tcp", "from_port": 22, "cidrs": [str(network)]}])
        plan = plan_changes(current, requested, "present", purge=True)
        assert [operation.api_call for operation in plan.operations] == [PUT] and plan.after == requested
        assert refuse_resending_odd_values(plan.operations, "web-1") is None
        for behaviour in ALL_BEHAVIOURS:
            assert apply_writes(current, plan.operations, **behaviour) == requested

    def test_targeted_writes_that_would_resend_an_odd_value_are_refused(self):
        current = read_firewall(ODD_PORT_STATES)[0]
        add = plan_changes(current, parse_rules([{"protocol": "tcp", "from_port": 22, "cidrs": ["198.51.100.0/24"]}]), "present")
        assert [operation.api_call for operation in add.operations] == [OPEN]
        message = refuse_resending_odd_values(add.operations, "web-1")
        assert message.startswith("instance web-1: the writes needed would send back '192.0.2.5/24' (rule tcp 22)")
        assert "nothing was written" in message and "purge_ports: true" in message

        close = plan_changes(current, parse_rules([{"protocol": "tcp", "from_port": 80}]), "absent")
        assert [operation.api_call for operation in close.operations] == [CLOSE]
        assert "'not-an-ip' (rule tcp 80)" in refuse_resending_odd_values(close.operations, "web-1")

    def test_writes_that_leave_odd_rules_alone_pass(self):
        current = read_firewall(ODD_PORT_STATES)[0]
        plan = plan_changes(current, parse_rules([{"protocol": "tcp", "from_port": 8080, "cidrs": ["198.51.100.0/24"]}]), "present")
        assert refuse_resending_odd_values(plan.operations, "web-1") is None
        assert refuse_resending_odd_values([Operation(PUT, ((SSH, Sources.of(["192.0.2.0/24"])),))], "web-1") is None
