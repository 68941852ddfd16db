from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils._plan import Operation
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PlanError
from ansible_collections.seed.lightsail.plugins.module_utils._plan import desired_firewall
from ansible_collections.seed.lightsail.plugins.module_utils._plan import firewall_to_text
from ansible_collections.seed.lightsail.plugins.module_utils._plan import has_taken_effect
from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._plan import still_allowed
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources

from .lightsail_semantics import ALL_BEHAVIOURS
from .lightsail_semantics import apply_writes

SSH, HTTP, PING = RuleKey("tcp", 22, 22), RuleKey("tcp", 80, 80), RuleKey("icmp", 8, -1)
OFFICE, HOME, WORLD = "203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0"

KEYS = st.sampled_from([SSH, HTTP, PING, RuleKey("udp", 53, 53), RuleKey("all", 0, 65535), RuleKey("tcp", 8000, 8100)])
SOURCES = st.builds(
    Sources.of,
    st.frozensets(st.sampled_from([OFFICE, HOME, WORLD, "10.0.0.0/8"]), max_size=3),
    st.frozensets(st.sampled_from(["::/0", "2001:db8::/32"]), max_size=2),
    st.frozensets(st.just("lightsail-connect"), max_size=1),
)
FIREWALLS = st.dictionaries(KEYS, SOURCES.filter(bool), max_size=5)
REQUESTS = st.dictionaries(KEYS, SOURCES, max_size=4)
MODES = st.sampled_from([("present", False), ("present", True), ("absent", False)])


def clean(request, state, purge):
    """A request as the module accepts it: present rules carry at least one source."""
    return {key: sources for key, sources in request.items() if sources or state == "absent"}


class TestDesiredFirewall:
    def test_present_adds_sources_and_keeps_the_rest(self):
        current = {SSH: Sources.of([OFFICE]), HTTP: Sources.of([WORLD])}
        desired = desired_firewall(current, {SSH: Sources.of([HOME])}, "present")
        assert desired == {SSH: Sources.of([OFFICE, HOME]), HTTP: Sources.of([WORLD])}

    def test_purge_is_exactly_the_request(self):
        current = {SSH: Sources.of([OFFICE]), HTTP: Sources.of([WORLD])}
        assert desired_firewall(current, {SSH: Sources.of([HOME])}, "present", purge=True) == {SSH: Sources.of([HOME])}

    def test_absent_removes_named_sources(self):
        current = {SSH: Sources.of([OFFICE, WORLD], ["::/0"])}
        assert desired_firewall(current, {SSH: Sources.of([WORLD], ["::/0"])}, "absent") == {SSH: Sources.of([OFFICE])}

    def test_absent_without_sources_closes_the_rule(self):
        assert desired_firewall({SSH: Sources.of([OFFICE])}, {SSH: Sources.empty()}, "absent") == {}

    def test_absent_closes_a_rule_left_without_sources(self):
        assert desired_firewall({SSH: Sources.of([OFFICE])}, {SSH: Sources.of([OFFICE, HOME])}, "absent") == {}

    def test_absent_of_a_closed_rule_is_nothing(self):
        assert desired_firewall({HTTP: Sources.of([WORLD])}, {SSH: Sources.empty()}, "absent") == {HTTP: Sources.of([WORLD])}


