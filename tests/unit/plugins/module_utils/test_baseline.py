from __future__ import annotations

import ipaddress

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._baseline import ADDRESS_TYPES
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import PROFILES
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import BaselineError
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import admin_port_reachable
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import build_baseline
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import no_path_reason
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import normalize_address_type
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import evaluate
from ansible_collections.seed.lightsail.plugins.module_utils._policy import exposure_findings
from ansible_collections.seed.lightsail.plugins.module_utils._policy import violations_only
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources

WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
OFFICE, HOME, OFFICE6 = "203.0.113.0/24", "198.51.100.7/32", "2001:db8::/32"
CONNECT = "lightsail-connect"
SSH, RDP, HTTP, HTTPS = RuleKey("tcp", 22, 22), RuleKey("tcp", 3389, 3389), RuleKey("tcp", 80, 80), RuleKey("tcp", 443, 443)
WORLD = Sources.of([WORLD4], [WORLD6])


def baseline(platform="LINUX_UNIX", field_prefix="", address_type="dualstack", **options):
    return build_baseline(parse_baseline_options(options, field_prefix), platform, field_prefix, address_type=address_type)


class TestProfiles:
    @pytest.mark.parametrize("platform, admin", [("LINUX_UNIX", SSH), ("WINDOWS", RDP)])
    def test_locked_down_is_only_the_admin_port_from_admin_sources(self, platform, admin):
        firewall = baseline(platform, admin_cidrs=[OFFICE, "198.51.100.7"], admin_ipv6_cidrs=["2001:DB8::/32"])
        assert firewall == {admin: Sources.of([OFFICE, HOME], [OFFICE6], [CONNECT])}

    def test_console_access_can_be_left_out(self):
        assert baseline(admin_cidrs=[OFFICE], keep_console_access=False) == {SSH: Sources.of([OFFICE])}

    def test_ipv6_admin_alone_is_enough(self):
        assert baseline(admin_ipv6_cidrs=[OFFICE6], keep_console_access=False) == {SSH: Sources.of((), [OFFICE6])}

    @pytest.mark.parametrize("platform, admin", [("LINUX_UNIX", SSH), ("windows", RDP)])
    def test_console_only(self, platform, admin):
        assert baseline(platform, profile="console_only") == {admin: Sources.of((), (), [CONNECT])}

    @pytest.mark.parametrize("options, field", [
        ({"admin_cidrs": [OFFICE]}, "admin_cidrs"),
        ({"admin_ipv6_cidrs": [OFFICE6]}, "admin_ipv6_cidrs"),
        ({"keep_console_access": False}, "keep_console_access"),
    ])
    def test_console_only_refuses_contradictions(self, options, field):
        with pytest.raises(BaselineError) as error:
            baseline(profile="console_only", **options)
        assert error.value.where == field

    def test_web_adds_http_and_https_from_the_world(self):
        assert baseline(profile="web", admin_cidrs=[OFFICE]) == {SSH: Sources.of([OFFICE], (), [CONNECT]), HTTP: WORLD, HTTPS: WORLD}

    def test_web_https_only(self):
        assert baseline("WINDOWS", profile="web_https_only", admin_cidrs=[OFFICE]) == {RDP: Sources.of([OFFICE], (), [CONNECT]), HTTPS: WORLD}

    def test_public_ipv6_false_opens_the_world_on_ipv4_only(self):
        firewall = baseline(profile="web", public_ipv6=False)
        assert firewall[HTTP] == Sources.of([WORLD4]) and firewall[HTTPS] == Sources.of([WORLD4])

    def test_custom_is_admin_access_and_the_users_rules(self):
        firewall = baseline(profile="custom", extra_rules=[{"protocol": "udp", "from_port": 51820, "cidrs": [WORLD4]}])
        assert firewall == {SSH: Sources.of((), (), [CONNECT]), RuleKey("udp", 51820, 51820): Sources.of([WORLD4])}

    def test_extra_rules_merge_with_the_profile(self):
        firewall = baseline(admin_cidrs=[OFFICE], extra_rules=[{"protocol": "tcp", "from_port": 22, "cidrs": [HOME]}])
        assert firewall == {SSH: Sources.of([OFFICE, HOME], (), [CONNECT])}

    def test_public_exceptions_open_their_port_to_the_world(self):
        firewall = baseline(public_exceptions=[{"protocol": "tcp", "from_port": 25, "reason": "mail relay"}])
        assert firewall[RuleKey("tcp", 25, 25)] == WORLD

    def test_defaults_are_locked_down_with_console_access(self):
        assert baseline() == {SSH: Sources.of((), (), [CONNECT])}


