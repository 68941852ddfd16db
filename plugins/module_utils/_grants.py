# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Temporary access grants recorded in an instance's Lightsail tags: pure Python, no boto3.

A grant allows some sources on some rules of one instance until a UTC expiry. It is recorded on the
instance in two tags, so that any controller can see it and end it:

    seed.lightsail/grant/<id>          v1 <expiry> <rule>@<source>+<source> <rule>@<source> ...
    seed.lightsail/grant/<id>/reason   <reason>

for example ``v1 2026-11-29T01:30:00Z tcp:22:22@198.51.100.7/32+2001:db8::7/128``. A rule is
``protocol:from_port:to_port``; a source an IPv4 or IPv6 CIDR block or ``lightsail-connect``.

The record lists the sources the grant *holds*: those it opened, and those another grant had opened
that it also needs (so that ending the other grant does not cut it off). A source that was allowed
without any grant when the grant was made is not held, and no grant ever closes it. Ending grants
(revoke or expiry) closes what they held minus what the grants that stay live still hold.
"""

import ipaddress
import re
from collections import namedtuple
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._rules import ALIASES
from ansible_collections.seed.lightsail.plugins.module_utils._rules import ICMP_PROTOCOLS
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._rules import merge_into
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_alias
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv4_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv6_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_key
from ansible_collections.seed.lightsail.plugins.module_utils._rules import rule_sort_key

GRANT_TAG_PREFIX = "seed.lightsail/grant/"
REASON_TAG_SUFFIX = "/reason"
RECORD_VERSION = "v1"
# Lightsail's tag rules (API reference, Tag): keys up to 128 characters, values up to 256, letters, numbers,
# spaces and + - = . _ : / @; aws: is reserved; AWS's general ceiling of 50 tags per resource.
TAG_KEY_MAX, TAG_VALUE_MAX, TAGS_PER_RESOURCE = 128, 256, 50
TAG_PUNCTUATION = " +-=._:/@"
GRANT_ID_MAX = 64
GRANT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+=-]*$")
DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
DURATION_PATTERN = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
DURATION_MIN = timedelta(seconds=60)
DURATION_MAX = timedelta(days=7)
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
TAG_OPERATION = "TagResource"
UNTAG_OPERATION = "UntagResource"


class GrantError(RuleError):
    """Bad grant input, or a grant record that cannot be read or written, with the place it was found."""


class Grant(namedtuple("Grant", ["grant_id", "expires_at", "held", "reason"])):
    """One grant: its id, UTC expiry (an aware datetime), the sources it holds {RuleKey: Sources}, its reason."""

    __slots__ = ()

    def is_live(self, now):
        return now < self.expires_at

    def tag_keys(self):
        return [record_key(self.grant_id), reason_key(self.grant_id)]

    def to_tags(self):
        """The two tags that record the grant; GrantError when the record does not fit a tag value."""
        return {record_key(self.grant_id): encode_record(self), reason_key(self.grant_id): self.reason}

    def to_dict(self, now=None):
        result = {
            "grant_id": self.grant_id,
            "expires_at": format_time(self.expires_at),
            "reason": self.reason,
            "ports": firewall_to_list(self.held),
        }
        if now is not None:
            result["expired"] = not self.is_live(now)
        return result


# ---- time and duration -----------------------------------------------------------------------------

def parse_duration(value, where="duration"):
    """'30m', '2h', '1d', '1h30m', '90s' -> timedelta, between one minute and seven days."""
    text = str(value).strip().lower() if value is not None else ""
    match = DURATION_PATTERN.match(text)
    if not text or not match or not any(match.groups()):
        raise GrantError(where, "%r is not a duration; write a number with a unit s, m, h or d, for example 30m, 2h or 1h30m" % (value,))
    days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    duration = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    if duration < DURATION_MIN or duration > DURATION_MAX:
        raise GrantError(where, "%r is out of range; a grant lasts from 1m to 7d (renew it with the same grant id to extend it)" % (value,))
    return duration


def format_time(moment):
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def parse_time(value, where="time"):
    """'2026-11-29T01:30:00Z' (UTC, whole seconds) -> an aware datetime."""
    try:
        return datetime.strptime(str(value).strip(), TIME_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise GrantError(where, "%r is not a UTC time like 2026-11-29T01:30:00Z" % (value,))


def truncate_to_second(moment):
    return moment.astimezone(timezone.utc).replace(microsecond=0)


# ---- tag text ---------------------------------------------------------------------------------------

def tag_text_problem(text, limit):
    """None when Lightsail accepts text as a tag key or value of at most ``limit`` characters, else why not."""
    if len(text) > limit:
        return "is %d characters long; a Lightsail tag holds at most %d" % (len(text), limit)
    bad = sorted(set(char for char in text if not (char.isalnum() or char in TAG_PUNCTUATION)))
    if bad:
        return "contains %s, which Lightsail tags do not allow (only letters, numbers, spaces and %s)" % (
            " ".join(repr(char) for char in bad), " ".join(TAG_PUNCTUATION.strip()))
    return None


def validate_grant_id(value, where="grant_id"):
    text = "" if value is None else str(value).strip()
    if not text:
        raise GrantError(where, "is required")
    if len(text) > GRANT_ID_MAX or not GRANT_ID_PATTERN.match(text):
        raise GrantError(where, "%r: a grant id is 1 to %d letters, digits and . _ : @ + = -, starting with a letter or digit" % (value, GRANT_ID_MAX))
    return text


def validate_reason(value, where="reason"):
    text = "" if value is None else str(value).strip()
    if not text:
        raise GrantError(where, "is required: say why the access is needed (it is shown wherever the grant is)")
    problem = tag_text_problem(text, TAG_VALUE_MAX)
    if problem:
        raise GrantError(where, "%r %s" % (value, problem))
    return text


def record_key(grant_id):
    return GRANT_TAG_PREFIX + grant_id


def reason_key(grant_id):
    return GRANT_TAG_PREFIX + grant_id + REASON_TAG_SUFFIX


# ---- the record -------------------------------------------------------------------------------------

def encode_record(grant):
    """The value of a grant's record tag; GrantError when it is longer than a tag value may be."""
    parts = [RECORD_VERSION, format_time(grant.expires_at)]
    for key in sorted(grant.held, key=rule_sort_key):
        sources = grant.held[key]
        if not sources:
            continue
        parts.append("%s:%d:%d@%s" % (key.protocol, key.from_port, key.to_port, "+".join(_listed(sources))))
    value = " ".join(parts)
    if len(value) > TAG_VALUE_MAX:
        raise GrantError(
            "grant %s" % grant.grant_id,
            "its record needs %d characters and a Lightsail tag value holds %d; grant fewer rules or sources under one grant id" % (len(value), TAG_VALUE_MAX),
        )
    return value