class TestWrites:
    def test_nothing_to_do(self):
        current = {SSH: Sources.of([OFFICE])}
        plan = plan_changes(current, {SSH: Sources.of(["203.0.113.0/24"])}, "present")
        assert not plan.changed and plan.operations == []
        assert plan.diff()["before"] == plan.diff()["after"]

    def test_adding_a_source_opens_the_whole_rule(self):
        plan = plan_changes({SSH: Sources.of([OFFICE])}, {SSH: Sources.of([HOME])}, "present")
        assert [(op.api_call, op.rules) for op in plan.operations] == [(OPEN, ((SSH, Sources.of([OFFICE, HOME])),))]

    def test_narrowing_is_close_then_open(self):
        plan = plan_changes({SSH: Sources.of([OFFICE, WORLD])}, {SSH: Sources.of([WORLD])}, "absent")
        assert [(op.api_call, op.rules) for op in plan.operations] == [
            (CLOSE, ((SSH, Sources.of([WORLD])),)),
            (OPEN, ((SSH, Sources.of([OFFICE])),)),
        ]

    def test_closing_a_rule_names_all_its_sources(self):
        plan = plan_changes({SSH: Sources.of([OFFICE], ["::/0"])}, {SSH: Sources.empty()}, "absent")
        assert [(op.api_call, op.rules) for op in plan.operations] == [(CLOSE, ((SSH, Sources.of([OFFICE], ["::/0"])),))]

    def test_purge_is_one_put(self):
        plan = plan_changes({SSH: Sources.of([WORLD]), HTTP: Sources.of([WORLD])}, {SSH: Sources.of([OFFICE])}, "present", purge=True)
        assert [(op.api_call, op.rules) for op in plan.operations] == [(PUT, ((SSH, Sources.of([OFFICE])),))]

    def test_purge_to_nothing_closes_rule_by_rule(self):
        plan = plan_changes({SSH: Sources.of([WORLD]), HTTP: Sources.of([WORLD])}, {}, "present", purge=True)
        assert [op.api_call for op in plan.operations] == [CLOSE, CLOSE]
        assert plan.after == {}

    def test_operation_dicts_use_the_user_shape(self):
        plan = plan_changes({}, {PING: Sources.of([HOME])}, "present")
        assert plan.operations[0].to_dict() == {
            "operation": OPEN,
            "ports": [{"protocol": "icmp", "from_port": 8, "to_port": -1, "cidrs": [HOME], "ipv6_cidrs": [], "cidr_list_aliases": []}],
        }

    def test_diff_comes_from_the_same_model_as_changed(self):
        plan = plan_changes({SSH: Sources.of([WORLD])}, {HTTP: Sources.of([WORLD])}, "present")
        assert plan.changed
        assert plan.diff() == {"before": "tcp 22: cidrs 0.0.0.0/0\n", "after": "tcp 22: cidrs 0.0.0.0/0\ntcp 80: cidrs 0.0.0.0/0\n"}
        assert plan.after == {SSH: Sources.of([WORLD]), HTTP: Sources.of([WORLD])}


@pytest.mark.parametrize("behaviour", ALL_BEHAVIOURS, ids=lambda b: "-".join(b.values()))
class TestEndStateUnderEveryBehaviour:
    @settings(max_examples=150, deadline=None)
    @given(current=FIREWALLS, request=REQUESTS, mode=MODES)
    def test_applying_the_plan_reaches_the_desired_firewall(self, behaviour, current, request, mode):
        state, purge = mode
        plan = plan_changes(current, clean(request, state, purge), state, purge)
        assert apply_writes(current, plan.operations, **behaviour) == plan.after

    @settings(max_examples=100, deadline=None)
    @given(current=FIREWALLS, request=REQUESTS, mode=MODES)
    def test_second_run_changes_nothing(self, behaviour, current, request, mode):
        state, purge = mode
        request = clean(request, state, purge)
        first = plan_changes(current, request, state, purge)
        reached = apply_writes(current, first.operations, **behaviour)
        assert not plan_changes(reached, request, state, purge).changed


