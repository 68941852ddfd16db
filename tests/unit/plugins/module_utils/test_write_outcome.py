from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._plan import Operation
from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._write_outcome import firewall_after_writes

SSH, WEB, MYSQL = RuleKey("tcp", 22, 22), RuleKey("tcp", 80, 80), RuleKey("tcp", 3306, 3306)
OFFICE, HOME, WORLD4, WORLD6 = "203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0", "::/0"
BEFORE = {SSH: Sources.of([WORLD4, OFFICE], [WORLD6]), WEB: Sources.of([WORLD4], [WORLD6]), MYSQL: Sources.of([WORLD4])}


def test_no_write_applied_leaves_the_firewall_as_before():
    assert firewall_after_writes(BEFORE, []) == BEFORE


def test_a_narrowing_stopped_after_its_close_keeps_what_the_close_did_not_name():
    plan = plan_changes(BEFORE, {SSH: Sources.of([WORLD4], [WORLD6]), MYSQL: Sources.empty()}, "absent")
    close_ssh = plan.operations[0]
    assert close_ssh.api_call == "CloseInstancePublicPorts"
    assert firewall_after_writes(BEFORE, [close_ssh]) == {**BEFORE, SSH: Sources.of([OFFICE])}


def test_a_close_without_sources_closes_the_rule_and_a_close_of_a_missing_rule_is_nothing():
    closing = [Operation("CloseInstancePublicPorts", ((MYSQL, Sources.empty()),)),
               Operation("CloseInstancePublicPorts", ((RuleKey("udp", 53, 53), Sources.of([OFFICE])),))]
    assert firewall_after_writes(BEFORE, closing) == {SSH: BEFORE[SSH], WEB: BEFORE[WEB]}


def test_an_open_makes_the_rule_what_it_sent_and_a_put_the_whole_firewall():
    opened = firewall_after_writes(BEFORE, [Operation("OpenInstancePublicPorts", ((SSH, Sources.of([HOME])),))])
    assert opened[SSH] == Sources.of([HOME]) and opened[WEB] == BEFORE[WEB]
    assert firewall_after_writes(BEFORE, [Operation("PutInstancePublicPorts", ((WEB, Sources.of([OFFICE])),))]) == {WEB: Sources.of([OFFICE])}


def test_an_unknown_operation_is_an_error():
    with pytest.raises(ValueError):
        firewall_after_writes(BEFORE, [Operation("TagResource", ((SSH, Sources.of([OFFICE])),))])


SOURCES = st.builds(Sources.of, st.sets(st.sampled_from([OFFICE, HOME, WORLD4, "10.0.0.0/8"]), max_size=3),
                    st.sets(st.sampled_from([WORLD6, "2001:db8::/32"]), max_size=2))
FIREWALLS = st.dictionaries(st.sampled_from([SSH, WEB, MYSQL]), SOURCES.filter(bool), max_size=3)


@settings(max_examples=200, deadline=None)
@given(FIREWALLS, FIREWALLS, st.sampled_from(["present", "absent", "purge"]))
def test_every_planned_write_applied_gives_the_planned_firewall(current, requested, mode):
    """Applied in full, the writes of any plan give its "after": the computed firewall agrees with the planner."""
    plan = plan_changes(current, requested, "present" if mode == "purge" else mode, mode == "purge")
    assert firewall_after_writes(plan.before, plan.operations) == plan.after