def decode_record(grant_id, value, reason="", where=None):
    """A record tag's value -> Grant; GrantError naming the tag when it is not a record this code wrote."""
    where = where or record_key(grant_id)
    fields = str(value).split()
    if len(fields) < 2 or fields[0] != RECORD_VERSION:
        raise GrantError(where, "%r is not a %s grant record" % (value, RECORD_VERSION))
    expires_at = parse_time(fields[1], where)
    held = {}
    for field in fields[2:]:
        rule_text, _sep, source_text = field.partition("@")
        parts = rule_text.split(":")
        if len(parts) != 3 or not source_text:
            raise GrantError(where, "%r is not a rule@sources entry" % (field,))
        key = normalize_key(parts[0], parts[1], parts[2], where)
        merge_into(held, key, _sources_from_text(source_text.split("+"), where))
    return Grant(grant_id, expires_at, held, reason)


def _sources_from_text(items, where):
    cidrs, ipv6_cidrs, aliases = [], [], []
    for item in items:
        if item in ALIASES:
            aliases.append(normalize_alias(item, where))
        elif ":" in item:
            ipv6_cidrs.append(normalize_ipv6_cidr(item, where))
        else:
            cidrs.append(normalize_ipv4_cidr(item, where))
    return Sources.of(cidrs, ipv6_cidrs, aliases)


def read_grants(tags):
    """An instance's tags ({key: value}) -> (grants sorted by id, [(tag key, problem)] for unreadable records)."""
    grants, problems = [], []
    for key in sorted(tags):
        if not key.startswith(GRANT_TAG_PREFIX) or key.endswith(REASON_TAG_SUFFIX):
            continue
        grant_id = key[len(GRANT_TAG_PREFIX):]
        try:
            grants.append(decode_record(grant_id, tags[key], tags.get(reason_key(grant_id), ""), key))
        except RuleError as error:
            problems.append((key, str(error)))
    return grants, problems


