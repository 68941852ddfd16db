"""Grants: the tag record, durations, planning a grant and the end of grants (module_utils/_grants.py)."""

from __future__ import annotations

from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._grants import GRANT_TAG_PREFIX
from ansible_collections.seed.lightsail.plugins.module_utils._grants import TAG_VALUE_MAX
from ansible_collections.seed.lightsail.plugins.module_utils._grants import Grant
from ansible_collections.seed.lightsail.plugins.module_utils._grants import GrantError
from ansible_collections.seed.lightsail.plugins.module_utils._grants import controller_now
from ansible_collections.seed.lightsail.plugins.module_utils._grants import covering_entries
from ansible_collections.seed.lightsail.plugins.module_utils._grants import decode_record
from ansible_collections.seed.lightsail.plugins.module_utils._grants import encode_record
from ansible_collections.seed.lightsail.plugins.module_utils._grants import expired_grants
from ansible_collections.seed.lightsail.plugins.module_utils._grants import held_sources
from ansible_collections.seed.lightsail.plugins.module_utils._grants import live_grants
from ansible_collections.seed.lightsail.plugins.module_utils._grants import parse_duration
from ansible_collections.seed.lightsail.plugins.module_utils._grants import parse_source_list
from ansible_collections.seed.lightsail.plugins.module_utils._grants import plan_expiry
from ansible_collections.seed.lightsail.plugins.module_utils._grants import plan_grant
from ansible_collections.seed.lightsail.plugins.module_utils._grants import plan_release
from ansible_collections.seed.lightsail.plugins.module_utils._grants import read_grants
from ansible_collections.seed.lightsail.plugins.module_utils._grants import tag_text_problem
from ansible_collections.seed.lightsail.plugins.module_utils._grants import validate_grant_id
from ansible_collections.seed.lightsail.plugins.module_utils._grants import validate_reason
from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources

from .lightsail_semantics import ALL_BEHAVIOURS
from .lightsail_semantics import apply_writes

SSH, HTTP, EVERY_TCP = RuleKey("tcp", 22, 22), RuleKey("tcp", 80, 80), RuleKey("tcp", 0, 65535)
OFFICE, HOME, HOME_NET, CAFE = "203.0.113.0/24", "198.51.100.7/32", "198.51.100.0/24", "192.0.2.9/32"
HOME6 = "2001:db8::7/128"
T0 = datetime(2026, 11, 29, 0, 0, 0, tzinfo=timezone.utc)
LATER = T0 + timedelta(minutes=30)


def v4(*cidrs):
    return Sources.of(cidrs)


def tags_of(*grants):
    tags = {"env": "prod"}
    for grant in grants:
        tags.update(grant.to_tags())
    return tags


# ---- durations and time ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("30m", timedelta(minutes=30)), ("2h", timedelta(hours=2)), ("1d", timedelta(days=1)), ("90s", timedelta(seconds=90)),
    ("1h30m", timedelta(minutes=90)), (" 2H ", timedelta(hours=2)), ("7d", timedelta(days=7)), ("1m", timedelta(minutes=1)),
    ("1d2h3m4s", timedelta(days=1, hours=2, minutes=3, seconds=4)),
])
def test_durations(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text, fragment", [
    ("30", "not a duration"), ("", "not a duration"), (None, "not a duration"), ("half an hour", "not a duration"),
    ("-5m", "not a duration"), ("30m1h", "not a duration"), ("1.5h", "not a duration"), ("m", "not a duration"),
    ("0m", "out of range"), ("59s", "out of range"), ("8d", "out of range"), ("169h", "out of range"),
])
def test_bad_durations_name_the_field_and_value(text, fragment):
    with pytest.raises(GrantError) as excinfo:
        parse_duration(text)
    assert str(excinfo.value).startswith("duration: %r" % (text,)) and fragment in str(excinfo.value)


def test_controller_clock_and_the_test_override():
    now, warning = controller_now({}, datetime(2026, 11, 29, 0, 0, 0, 999999, tzinfo=timezone.utc))
    assert now == T0 and warning is None
    now, warning = controller_now({"SEED_LIGHTSAIL_NOW": "2026-11-29T00:30:00Z"}, T0)
    assert now == LATER and "SEED_LIGHTSAIL_NOW" in warning and "tests only" in warning
    with pytest.raises(GrantError) as excinfo:
        controller_now({"SEED_LIGHTSAIL_NOW": "tomorrow"}, T0)
    assert str(excinfo.value).startswith("SEED_LIGHTSAIL_NOW: 'tomorrow'")