class TestPlanProperties:
    @settings(max_examples=200, deadline=None)
    @given(current=FIREWALLS, request=REQUESTS, mode=MODES)
    def test_changed_iff_before_differs_from_after(self, current, request, mode):
        state, purge = mode
        plan = plan_changes(current, clean(request, state, purge), state, purge)
        assert plan.changed == (plan.before != plan.after)

    @settings(max_examples=200, deadline=None)
    @given(current=FIREWALLS, request=REQUESTS, mode=MODES)
    def test_targeted_writes_touch_only_requested_rules(self, current, request, mode):
        state, purge = mode
        request = clean(request, state, purge)
        plan = plan_changes(current, request, state, purge)
        if not purge:
            touched = {key for op in plan.operations for key, _sources in op.rules}
            assert touched <= set(request)
            assert all(op.api_call != PUT for op in plan.operations)

    @settings(max_examples=200, deadline=None)
    @given(current=FIREWALLS, request=REQUESTS, mode=MODES)
    def test_close_only_targets_open_rules(self, current, request, mode):
        state, purge = mode
        plan = plan_changes(current, clean(request, state, purge), state, purge)
        for op in plan.operations:
            if op.api_call == CLOSE:
                for key, sources in op.rules:
                    assert key in current and sources and current[key].issuperset(sources)

    @settings(max_examples=200, deadline=None)
    @given(current=FIREWALLS, request=REQUESTS, mode=MODES)
    def test_fewest_writes(self, current, request, mode):
        """present: one Open per changed rule; purge: one Put (or one Close per rule when emptying);
        absent: one Close per closed rule, Close+Open per narrowed rule."""
        state, purge = mode
        plan = plan_changes(current, clean(request, state, purge), state, purge)
        changed_keys = {key for key in set(plan.before) | set(plan.after) if plan.before.get(key) != plan.after.get(key)}
        if state == "present" and purge:
            expected = 0 if not changed_keys else (len(plan.before) if not plan.after else 1)
        elif state == "present":
            expected = len(changed_keys)
        else:
            expected = sum(1 if key not in plan.after else 2 for key in changed_keys)
        assert len(plan.operations) == expected


SIXTY = ["10.%d.0.0/16" % i for i in range(60)]


class TestLimits:
    def test_merging_past_sixty_sources_is_refused_naming_rule_and_counts(self):
        current = {SSH: Sources.of(SIXTY[:50])}
        with pytest.raises(PlanError, match=r"^tcp 22: would allow 70 sources \(50 now, 20 added\); Lightsail accepts at most 60 per rule"):
            plan_changes(current, {SSH: Sources.of(["172.16.%d.0/24" % i for i in range(20)])}, "present")

    def test_sixty_sources_are_fine(self):
        plan = plan_changes({SSH: Sources.of(SIXTY[:50])}, {SSH: Sources.of(SIXTY[50:])}, "present")
        assert plan.after[SSH].count() == 60

    def test_a_rule_already_over_the_limit_does_not_block_other_changes(self):
        crowded = {RuleKey("tcp", 9000, 9000): Sources.of(SIXTY + ["192.0.2.0/24"])}
        assert plan_changes(crowded, {SSH: Sources.of([OFFICE])}, "present").changed

    def test_a_61st_rule_on_one_firewall_is_refused(self):
        current = dict((RuleKey("tcp", port, port), Sources.of([OFFICE])) for port in range(1000, 1060))
        with pytest.raises(PlanError, match=r"^ports: the IPv4 firewall would have 61 rules; Lightsail allows at most 60"):
            plan_changes(current, {SSH: Sources.of([HOME])}, "present")
        # the IPv6 firewall is another firewall: 60 IPv4 rules and one IPv6 rule fit
        assert plan_changes(current, {SSH: Sources.of(ipv6_cidrs=["::/0"])}, "present").changed

    def test_purge_checks_the_same_limits(self):
        requested = dict((RuleKey("udp", port, port), Sources.of(ipv6_cidrs=["::/0"])) for port in range(61))
        with pytest.raises(PlanError, match="IPv6 firewall would have 61 rules"):
            plan_changes({}, requested, "present", purge=True)