class TestLockoutGuard:
    @pytest.mark.parametrize("profile", ["locked_down", "web", "web_https_only", "custom"])
    @pytest.mark.parametrize("platform", ["LINUX_UNIX", "WINDOWS"])
    def test_refuses_an_unreachable_admin_port(self, profile, platform):
        with pytest.raises(BaselineError) as error:
            baseline(platform, profile=profile, keep_console_access=False)
        assert error.value.where == "allow_lockout"
        assert "reachable from nowhere" in str(error.value) and ("tcp 22" if platform == "LINUX_UNIX" else "tcp 3389") in str(error.value)

    def test_allow_lockout_means_it(self):
        assert baseline(keep_console_access=False, allow_lockout=True) == {}
        assert baseline(profile="web", keep_console_access=False, allow_lockout=True) == {HTTP: WORLD, HTTPS: WORLD}

    def test_any_rule_covering_the_admin_port_counts(self):
        firewall = baseline(profile="custom", keep_console_access=False, extra_rules=[{"protocol": "tcp", "from_port": 0, "to_port": 1024, "cidrs": [OFFICE]}])
        assert list(firewall) == [RuleKey("tcp", 0, 1024)]

    def test_the_admin_port_is_per_platform(self):
        custom = dict(profile="custom", keep_console_access=False, extra_rules=[{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}])
        assert baseline("LINUX_UNIX", **custom)
        with pytest.raises(BaselineError, match="tcp 3389, the admin port of WINDOWS"):
            baseline("WINDOWS", **custom)

    def test_a_udp_rule_does_not_reach_ssh(self):
        with pytest.raises(BaselineError, match="reachable from nowhere"):
            baseline(profile="custom", keep_console_access=False, extra_rules=[{"protocol": "udp", "from_port": 22, "cidrs": [OFFICE]}])


class TestAddressType:
    @pytest.mark.parametrize("value, expected", [
        ("ipv4", "ipv4"), ("IPv4", "ipv4"), (" DualStack ", "dualstack"), ("IPV6", "ipv6"), (None, None), ("", None), ("  ", None),
    ])
    def test_normalize(self, value, expected):
        assert normalize_address_type(value) == expected

    @pytest.mark.parametrize("value", ["ipv5", "dual", 4, True, ["ipv4"]])
    def test_unknown_values_name_the_field_and_the_value(self, value):
        with pytest.raises(BaselineError) as error:
            normalize_address_type(value, "lightsail_ip_address_type")
        assert error.value.where == "lightsail_ip_address_type" and repr(value) in str(error.value)

    def test_build_baseline_names_the_field_with_the_prefix(self):
        with pytest.raises(BaselineError, match=r"^firewall_baseline_ip_address_type: unknown address type 'ipv5'"):
            baseline(field_prefix="firewall_baseline_", address_type="ipv5")

    def test_the_guard_normalises_what_it_is_given(self):
        firewall = {SSH: Sources.of((), [OFFICE6])}
        assert admin_port_reachable(firewall, "LINUX_UNIX", "IPv6") and not admin_port_reachable(firewall, "LINUX_UNIX", " IPV4 ")

    def test_the_types_are_exported_in_order(self):
        assert ADDRESS_TYPES == ("ipv4", "dualstack", "ipv6")