# ---- ids, reasons and tag text -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["deploy-7", "a", "build_12.3:x@y+z=w", "x" * 64])
def test_good_grant_ids(value):
    assert validate_grant_id(value) == value


@pytest.mark.parametrize("value", ["", None, "has space", "-leading", "a/b", "x" * 65, "ü"])
def test_bad_grant_ids(value):
    with pytest.raises(GrantError) as excinfo:
        validate_grant_id(value)
    assert str(excinfo.value).startswith("grant_id: ")


def test_reasons_follow_the_tag_rules():
    assert validate_reason("  deploy 7: release/2026.11 by @ci  ") == "deploy 7: release/2026.11 by @ci"
    assert validate_reason("Wartung für Kunde") == "Wartung für Kunde"
    for bad, fragment in (("deploy, ticket 7", "','"), ('say "hi"', "'\"'"), ("x" * 257, "257 characters"), ("", "is required"), (None, "is required")):
        with pytest.raises(GrantError) as excinfo:
            validate_reason(bad)
        assert str(excinfo.value).startswith("reason: ") and fragment in str(excinfo.value)


def test_tag_text_problem():
    assert tag_text_problem("v1 2026-11-29T00:30:00Z tcp:22:22@198.51.100.7/32+2001:db8::7/128", 256) is None
    assert "[" in tag_text_problem("[x]", 256) and "at most 128" in tag_text_problem("k" * 129, 128)


def test_sources_of_both_families_in_one_list():
    assert parse_source_list(["198.51.100.7", "2001:DB8::7", "lightsail-connect"]) == Sources.of([HOME], [HOME6], ["lightsail-connect"])
    with pytest.raises(RuleError) as excinfo:
        parse_source_list(["198.51.100.7/24"])
    assert str(excinfo.value).startswith("sources[0]: ") and "198.51.100.0/24" in str(excinfo.value)


# ---- the record ---------------------------------------------------------------------------------------

def test_record_encoding_is_documented_and_round_trips():
    grant = Grant("deploy-7", LATER, {SSH: Sources.of([HOME], [HOME6]), RuleKey("icmp", 8, -1): v4(HOME)}, "deploy 7")
    tags = grant.to_tags()
    assert tags == {
        "seed.lightsail/grant/deploy-7": "v1 2026-11-29T00:30:00Z icmp:8:-1@198.51.100.7/32 tcp:22:22@198.51.100.7/32+2001:db8::7/128",
        "seed.lightsail/grant/deploy-7/reason": "deploy 7",
    }
    for key, value in tags.items():
        assert tag_text_problem(key, 128) is None and tag_text_problem(value, 256) is None
    assert read_grants(dict(tags, other="x"))[0] == [grant]


def test_a_grant_with_nothing_held_is_still_a_record():
    grant = Grant("noop", LATER, {}, "r")
    assert encode_record(grant) == "v1 2026-11-29T00:30:00Z"
    assert decode_record("noop", "v1 2026-11-29T00:30:00Z", "r") == grant


def test_a_record_that_does_not_fit_a_tag_is_refused():
    sources = Sources.of((), ["2001:db8:%x::/48" % n for n in range(12)])
    grant = Grant("big", LATER, {RuleKey("tcp", port, port): sources for port in (22, 443)}, "r")
    with pytest.raises(GrantError) as excinfo:
        encode_record(grant)
    assert "grant big" in str(excinfo.value) and str(TAG_VALUE_MAX) in str(excinfo.value)


@pytest.mark.parametrize("value", ["", "v2 2026-11-29T00:30:00Z", "v1", "v1 soon", "v1 2026-11-29T00:30:00Z tcp:22@1.2.3.4/32",
                                   "v1 2026-11-29T00:30:00Z tcp:22:22", "v1 2026-11-29T00:30:00Z tcp:22:22@nonsense",
                                   "v1 2026-11-29T00:30:00Z tcp:70000:70000@1.2.3.4/32"])
def test_unreadable_records_are_reported_not_guessed(value):
    grants, problems = read_grants({GRANT_TAG_PREFIX + "x": value, GRANT_TAG_PREFIX + "x/reason": "r"})
    assert grants == [] and [key for key, _problem in problems] == [GRANT_TAG_PREFIX + "x"]


def test_live_and_expired_on_the_boundary():
    grant = Grant("g", LATER, {}, "r")
    assert live_grants([grant], LATER - timedelta(seconds=1)) == [grant] and expired_grants([grant], LATER) == [grant]


