"""Fuzzing argument validation (rules.parse_rules) and planning (plan.plan_changes) with raw, user-shaped input.

The inputs are what a playbook can hand over, not what the model would like: protocols in any spelling or
none, ports as strings, floats, booleans or None, source lists that are strings, dicts or nested junk, unknown
fields, rules that are not dicts at all. Every input must either fail with a RuleError (which the modules turn
into a clean failure naming the field) or parse into rules whose plan reaches the desired firewall under every
reading of Lightsail's undocumented semantics (lightsail_semantics.ALL_BEHAVIOURS).
"""

from __future__ import annotations

import ipaddress

from hypothesis import HealthCheck
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._rules import MAX_SOURCES_PER_RULE
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules

from .lightsail_semantics import ALL_BEHAVIOURS
from .lightsail_semantics import RuleNotOpen
from .lightsail_semantics import apply_writes

FIELDS = ("protocol", "from_port", "to_port", "cidrs", "ipv6_cidrs", "cidr_list_aliases")
MODES = (("present", False), ("present", True), ("absent", False))

# ---- raw values ------------------------------------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.binary(max_size=4),
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=6,
)

PROTOCOL_SPELLINGS = st.sampled_from(["tcp", "TCP", " udp ", "Udp", "icmp", "ICMPv6", "icmp6", "all", "ALL", "-1", "sctp", "", "6", "tcp,udp"])
PROTOCOLS = st.one_of(PROTOCOL_SPELLINGS, PROTOCOL_SPELLINGS, PROTOCOL_SPELLINGS, SCALARS)

PORT_VALUES = st.one_of(
    st.sampled_from([-1, 0, 8, 22, 80, 128, 255, 256, 443, 3389, 65535, 65536, -2]),
    st.integers(-5, 70000),
    st.sampled_from(["22", " 80 ", "-1", "ssh", "1e3", "0x16", "", "22.0", "٢٢"]),
    st.sampled_from([22.0, 22.5, float("inf"), float("-inf"), float("nan"), True, False, None]),
    SCALARS,
)


@st.composite
def ipv4_items(draw):
    """A pool of addresses that collide often, plus arbitrary blocks, bare addresses and host-bit mistakes."""
    address = draw(st.one_of(st.sampled_from(["203.0.113.0", "198.51.100.7", "0.0.0.0", "10.0.0.0"]), st.ip_addresses(v=4).map(str)))
    prefix = draw(st.integers(0, 34))
    kind = draw(st.sampled_from(["network", "network", "bare", "as-typed", "mask"]))
    if kind == "network" and prefix <= 32:
        return str(ipaddress.ip_network("%s/%d" % (address, prefix), strict=False))
    if kind == "bare":
        return address
    if kind == "mask" and prefix <= 32:
        return "%s/%s" % (address, ipaddress.ip_network("0.0.0.0/%d" % prefix).netmask)
    return "%s/%d" % (address, prefix)


@st.composite
def ipv6_items(draw):
    address = draw(st.one_of(st.sampled_from(["2001:db8::", "::", "2001:DB8:0:0::1", "fe80::1%eth0"]), st.ip_addresses(v=6).map(str)))
    prefix = draw(st.integers(0, 130))
    kind = draw(st.sampled_from(["network", "network", "bare", "as-typed", "upper"]))
    if kind == "network" and prefix <= 128 and "%" not in address:
        return str(ipaddress.ip_network("%s/%d" % (address, prefix), strict=False))
    if kind == "bare":
        return address
    if kind == "upper":
        return ("%s/%d" % (address, prefix)).upper()
    return "%s/%d" % (address, prefix)


SOURCE_ITEMS = st.one_of(ipv4_items(), ipv6_items(), st.sampled_from(["lightsail-connect", "LIGHTSAIL-CONNECT ", "office", "", " "]), SCALARS)
SOURCE_LISTS = st.one_of(
    st.none(),
    st.lists(st.one_of(ipv4_items(), ipv4_items(), SOURCE_ITEMS), max_size=4),
    st.lists(st.one_of(ipv6_items(), ipv6_items(), SOURCE_ITEMS), max_size=4),
    st.lists(st.sampled_from(["lightsail-connect", "Lightsail-Connect", "office"]), max_size=2),
    JUNK,
)