# (admin_cidrs, admin_ipv6_cidrs, keep_console_access) -> reachable on ipv4, dualstack, ipv6, unknown (None)
REACH = [
    (([OFFICE], [], False), (True, True, False, False)),
    (([], [OFFICE6], False), (False, True, True, False)),
    (([], [], True), (True, True, False, False)),
    (([OFFICE], [OFFICE6], False), (True, True, True, True)),
    (([], [OFFICE6], True), (True, True, True, True)),
]


class TestLockoutGuardKnowsTheInstance:
    @pytest.mark.parametrize("sources, reachable", REACH)
    @pytest.mark.parametrize("position", range(4))
    def test_an_admin_path_counts_only_in_a_family_the_instance_has(self, sources, reachable, position):
        address_type = (ADDRESS_TYPES + (None,))[position]
        admin_cidrs, admin_ipv6_cidrs, keep_console_access = sources
        options = dict(admin_cidrs=admin_cidrs, admin_ipv6_cidrs=admin_ipv6_cidrs, keep_console_access=keep_console_access)
        if reachable[position]:
            assert baseline(address_type=address_type, **options)[SSH]
        else:
            with pytest.raises(BaselineError) as error:
                baseline(address_type=address_type, **options)
            assert error.value.where == "allow_lockout"
        assert admin_port_reachable(baseline(address_type=address_type, allow_lockout=True, **options), "LINUX_UNIX", address_type) == reachable[position]

    def test_ipv6_admin_on_an_ipv4_instance_is_refused_with_the_role_variables(self):
        """Issue 12: admin access only over IPv6 on an IPv4-only instance, console off, passed and was written."""
        with pytest.raises(BaselineError) as error:
            baseline(field_prefix="firewall_baseline_", address_type="ipv4", admin_ipv6_cidrs=[OFFICE6], keep_console_access=False)
        text = str(error.value)
        assert text.startswith("firewall_baseline_allow_lockout: is false")
        assert "reachable from nowhere on an ipv4 instance (IPv4 only: firewall_baseline_admin_ipv6_cidrs cannot reach it)" in text
        assert "set firewall_baseline_admin_cidrs, keep firewall_baseline_keep_console_access true" in text

    def test_console_alone_on_an_ipv6_instance_is_refused_and_says_why(self):
        with pytest.raises(BaselineError) as error:
            baseline("WINDOWS", field_prefix="firewall_baseline_", address_type="ipv6")
        text = str(error.value)
        assert "tcp 3389, the admin port of WINDOWS instances, reachable from nowhere on an ipv6 instance" in text
        assert "lightsail-connect is not counted" in text and "set firewall_baseline_admin_ipv6_cidrs" in text

    def test_an_unknown_address_type_needs_a_path_in_each_family(self):
        with pytest.raises(BaselineError, match="not reachable over both IPv4 and IPv6, which an instance whose address type is unknown needs"):
            baseline(address_type=None, admin_cidrs=[OFFICE])

    def test_allow_lockout_overrides_every_type(self):
        for address_type in ADDRESS_TYPES + (None,):
            assert baseline(address_type=address_type, keep_console_access=False, allow_lockout=True) == {}

    @pytest.mark.parametrize("admin_cidrs, admin_ipv6_cidrs, reason", [
        (["127.0.0.1"], [], "127.0.0.1/32 (loopback)"),
        (["127.0.0.0/8"], [], "127.0.0.0/8 (loopback)"),
        (["0.0.0.0/32"], [], "0.0.0.0/32 (unspecified)"),
        (["169.254.169.254"], [], "169.254.169.254/32 (link-local)"),
        (["224.0.0.0/4"], [], "224.0.0.0/4 (multicast)"),
        ([], ["::1"], "::1/128 (loopback)"),
        ([], ["::"], "::/128 (unspecified)"),
        ([], ["::/127"], "::/127 (unspecified + loopback)"),
        ([], ["fe80::/10"], "fe80::/10 (link-local)"),
        ([], ["ff02::1"], "ff02::1/128 (multicast)"),
    ])
    def test_sources_no_packet_comes_from_are_no_path_in(self, admin_cidrs, admin_ipv6_cidrs, reason):
        """Issue 12: admin "sources" such as 127.0.0.1 or 0.0.0.0/32 counted as a path in."""
        with pytest.raises(BaselineError) as error:
            baseline(admin_cidrs=admin_cidrs, admin_ipv6_cidrs=admin_ipv6_cidrs, keep_console_access=False)
        assert error.value.where == "allow_lockout" and "; %s is no path in" % reason in str(error.value)

    @pytest.mark.parametrize("admin_cidrs", [["126.0.0.0/7"], ["127.0.0.1", OFFICE], ["169.254.0.0/15"], ["192.0.0.0/2"]])
    def test_a_block_with_any_other_address_is_a_path(self, admin_cidrs):
        assert baseline(admin_cidrs=admin_cidrs, keep_console_access=False)

    def test_the_world_is_a_path_and_the_policys_business(self):
        exception = [{"protocol": "tcp", "from_port": 22, "reason": "bastion"}]
        assert baseline(address_type="ipv4", admin_cidrs=[WORLD4], keep_console_access=False, public_exceptions=exception)

    def test_an_extra_rule_covering_the_admin_port_counts_in_its_family(self):
        custom = dict(profile="custom", keep_console_access=False, extra_rules=[{"protocol": "all", "ipv6_cidrs": [OFFICE6]}],
                      public_exceptions=[])
        assert baseline(address_type="ipv6", **custom)
        with pytest.raises(BaselineError, match="on an ipv4 instance"):
            baseline(address_type="ipv4", **custom)

    def test_the_old_positional_field_prefix_still_works(self):
        options = parse_baseline_options({"admin_cidrs": [OFFICE]}, "firewall_baseline_")
        assert build_baseline(options, "LINUX_UNIX", "firewall_baseline_") == {SSH: Sources.of([OFFICE], (), [CONNECT])}
        assert build_baseline(options, "LINUX_UNIX", "") == build_baseline(options, "LINUX_UNIX")

    @pytest.mark.parametrize("third", ["ipv4", "IPv6", "dualstack", None])
    def test_an_address_type_in_the_prefix_position_is_refused(self, third):
        with pytest.raises(TypeError, match="pass address_type="):
            build_baseline(parse_baseline_options({}), "LINUX_UNIX", third)