# ---- planning a grant ---------------------------------------------------------------------------------

def test_a_grant_opens_only_what_is_not_allowed():
    current = {SSH: v4(OFFICE), HTTP: Sources.of([OFFICE], ["::/0"])}
    planned = plan_grant(current, {}, "g", {SSH: Sources.of([OFFICE, HOME], [HOME6]), HTTP: Sources.of([HOME], [HOME6])}, LATER, "r")
    assert planned.opened == {SSH: Sources.of([HOME], [HOME6]), HTTP: v4(HOME)}
    assert planned.already_allowed == {SSH: v4(OFFICE), HTTP: Sources.of((), [HOME6])}
    assert planned.grant.held == planned.opened
    assert [(op.api_call, op.rules) for op in planned.plan.operations] == [
        (OPEN, ((SSH, Sources.of([OFFICE, HOME], [HOME6])),)), (OPEN, ((HTTP, Sources.of([OFFICE, HOME], ["::/0"])),))]
    assert planned.tags == planned.grant.to_tags()


def test_coverage_by_blocks_and_wider_rules():
    current = {SSH: v4(HOME_NET), EVERY_TCP: Sources.of((), [HOME6]), RuleKey("all", 0, 65535): v4(CAFE)}
    assert covering_entries(current, SSH, 0, HOME) == [(SSH, 0, HOME_NET)]
    planned = plan_grant(current, {}, "g", {HTTP: Sources.of([HOME, CAFE], [HOME6])}, LATER, "r")
    assert planned.opened == {HTTP: v4(HOME)} and planned.already_allowed == {HTTP: Sources.of([CAFE], [HOME6])}


def test_a_source_only_another_grant_opened_is_shared():
    alice = Grant("alice", LATER, {SSH: v4(HOME_NET)}, "a")
    current = {SSH: v4(OFFICE, HOME_NET)}
    planned = plan_grant(current, tags_of(alice), "bob", {SSH: v4(HOME, OFFICE)}, LATER, "b")
    assert planned.opened == {} and planned.plan.operations == []
    assert planned.shared == {SSH: v4(HOME_NET)} and planned.grant.held == {SSH: v4(HOME_NET)}
    assert planned.already_allowed == {SSH: v4(OFFICE)}


def test_an_expired_unswept_grant_counts_as_a_grant_not_as_for_good():
    old = Grant("old", T0, {SSH: v4(HOME)}, "o")
    planned = plan_grant({SSH: v4(HOME)}, tags_of(old), "new", {SSH: v4(HOME)}, LATER, "n")
    assert planned.grant.held == {SSH: v4(HOME)}, "the sweep of 'old' must not cut 'new' off"
    release = plan_release({SSH: v4(HOME)}, [old], [planned.grant])
    assert release.plan.operations == [] and release.untag_keys == [GRANT_TAG_PREFIX + "old", GRANT_TAG_PREFIX + "old/reason"]


def test_renewal_moves_the_expiry_later_and_never_touches_the_firewall():
    alice = Grant("alice", LATER, {SSH: v4(HOME)}, "a")
    current = {SSH: v4(OFFICE, HOME)}
    renewed = plan_grant(current, tags_of(alice), "alice", {SSH: v4(HOME)}, LATER + timedelta(hours=1), "a2")
    assert renewed.previous == alice and renewed.plan.operations == [] and renewed.opened == {}
    assert renewed.grant == Grant("alice", LATER + timedelta(hours=1), {SSH: v4(HOME)}, "a2")
    same = plan_grant(current, tags_of(alice), "alice", {SSH: v4(HOME)}, T0 + timedelta(minutes=5), "a")
    assert same.grant == alice and same.tags == {} and not same.changed


def test_renewal_for_a_source_not_allowed_is_refused():
    alice = Grant("alice", LATER, {SSH: v4(HOME)}, "a")
    with pytest.raises(GrantError) as excinfo:
        plan_grant({SSH: v4(HOME)}, tags_of(alice), "alice", {SSH: v4(CAFE)}, LATER, "a")
    assert str(excinfo.value).startswith("grant_id: 'alice' is already granted") and CAFE in str(excinfo.value)


# ---- ending grants ------------------------------------------------------------------------------------

def test_release_closes_only_what_no_live_grant_holds():
    alice = Grant("alice", LATER, {SSH: v4(HOME, CAFE)}, "a")
    bob = Grant("bob", LATER, {SSH: v4(HOME)}, "b")
    current = {SSH: v4(OFFICE, HOME, CAFE), HTTP: v4(OFFICE)}
    release = plan_release(current, [alice], [bob])
    assert release.closed == {SSH: v4(CAFE)}
    assert release.plan.after == {SSH: v4(OFFICE, HOME), HTTP: v4(OFFICE)}