@st.composite
def plausible_rules(draw):
    """A rule as people write it: protocols in any spelling, ports as numbers or strings, sources from pools."""
    protocol = draw(st.sampled_from(["tcp", "TCP", " udp ", "Udp", "icmp", "ICMPv6", "icmp6", "all", "ALL", "-1"]))
    kind = protocol.strip().lower()
    rule = {"protocol": protocol}
    if kind in ("tcp", "udp"):
        rule["from_port"] = draw(st.one_of(st.sampled_from([0, 22, 80, 443, 8000, 65535]), st.integers(0, 65535)))
        if draw(st.booleans()):
            rule["to_port"] = draw(st.one_of(st.just(rule["from_port"]), st.integers(rule["from_port"], 65535)))
    elif kind in ("icmp", "icmpv6", "icmp6"):
        rule["from_port"] = draw(st.sampled_from([-1, 0, 8, 128, 255]))
        if draw(st.booleans()):
            rule["to_port"] = -1 if rule["from_port"] == -1 else draw(st.sampled_from([-1, 0, 4]))
    elif draw(st.booleans()):
        ports = draw(st.sampled_from([(0, 65535), (0, 65535), (-1, -1), (-1, None), (None, -1), (1000, 2000), (22, None)]))
        rule.update((field, port) for field, port in zip(("from_port", "to_port"), ports) if port is not None)
    for field in ("from_port", "to_port"):
        if field in rule and draw(st.integers(0, 4)) == 0:
            rule[field] = str(rule[field])
    ipv6_only = kind in ("icmpv6", "icmp6") and draw(st.integers(0, 3)) > 0  # icmpv6 with IPv4 sources alone is refused
    rule["cidrs"] = [] if ipv6_only else draw(st.lists(st.sampled_from(["203.0.113.0/24", "198.51.100.7", "0.0.0.0/0", "10.0.0.0/8"]), max_size=3))
    if ipv6_only or draw(st.booleans()):
        rule["ipv6_cidrs"] = draw(st.lists(st.sampled_from(["::/0", "2001:DB8::/32", "2001:db8::1"]), min_size=int(ipv6_only), max_size=2))
    if draw(st.integers(0, 3)) == 0:
        rule["cidr_list_aliases"] = ["lightsail-connect"]
    return rule


@st.composite
def raw_rules(draw):
    """One element of a ``ports`` list as a playbook may hand it over: a plausible rule with up to two fields
    spoiled (junk, missing, or an unknown field added), or not a dict at all."""
    if draw(st.integers(0, 14)) == 0:
        return draw(JUNK)
    rule = draw(plausible_rules())
    for _spoil in range(draw(st.integers(0, 2))):
        field = draw(st.sampled_from(FIELDS + ("unknown field",)))
        if field == "unknown field":
            rule[draw(st.one_of(st.text(max_size=8), st.integers(-3, 3), st.sampled_from(["source", "port", "Protocol"])))] = draw(JUNK)
        elif draw(st.integers(0, 3)) == 0:
            rule.pop(field, None)
        else:
            rule[field] = draw({"protocol": PROTOCOLS, "from_port": PORT_VALUES, "to_port": PORT_VALUES}.get(field, SOURCE_LISTS))
    return rule


RAW_RULE_LISTS = st.lists(raw_rules(), max_size=5)

# ---- the firewalls found on instances: valid, overlapping the raw pools ---------------------------------------

KEYS = st.sampled_from([
    RuleKey("tcp", 22, 22), RuleKey("tcp", 80, 80), RuleKey("udp", 53, 53), RuleKey("icmp", 8, -1),
    RuleKey("icmpv6", 128, 0), RuleKey("all", 0, 65535), RuleKey("tcp", 0, 65535),
])
FOUND_SOURCES = st.builds(
    Sources.of,
    st.frozensets(st.sampled_from(["203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0", "10.0.0.0/8"]), max_size=3),
    st.frozensets(st.sampled_from(["::/0", "2001:db8::/32"]), max_size=2),
    st.frozensets(st.just("lightsail-connect"), max_size=1),
).filter(bool)
FIREWALLS = st.dictionaries(KEYS, FOUND_SOURCES, max_size=5)


def parse_or_reject(raw, state):
    """parse_rules as the module calls it: a firewall dict, or None when it fails with RuleError.

    Anything else it raises fails the test: the modules catch RuleError only, so any other exception would be a
    traceback in front of the user.
    """
    try:
        return parse_rules(raw, require_sources=state == "present", closing=state == "absent")
    except RuleError as error:
        assert str(error).startswith("ports"), "a RuleError must say where it was found: %s" % error
        return None


def check_accepted_rules(raw, requested):
    """What parse_rules accepts is a valid Lightsail request that means what the user wrote."""
    for key, sources in requested.items():
        assert key.protocol in ("tcp", "udp", "icmp", "icmpv6", "all")
        assert isinstance(key.from_port, int) and isinstance(key.to_port, int)
        assert sources.count() <= MAX_SOURCES_PER_RULE
        assert key.protocol != "all" or (key.from_port, key.to_port) == (0, 65535), "protocol all covers every port: %r" % (key,)
        assert key.protocol != "icmpv6" or not sources.cidrs or sources.ipv6_cidrs, "icmpv6 with IPv4 sources alone: %r" % (sources,)
        assert key.protocol != "icmp" or not sources.ipv6_cidrs or sources.cidrs or sources.aliases, "icmp with IPv6 sources alone"
        for cidr in sources.cidrs:
            assert ipaddress.ip_network(cidr).version == 4 and "%" not in cidr
        for cidr in sources.ipv6_cidrs:
            assert ipaddress.ip_network(cidr).version == 6 and "%" not in cidr, "scope ids mean nothing to a firewall: %r" % cidr
    for spec in raw:
        for field in ("from_port", "to_port"):
            value = spec.get(field)
            if isinstance(value, float):
                assert value.is_integer(), "%s %r was accepted, as %r" % (field, value, sorted(requested))