def live_grants(grants, now):
    return [grant for grant in grants if grant.is_live(now)]


def expired_grants(grants, now):
    return [grant for grant in grants if not grant.is_live(now)]


def held_sources(grants):
    """{RuleKey: Sources}: everything the grants hold, together."""
    held = {}
    for grant in grants:
        for key, sources in grant.held.items():
            merge_into(held, key, sources)
    return held


# ---- coverage: is a source already allowed? ------------------------------------------------------------

def _key_covers(wide, narrow):
    """True when rule ``wide`` allows every packet rule ``narrow`` allows (for the same source)."""
    if wide == narrow or wide.protocol == "all":
        return True
    if wide.protocol != narrow.protocol:
        return False
    if narrow.protocol in ICMP_PROTOCOLS:
        return wide.from_port == -1 or (wide.from_port == narrow.from_port and wide.to_port == -1)
    return wide.from_port <= narrow.from_port and narrow.to_port <= wide.to_port


def _source_covers(wide, narrow):
    if wide == narrow:
        return True
    if wide in ALIASES or narrow in ALIASES:
        return False
    try:
        wide_net, narrow_net = ipaddress.ip_network(wide), ipaddress.ip_network(narrow)
    except ValueError:
        return False
    return wide_net.version == narrow_net.version and narrow_net.subnet_of(wide_net)


def _entries(firewall):
    """(RuleKey, family index, source) for every source of a firewall; family 0 cidrs, 1 ipv6_cidrs, 2 aliases."""
    for key, sources in firewall.items():
        for family, values in enumerate(sources):
            for value in values:
                yield key, family, value


def covering_entries(firewall, key, family, source):
    """The entries of ``firewall`` that allow ``source`` on rule ``key``."""
    return [(wide_key, wide_family, wide_source) for wide_key, wide_family, wide_source in _entries(firewall)
            if wide_family == family and _key_covers(wide_key, key) and _source_covers(wide_source, source)]


def _add_entry(firewall, key, family, source):
    lists = [(), (), ()]
    lists[family] = (source,)
    merge_into(firewall, key, Sources.of(*lists))


# ---- planning ---------------------------------------------------------------------------------------

class GrantPlan(namedtuple("GrantPlan", ["grant", "previous", "plan", "opened", "shared", "already_allowed", "tags"])):
    """What granting does: the grant as recorded afterwards (and before, for a re-grant), the firewall plan
    (Opens only), what it opens, what it shares with other grants, what was allowed already, and the tags to write
    ({} when the record does not change)."""

    __slots__ = ()

    @property
    def changed(self):
        return bool(self.plan.operations or self.tags)


def plan_grant(current, tags, grant_id, requested, expires_at, reason):
    """Grant (or renew) ``grant_id``: allow ``requested`` ({RuleKey: Sources}) on ``current`` until ``expires_at``.

    A new grant opens only the requested sources no rule allows yet, and holds those plus the ones only other
    grants' sources allow. A renewal (the id is already recorded) writes no firewall change: it moves the expiry
    later (never earlier) and updates the reason, and fails when a requested source is not allowed at all.
    """
    grants, _problems = read_grants(tags)
    previous = next((grant for grant in grants if grant.grant_id == grant_id), None)
    if previous is not None:
        return _plan_renewal(current, previous, requested, expires_at, reason)
    held_by_grants = held_sources(grants)
    to_open, held, shared, already = {}, {}, {}, {}
    for key, sources in requested.items():
        for family, values in enumerate(sources):
            for source in sorted(values):
                covering = covering_entries(current, key, family, source)
                for_good = [entry for entry in covering if not _held(held_by_grants, *entry)]
                if for_good:
                    _add_entry(already, key, family, source)
                elif covering:
                    for entry in covering:
                        _add_entry(held, *entry)
                        _add_entry(shared, *entry)
                else:
                    _add_entry(held, key, family, source)
                    _add_entry(to_open, key, family, source)
    grant = Grant(grant_id, expires_at, held, reason)
    plan = plan_changes(current, to_open, "present")
    return GrantPlan(grant, None, plan, to_open, shared, already, grant.to_tags())


def _held(held, key, family, source):
    return key in held and source in held[key][family]