def no_path_oracle(cidr):
    """Independent of the blocks in baseline.py: ipaddress's own address predicates, tried on the addresses that
    decide (the block's ends, and the neighbours of every special range's ends inside it)."""
    network = ipaddress.ip_network(cidr)
    special = ["0.0.0.0/32", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4"] if network.version == 4 else ["::/128", "::1/128", "fe80::/10", "ff00::/8"]
    candidates = {int(network.network_address), int(network.broadcast_address)}
    for block in map(ipaddress.ip_network, special):
        candidates |= {int(block.network_address) - 1, int(block.broadcast_address) + 1}
    for value in candidates:
        if int(network.network_address) <= value <= int(network.broadcast_address):
            address = ipaddress.IPv4Address(value) if network.version == 4 else ipaddress.IPv6Address(value)
            if not (address.is_loopback or address.is_unspecified or address.is_link_local or address.is_multicast):
                return False
    return True


SPECIAL_V4 = st.sampled_from(["0.0.0.0/32", "127.0.0.0/8", "169.254.0.0/16", "224.0.0.0/4", "126.0.0.0/7", "0.0.0.0/31", "224.0.0.0/3"])
SPECIAL_V6 = st.sampled_from(["::/128", "::1/128", "::/127", "::/126", "fe80::/10", "fe80::/9", "ff00::/8", "fe00::/7"])


def _around(block, shift):
    network = ipaddress.ip_network(block)
    if shift < 0:
        return str(network.supernet(prefixlen_diff=min(-shift, network.prefixlen)))
    return str(next(network.subnets(new_prefix=max(shift, network.prefixlen))))


def near(special, version):
    """Blocks in and around a special range: a subnet of it (shift >= 0: its first at that prefix length) or a supernet (shift < 0)."""
    return st.builds(_around, special, st.integers(-3, 32 if version == 4 else 128))


ANY_V4 = st.builds(lambda n, p: str(ipaddress.IPv4Network((n, p), strict=False)), st.integers(0, 2 ** 32 - 1), st.integers(0, 32))
ANY_V6 = st.builds(lambda n, p: str(ipaddress.IPv6Network((n, p), strict=False)), st.integers(0, 2 ** 128 - 1), st.integers(0, 128))


@given(st.one_of(ANY_V4, ANY_V6, near(SPECIAL_V4, 4), near(SPECIAL_V6, 6)))
def test_no_path_reason_agrees_with_ipaddress(cidr):
    assert (no_path_reason(cidr) is not None) == no_path_oracle(cidr), cidr


class TestPolicyGuard:
    @pytest.mark.parametrize("options, text", [
        ({"admin_cidrs": [WORLD4]}, "SSH (tcp 22) open to 0.0.0.0/0"),
        ({"admin_ipv6_cidrs": [WORLD6]}, "SSH (tcp 22) open to ::/0"),
        ({"profile": "custom", "extra_rules": [{"protocol": "tcp", "from_port": 3306, "cidrs": [WORLD4]}]}, "MySQL (tcp 3306)"),
        ({"extra_rules": [{"protocol": "all", "ipv6_cidrs": [WORLD6]}]}, "every port (all traffic) open to ::/0"),
        ({"extra_rules": [{"protocol": "udp", "from_port": 0, "to_port": 65535, "cidrs": [WORLD4]}]}, "every port (udp 0-65535)"),
        ({"admin_cidrs": ["0.0.0.0/1", "128.0.0.0/1"]}, "SSH (tcp 22) open to 0.0.0.0/0 (as 0.0.0.0/1 + 128.0.0.0/1)"),
        ({"admin_ipv6_cidrs": ["::/1", "8000::/1"]}, "SSH (tcp 22) open to ::/0 (as ::/1 + 8000::/1)"),
    ])
    def test_refuses_flagged_ports_open_to_the_world(self, options, text):
        with pytest.raises(BaselineError) as error:
            baseline(**options)
        assert error.value.where == "public_exceptions" and text in str(error.value)

    def test_an_exception_allows_it(self):
        firewall = baseline(admin_cidrs=[WORLD4], public_exceptions=[{"protocol": "tcp", "from_port": 22, "reason": "bastion host"}])
        assert firewall[SSH] == Sources.of([WORLD4], [WORLD6], [CONNECT])

    def test_unflagged_ports_may_be_public_without_an_exception(self):
        assert baseline(extra_rules=[{"protocol": "udp", "from_port": 53, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}])


class TestOptionErrors:
    @pytest.mark.parametrize("options, where", [
        ({"profile": "paranoid"}, "firewall_baseline_profile"),
        ({"admin_cidrs": [OFFICE, "10.0.0.300"]}, "firewall_baseline_admin_cidrs[1]"),
        ({"admin_cidrs": [OFFICE6]}, "firewall_baseline_admin_cidrs[0]"),
        ({"admin_cidrs": "10.0.0.0/8"}, "firewall_baseline_admin_cidrs"),
        ({"admin_ipv6_cidrs": ["2001:db8::1/32"]}, "firewall_baseline_admin_ipv6_cidrs[0]"),
        ({"extra_rules": [{"protocol": "tcp", "from_port": 80}]}, "firewall_baseline_extra_rules[0] (tcp 80)"),
        ({"extra_rules": [{"protocol": "tcp", "from_port": 80, "cidrs": ["x"]}]}, "firewall_baseline_extra_rules[0] (tcp 80).cidrs[0]"),
        ({"public_exceptions": [{"protocol": "tcp", "from_port": 25}]}, "firewall_baseline_public_exceptions[0].reason"),
        ({"keep_console_access": "yes"}, "firewall_baseline_keep_console_access"),
    ])
    def test_errors_name_the_field(self, options, where):
        with pytest.raises(RuleError) as error:
            baseline(field_prefix="firewall_baseline_", **options)
        assert error.value.where == where

    def test_unknown_platform(self):
        with pytest.raises(BaselineError, match=r"^platform: unknown platform 'MACOS'"):
            baseline("MACOS")

    def test_too_many_sources_on_one_rule(self):
        cidrs = ["10.0.%d.0/24" % n for n in range(40)]
        six = ["2001:db8:%x::/48" % n for n in range(20)]
        with pytest.raises(BaselineError, match=r"baseline rule tcp 22: 61 sources"):
            baseline(admin_cidrs=cidrs, admin_ipv6_cidrs=six)


ADMIN_V4 = st.builds(lambda n, p: str(ipaddress.IPv4Network((n, p), strict=False)), st.integers(0, 2 ** 32 - 1), st.integers(1, 32))
ADMIN_V6 = st.builds(lambda n, p: str(ipaddress.IPv6Network((n, p), strict=False)), st.integers(0, 2 ** 128 - 1), st.integers(1, 128))


def covers_a_family(cidrs):
    """Whether the networks together are all of their address family (an oracle, independent of the collection)."""
    networks = [ipaddress.ip_network(cidr, strict=False) for cidr in cidrs]
    return any(network.prefixlen == 0 for network in ipaddress.collapse_addresses(networks)) if networks else False


@given(
    st.sampled_from([p for p in PROFILES if p != "console_only"]), st.sampled_from(["LINUX_UNIX", "WINDOWS"]),
    st.lists(ADMIN_V4, max_size=5), st.lists(ADMIN_V6, max_size=5), st.booleans(), st.booleans(),
)
@example("locked_down", "LINUX_UNIX", ["0.0.0.0/1", "128.0.0.0/1"], [], False, False)
@example("web", "WINDOWS", [], ["::/1", "8000::/1"], True, True)
def test_any_baseline_passes_the_policy_and_keeps_admin_access(profile, platform, admin_cidrs, admin_ipv6_cidrs, keep_console_access, public_ipv6):
    options = dict(profile=profile, admin_cidrs=admin_cidrs, admin_ipv6_cidrs=admin_ipv6_cidrs,
                   keep_console_access=keep_console_access, public_ipv6=public_ipv6)
    reachable = keep_console_access or not all(no_path_oracle(cidr) for cidr in admin_cidrs + admin_ipv6_cidrs)
    if covers_a_family(admin_cidrs) or covers_a_family(admin_ipv6_cidrs):
        # sources that together are everybody (0.0.0.0/1 + 128.0.0.0/1) are the world to the exposure policy
        with pytest.raises(BaselineError, match="would expose"):
            baseline(platform, **options)
        return
    if not reachable:
        with pytest.raises(BaselineError, match="reachable from nowhere"):
            baseline(platform, **options)
        return
    firewall = baseline(platform, **options)
    assert violations_only(exposure_findings(firewall)) == []
    admin = SSH if platform == "LINUX_UNIX" else RDP
    assert firewall[admin].cidrs == frozenset(str(ipaddress.ip_network(c)) for c in admin_cidrs)
    assert evaluate(firewall, firewall)["compliant"]


@given(st.sampled_from(["tcp", "udp"]), st.integers(0, 65535), st.integers(0, 100))
def test_a_public_extra_rule_is_refused_exactly_when_the_policy_flags_it(protocol, port, width):
    rule = {"protocol": protocol, "from_port": port, "to_port": min(65535, port + width), "cidrs": [WORLD4]}
    key = RuleKey(protocol, rule["from_port"], rule["to_port"])
    flagged = bool(violations_only(exposure_findings({key: Sources.of([WORLD4])})))
    try:
        baseline(extra_rules=[rule])
    except BaselineError as error:
        assert flagged and error.where == "public_exceptions"
    else:
        assert not flagged