def check_plan(current, requested, state, purge):
    plan = plan_changes(current, requested, state, purge)
    for operation in plan.operations:
        for key, sources in operation.rules:
            assert operation.api_call == CLOSE or sources, "an Open or Put without sources: %r" % (operation,)
            assert sources.count() <= MAX_SOURCES_PER_RULE, "Lightsail refuses more than %d sources per rule" % MAX_SOURCES_PER_RULE
        assert operation.api_call != PUT or purge
    for behaviour in ALL_BEHAVIOURS:
        try:
            reached = apply_writes(current, plan.operations, **behaviour)
        except RuleNotOpen as error:
            raise AssertionError("the plan closes %r, which is not open, under %r" % (error.args[0], behaviour))
        assert reached == plan.after, behaviour
        assert not plan_changes(reached, requested, state, purge).changed, "a second run would change %r" % (behaviour,)
    if state == "present" and purge:
        assert plan.after == requested
    for key, sources in requested.items():
        if state == "present":
            assert plan.after[key].issuperset(sources)
        elif key in plan.after:
            assert sources and not (plan.after[key].cidrs & sources.cidrs or plan.after[key].ipv6_cidrs & sources.ipv6_cidrs
                                    or plan.after[key].aliases & sources.aliases)
    untouched = set(current) - set(requested)
    if not purge:
        assert all(plan.after.get(key) == current[key] for key in untouched), "a rule the request did not name was changed"
    firewall_to_list(plan.after)  # the module's output and diff are built from it; it must not fail either
    return plan


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=RAW_RULE_LISTS, current=FIREWALLS, mode=st.sampled_from(MODES))
@example(raw=[{"protocol": "tcp", "from_port": float("inf"), "cidrs": ["203.0.113.0/24"]}], current={}, mode=("present", False))
@example(raw=[{"protocol": "tcp", "from_port": 22.5, "cidrs": ["203.0.113.0/24"]}], current={}, mode=("present", False))
@example(raw=[{"protocol": "tcp", "from_port": 22, "cidrs": ["203.0.113.0/24"], 7: "x"}], current={}, mode=("present", False))
@example(raw=[{"protocol": "tcp", "from_port": 22, "ipv6_cidrs": ["fe80::1%eth0"]}], current={}, mode=("present", False))
@example(raw=[{"protocol": "tcp", "from_port": 22, "cidrs": ["203.0.113.0/24", "203.0.113.0/24"]}], current={}, mode=("present", False))
def test_raw_rules_fail_cleanly_or_plan_to_the_desired_state(raw, current, mode):
    state, purge = mode
    requested = parse_or_reject(raw, state)
    if requested is None:
        return
    check_accepted_rules(raw, requested)
    check_plan(current, requested, state, purge)


@settings(max_examples=300, deadline=None)
@given(junk=JUNK)
def test_a_rule_list_of_junk_fails_cleanly(junk):
    """Whatever one element of ``ports`` is, parsing fails with RuleError or yields valid rules."""
    requested = parse_or_reject([junk], "present")
    if requested is not None:
        check_accepted_rules([junk], requested)


@settings(max_examples=200, deadline=None)
@given(raw=RAW_RULE_LISTS)
def test_parsing_is_stable(raw):
    """Rules parsed and printed back (the info module's output) parse to the same rules: export, then apply, is exact."""
    requested = parse_or_reject(raw, "absent")
    if requested is None:
        return
    assert parse_rules(firewall_to_list(requested)) == requested


def test_the_generators_reach_both_outcomes():
    """Guard against a fuzzer that only ever produces rejects (or only accepts): both must be common."""
    outcomes = {"accepted": 0, "rejected": 0}

    @settings(max_examples=200, deadline=None, database=None)
    @given(raw=RAW_RULE_LISTS)
    def count(raw):
        try:
            parse_rules(raw)
        except RuleError:
            outcomes["rejected"] += 1
        except Exception:  # pylint: disable=broad-except  # counted by the other tests, not this one
            outcomes["rejected"] += 1
        else:
            outcomes["accepted"] += 1

    count()
    assert outcomes["accepted"] >= 30 and outcomes["rejected"] >= 30, outcomes