class TestStillAllowed:
    def test_a_wider_rule_still_allows_a_closed_port(self):
        after = {RuleKey("tcp", 20, 30): Sources.of([WORLD], ["::/0"])}
        assert still_allowed(after, {SSH: Sources.empty()}) == [(SSH, RuleKey("tcp", 20, 30), Sources.of([WORLD], ["::/0"]))]

    def test_only_the_sources_that_overlap_a_removed_one_are_named(self):
        after = {SSH: Sources.of([OFFICE]), RuleKey("all", 0, 65535): Sources.of([WORLD, "10.0.0.0/8"])}
        assert still_allowed(after, {SSH: Sources.of([HOME])}) == [(SSH, RuleKey("all", 0, 65535), Sources.of([WORLD]))]

    @pytest.mark.parametrize("other", [RuleKey("udp", 22, 22), RuleKey("tcp", 23, 30), RuleKey("icmp", 8, -1)])
    def test_rules_that_do_not_cover_the_port_are_not_named(self, other):
        assert still_allowed({other: Sources.of([WORLD])}, {SSH: Sources.empty()}) == []

    def test_icmp_every_type_covers_ping(self):
        after = {RuleKey("icmp", -1, -1): Sources.of([WORLD])}
        assert still_allowed(after, {PING: Sources.empty()}) == [(PING, RuleKey("icmp", -1, -1), Sources.of([WORLD]))]


class TestDiffText:
    def test_one_line_per_rule_in_the_user_words(self):
        firewall = {SSH: Sources.of([WORLD, OFFICE], ["::/0"], ["lightsail-connect"]), PING: Sources.of([HOME]), RuleKey("all", 0, 65535): Sources.of([OFFICE])}
        assert firewall_to_text(firewall) == (
            "all traffic: cidrs 203.0.113.0/24\n"
            "icmp type 8 code -1: cidrs 198.51.100.7/32\n"
            "tcp 22: cidrs 0.0.0.0/0 203.0.113.0/24; ipv6_cidrs ::/0; cidr_list_aliases lightsail-connect\n")

    def test_an_empty_firewall_is_empty_text(self):
        assert plan_changes({SSH: Sources.of([WORLD])}, {}, "present", purge=True).diff() == {"before": "tcp 22: cidrs 0.0.0.0/0\n", "after": ""}


class TestHasTakenEffect:
    def test_close(self):
        close = Operation(CLOSE, ((SSH, Sources.of([WORLD])),))
        assert has_taken_effect({}, close) and has_taken_effect({SSH: Sources.of([OFFICE])}, close)
        assert not has_taken_effect({SSH: Sources.of([WORLD, OFFICE])}, close)

    def test_open(self):
        open_ = Operation(OPEN, ((SSH, Sources.of([OFFICE, HOME])),))
        assert has_taken_effect({SSH: Sources.of([OFFICE, HOME, WORLD])}, open_)
        assert not has_taken_effect({SSH: Sources.of([OFFICE])}, open_) and not has_taken_effect({}, open_)

    def test_put(self):
        put = Operation(PUT, ((SSH, Sources.of([OFFICE])),))
        assert has_taken_effect({SSH: Sources.of([OFFICE])}, put)
        assert not has_taken_effect({SSH: Sources.of([OFFICE]), HTTP: Sources.of([WORLD])}, put)


def test_a_concurrent_add_undoes_a_concurrent_removal_also_when_open_merges():
    """Documented in docs/reliability.md: both runs read tcp 22 = {office, world}; one narrows it to the office, the
    other adds home. The add's Open re-sends world (the rule's complete sources as read), so world is back."""
    read = {SSH: Sources.of([OFFICE, WORLD])}
    removal = plan_changes(read, {SSH: Sources.of([WORLD])}, "absent")
    addition = plan_changes(read, {SSH: Sources.of([HOME])}, "present")
    for behaviour in ALL_BEHAVIOURS:
        after_both = apply_writes(apply_writes(read, removal.operations, **behaviour), addition.operations, **behaviour)
        assert after_both == {SSH: Sources.of([OFFICE, WORLD, HOME])}, behaviour
