from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils.plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils.plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils.plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils.plan import desired_firewall
from ansible_collections.seed.lightsail.plugins.module_utils.plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils.rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils.rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils.rules import firewall_to_list

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
        assert [(op.name, op.rules) for op in plan.operations] == [(OPEN, ((SSH, Sources.of([OFFICE, HOME])),))]

    def test_narrowing_is_close_then_open(self):
        plan = plan_changes({SSH: Sources.of([OFFICE, WORLD])}, {SSH: Sources.of([WORLD])}, "absent")
        assert [(op.name, op.rules) for op in plan.operations] == [
            (CLOSE, ((SSH, Sources.of([WORLD])),)),
            (OPEN, ((SSH, Sources.of([OFFICE])),)),
        ]

    def test_closing_a_rule_names_all_its_sources(self):
        plan = plan_changes({SSH: Sources.of([OFFICE], ["::/0"])}, {SSH: Sources.empty()}, "absent")
        assert [(op.name, op.rules) for op in plan.operations] == [(CLOSE, ((SSH, Sources.of([OFFICE], ["::/0"])),))]

    def test_purge_is_one_put(self):
        plan = plan_changes({SSH: Sources.of([WORLD]), HTTP: Sources.of([WORLD])}, {SSH: Sources.of([OFFICE])}, "present", purge=True)
        assert [(op.name, op.rules) for op in plan.operations] == [(PUT, ((SSH, Sources.of([OFFICE])),))]

    def test_purge_to_nothing_closes_rule_by_rule(self):
        plan = plan_changes({SSH: Sources.of([WORLD]), HTTP: Sources.of([WORLD])}, {}, "present", purge=True)
        assert [op.name for op in plan.operations] == [CLOSE, CLOSE]
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
            assert all(op.name != PUT for op in plan.operations)

    @settings(max_examples=200, deadline=None)
    @given(current=FIREWALLS, request=REQUESTS, mode=MODES)
    def test_close_only_targets_open_rules(self, current, request, mode):
        state, purge = mode
        plan = plan_changes(current, clean(request, state, purge), state, purge)
        for op in plan.operations:
            if op.name == CLOSE:
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