def _plan_renewal(current, previous, requested, expires_at, reason):
    missing = {}
    for key, sources in requested.items():
        for family, values in enumerate(sources):
            for source in sorted(values):
                if not covering_entries(current, key, family, source):
                    _add_entry(missing, key, family, source)
    if missing:
        rules = "; ".join("%s from %s" % (key.describe(), ", ".join(_listed(missing[key]))) for key in sorted(missing, key=rule_sort_key))
        raise GrantError("grant_id", "%r is already granted, and renewing it does not change the firewall, but it does not allow %s; "
                                     "revoke it first (state=absent) or use another grant id" % (previous.grant_id, rules))
    grant = Grant(previous.grant_id, max(previous.expires_at, expires_at), previous.held, reason)
    tags = grant.to_tags() if grant != previous else {}
    return GrantPlan(grant, previous, plan_changes(current, {}, "present"), {}, {}, {}, tags)


def _listed(sources):
    return sorted(sources.cidrs) + sorted(sources.ipv6_cidrs) + sorted(sources.aliases)


class ReleasePlan(namedtuple("ReleasePlan", ["ending", "plan", "closed", "untag_keys"])):
    """What ending grants does: the firewall plan (Closes, and Opens of what a narrowed rule keeps), the sources
    it removes, and the tag keys to remove."""

    __slots__ = ()

    @property
    def changed(self):
        return bool(self.plan.operations or self.untag_keys)


def plan_release(current, ending, staying):
    """End the grants ``ending`` while the grants ``staying`` stay: close what the ending grants hold and no staying
    grant holds, where it is still allowed; remove the ending grants' tags.

    ``staying`` should be the live grants only: an expired grant is itself about to end, so it keeps nothing open.
    """
    still_needed = held_sources(staying)
    to_close = {}
    for key, sources in held_sources(ending).items():
        release = sources.difference(still_needed.get(key, Sources.empty()))
        if key in current:
            release = Sources(*(release[i] & current[key][i] for i in range(3)))
        if release:  # an empty Sources would mean "close the whole rule" to the planner
            to_close[key] = release
    plan = plan_changes(current, to_close, "absent")
    keys = [tag_key for grant in ending for tag_key in grant.tag_keys()]
    return ReleasePlan(list(ending), plan, to_close, keys)


def tags_needed(tags, new_tags):
    """How many tags an instance carries after adding ``new_tags``; compare with TAGS_PER_RESOURCE."""
    return len(set(tags) | set(new_tags))


def tag_operation(tags):
    return {"operation": TAG_OPERATION, "tags": dict(tags)}


def untag_operation(keys):
    return {"operation": UNTAG_OPERATION, "tag_keys": sorted(keys)}


# ---- the controller's clock -------------------------------------------------------------------------

NOW_VARIABLE = "SEED_LIGHTSAIL_NOW"


def controller_now(environ, system_now):
    """(now, warning): the controller's UTC clock to the second, or the time SEED_LIGHTSAIL_NOW names (for tests).

    The variable lets a test grant, then sweep "later", without sleeping. It is honoured with a warning, so that a
    run where it is set by mistake says so.
    """
    text = environ.get(NOW_VARIABLE)
    if not text:
        return truncate_to_second(system_now), None
    now = parse_time(text, NOW_VARIABLE)
    return now, "%s is set: expiry is decided as if it were %s UTC, not by the controller's clock (meant for tests only)" % (NOW_VARIABLE, format_time(now))


def parse_source_list(values, where="sources"):
    """A mixed list of IPv4 and IPv6 addresses or blocks and aliases (as the public_ip lookup returns them) -> Sources."""
    cidrs, ipv6_cidrs, aliases = [], [], []
    for index, value in enumerate(values or ()):
        item_where = "%s[%d]" % (where, index)
        text = str(value).strip()
        if text.lower() in ALIASES:
            aliases.append(normalize_alias(text, item_where))
        elif ":" in text:
            ipv6_cidrs.append(normalize_ipv6_cidr(text, item_where))
        else:
            cidrs.append(normalize_ipv4_cidr(text, item_where))
    return Sources.of(cidrs, ipv6_cidrs, aliases)


def plan_expiry(current, tags, now):
    """(ReleasePlan of the expired grants or None when none has expired, live grants, unreadable records) for one instance."""
    grants, problems = read_grants(tags)
    expired = expired_grants(grants, now)
    live = live_grants(grants, now)
    return (plan_release(current, expired, live) if expired else None), live, problems