def test_release_when_everything_is_still_needed_closes_nothing():
    """Regression guard: an empty Sources in the request would make the planner close the whole rule."""
    alice = Grant("alice", LATER, {SSH: v4(HOME)}, "a")
    bob = Grant("bob", LATER, {SSH: v4(HOME)}, "b")
    release = plan_release({SSH: v4(OFFICE, HOME)}, [alice], [bob])
    assert release.closed == {} and release.plan.operations == []


def test_release_of_sources_already_gone_writes_nothing():
    alice = Grant("alice", LATER, {SSH: v4(HOME), HTTP: v4(HOME)}, "a")
    release = plan_release({SSH: v4(OFFICE)}, [alice], [])
    assert release.plan.operations == [] and release.changed, "only the untag"


def test_release_of_a_rule_the_grant_opened_closes_it_whole():
    alice = Grant("alice", LATER, {HTTP: v4(HOME)}, "a")
    release = plan_release({SSH: v4(OFFICE), HTTP: v4(HOME)}, [alice], [])
    assert [(op.api_call, op.rules) for op in release.plan.operations] == [(CLOSE, ((HTTP, v4(HOME)),))]


def test_plan_expiry():
    old, new = Grant("old", T0, {SSH: v4(HOME, CAFE)}, "o"), Grant("new", LATER, {SSH: v4(HOME)}, "n")
    release, live, problems = plan_expiry({SSH: v4(OFFICE, HOME, CAFE)}, tags_of(old, new), T0 + timedelta(minutes=1))
    assert live == [new] and problems == [] and release.ending == [old] and release.closed == {SSH: v4(CAFE)}
    assert plan_expiry({}, tags_of(new), T0)[0] is None


def test_held_sources_are_the_union():
    assert held_sources([Grant("a", LATER, {SSH: v4(HOME)}, ""), Grant("b", LATER, {SSH: v4(CAFE), HTTP: v4(HOME)}, "")]) == {
        SSH: v4(HOME, CAFE), HTTP: v4(HOME)}


# ---- property: grants come and go, under every reading of Open/Close -----------------------------------

POOL = [(0, HOME), (0, HOME_NET), (0, CAFE), (0, OFFICE), (1, HOME6), (2, "lightsail-connect")]
KEYS = [SSH, HTTP]
WIDE_KEYS = [SSH, HTTP, EVERY_TCP]


def _sources(picks):
    lists = [[], [], []]
    for family, value in picks:
        lists[family].append(value)
    return Sources.of(*lists)


FIREWALLS = st.dictionaries(st.sampled_from(WIDE_KEYS), st.lists(st.sampled_from(POOL), min_size=1, max_size=3).map(_sources), max_size=3)
REQUESTS = st.dictionaries(st.sampled_from(KEYS), st.lists(st.sampled_from(POOL), min_size=1, max_size=3).map(_sources), min_size=1, max_size=2)


def _allowed(firewall, request):
    return all(covering_entries(firewall, key, family, source)
               for key, sources in request.items() for family, values in enumerate(sources) for source in values)


@settings(max_examples=150)
@given(start=FIREWALLS, requests=st.lists(REQUESTS, min_size=1, max_size=4), order=st.randoms(use_true_random=False),
       behaviour=st.sampled_from(ALL_BEHAVIOURS))
def test_grants_allow_what_they_ask_while_live_and_leave_the_firewall_as_found(start, requests, order, behaviour):
    firewall, tags, granted = dict(start), {}, []
    for index, request in enumerate(requests):
        planned = plan_grant(firewall, tags, "g%d" % index, request, LATER, "r")
        firewall = apply_writes(firewall, planned.plan.operations, **behaviour)
        tags.update(planned.tags)
        granted.append((planned.grant, request))
        assert all(_allowed(firewall, req) for _grant, req in granted)
    order.shuffle(granted)
    while granted:
        ending, granted = granted[0][0], granted[1:]
        staying = [grant for grant, _req in granted]
        release = plan_release(firewall, [ending], staying)
        firewall = apply_writes(firewall, release.plan.operations, **behaviour)
        for key in release.untag_keys:
            tags.pop(key)
        assert all(_allowed(firewall, req) for _grant, req in granted), "ending one grant cut another off"
    assert firewall == start, "every grant ended: the firewall is as found"
    assert tags == {}
