# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""From (current firewall, request) to the desired firewall and the writes that reach it.

Pure Python. Two things Lightsail does not document shape the plan:

* OpenInstancePublicPorts on a rule that is already open may merge the new sources into it
  or replace its sources. Every Open therefore sends the rule's complete desired sources:
  merged or replaced, the rule ends up exactly as desired.
* CloseInstancePublicPorts with sources may remove just those sources or close the whole
  rule. Narrowing a rule is therefore Close(the sources to drop) followed by Open(the
  sources to keep): under either reading the rule ends up exactly as desired. (Open first
  would be undone by a Close that closes the whole rule.)

Targeted writes (present, absent) touch only the rules the request names, so rules that
someone else adds between our read and our write survive. The exclusive mode (purge) is one
PutInstancePublicPorts of the whole desired firewall, except when the desired firewall is
empty: Put with an empty list is undocumented, so each rule is closed instead.
"""

import ipaddress
from collections import namedtuple

from ansible_collections.seed.lightsail.plugins.module_utils._rules import ICMP_PROTOCOLS
from ansible_collections.seed.lightsail.plugins.module_utils._rules import MAX_RULES_PER_FAMILY
from ansible_collections.seed.lightsail.plugins.module_utils._rules import MAX_SOURCES_PER_RULE
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import rule_sort_key
from ansible_collections.seed.lightsail.plugins.module_utils._rules import rule_to_dict

OPEN = "OpenInstancePublicPorts"
CLOSE = "CloseInstancePublicPorts"
PUT = "PutInstancePublicPorts"


class Operation(namedtuple("Operation", ["api_call", "rules"])):
    """One write: its API call (OPEN, CLOSE or PUT) and the ((RuleKey, Sources), ...) it sends."""

    __slots__ = ()

    def to_dict(self):
        return {"operation": self.api_call, "ports": [rule_to_dict(key, sources) for key, sources in self.rules]}


class Plan(namedtuple("Plan", ["before", "after", "operations"])):
    """Firewalls before and after, and the writes between them."""

    __slots__ = ()

    @property
    def changed(self):
        return bool(self.operations)

    def diff(self):
        """Before and after as text, one line per rule, so that every hunk of a diff names its rule."""
        return {"before": firewall_to_text(self.before), "after": firewall_to_text(self.after)}


class PlanError(RuleError):
    """A plan Lightsail would refuse (too many sources on a rule, too many rules); raised before any write."""


def firewall_to_text(firewall):
    """'tcp 22: cidrs 203.0.113.0/24; cidr_list_aliases lightsail-connect' per rule, sorted; '' when empty."""
    return "".join("%s\n" % rule_to_line(key, firewall[key]) for key in sorted(firewall, key=rule_sort_key))


def rule_to_line(key, sources):
    return "%s: %s" % (key.describe(), sources.describe())


def desired_firewall(current, requested, state="present", purge=False):
    """The firewall a request asks for, given the current one.

    present: every requested source is allowed on its rule; nothing else changes.
    present + purge: exactly the requested rules.
    absent: requested sources are removed; a rule named without sources, or left without
    any, is closed.
    """
    if state == "present" and purge:
        return dict(requested)
    desired = dict(current)
    for key, sources in requested.items():
        if state == "present":
            desired[key] = desired.get(key, Sources.empty()).union(sources)
            continue
        if key not in desired:
            continue
        remaining = desired[key].difference(sources) if sources else Sources.empty()
        if remaining:
            desired[key] = remaining
        else:
            del desired[key]
    return desired


def plan_targeted_writes(current, desired):
    """Open and Close calls, rule by rule, that turn current into desired."""
    operations = []
    for key in sorted(set(current) | set(desired), key=rule_sort_key):
        now, wanted = current.get(key), desired.get(key)
        if now == wanted:
            continue
        if not wanted:
            operations.append(Operation(CLOSE, ((key, now),)))
            continue
        if now and not wanted.issuperset(now):
            operations.append(Operation(CLOSE, ((key, now.difference(wanted)),)))
        operations.append(Operation(OPEN, ((key, wanted),)))
    return operations


def plan_exclusive_writes(current, desired):
    """The writes that make the firewall exactly ``desired``."""
    if current == desired:
        return []
    if not desired:
        return [Operation(CLOSE, ((key, current[key]),)) for key in sorted(current, key=rule_sort_key)]
    return [Operation(PUT, tuple((key, desired[key]) for key in sorted(desired, key=rule_sort_key)))]


def has_taken_effect(firewall, operation):
    """True when ``firewall`` (read after the write) shows what the write asked for.

    Close: none of its sources is still allowed on its rule. Open: its rule allows every source it sent.
    Put: the firewall is exactly its rules.
    """
    if operation.api_call == PUT:
        return firewall == dict(operation.rules)
    for key, sources in operation.rules:
        now = firewall.get(key)
        if operation.api_call == OPEN and (now is None or not now.issuperset(sources)):
            return False
        if operation.api_call == CLOSE and now is not None and (not sources or now.difference(sources) != now):
            return False
    return True


def check_limits(current, desired):
    """Raise PlanError where ``desired`` exceeds what Lightsail accepts and ``current`` did not already.

    A rule holds at most 60 sources, and each of the IPv4 and IPv6 firewalls at most 60 rules (a rule with
    IPv4 sources or an alias counts on the IPv4 firewall, one with IPv6 sources on the IPv6 firewall).
    """
    for key in sorted(desired, key=rule_sort_key):
        wanted, now = desired[key], current.get(key, Sources.empty())
        if wanted != now and wanted.count() > MAX_SOURCES_PER_RULE:
            raise PlanError(key.describe(), "would allow %d sources (%d now, %d added); Lightsail accepts at most %d per rule, so nothing "
                            "was written. Remove sources from the rule first, or make it exactly the list you want with purge_ports"
                            % (wanted.count(), now.count(), wanted.difference(now).count(), MAX_SOURCES_PER_RULE))
    for family, counts in (("IPv4", _is_ipv4_rule), ("IPv6", _is_ipv6_rule)):
        wanted = sum(1 for sources in desired.values() if counts(sources))
        if wanted > MAX_RULES_PER_FAMILY and wanted > sum(1 for sources in current.values() if counts(sources)):
            raise PlanError("ports", "the %s firewall would have %d rules; Lightsail allows at most %d, so nothing was written"
                            % (family, wanted, MAX_RULES_PER_FAMILY))


def _is_ipv4_rule(sources):
    return bool(sources.cidrs or sources.aliases)


def _is_ipv6_rule(sources):
    return bool(sources.ipv6_cidrs)


def still_allowed(after, requested):
    """For state=absent: [(requested key, other key, Sources)] where another rule of ``after`` still lets through some of
    what the request closes (tcp 20-30 open to the world still covers a closed tcp 22)."""
    found = []
    for key in sorted(requested, key=rule_sort_key):
        removed = requested[key]
        for other in sorted(after, key=rule_sort_key):
            if other == key or not _overlaps(other, key):
                continue
            sources = after[other] if not removed else _overlapping_sources(after[other], removed)
            if sources:
                found.append((key, other, sources))
    return found


def _overlaps(rule, key):
    """True when some traffic ``key`` describes is also allowed by ``rule``."""
    if rule.protocol == "all" or key.protocol == "all":
        return True
    if rule.protocol != key.protocol:
        return False
    if key.protocol in ICMP_PROTOCOLS:
        return _icmp_matches(rule.from_port, key.from_port) and _icmp_matches(rule.to_port, key.to_port)
    return rule.from_port <= key.to_port and key.from_port <= rule.to_port


def _icmp_matches(one, other):
    return -1 in (one, other) or one == other


def _overlapping_sources(allowed, removed):
    return Sources.of(
        (text for text in allowed.cidrs if any(_networks_overlap(text, gone) for gone in removed.cidrs)),
        (text for text in allowed.ipv6_cidrs if any(_networks_overlap(text, gone) for gone in removed.ipv6_cidrs)),
        allowed.aliases & removed.aliases,
    )


def _networks_overlap(one, other):
    try:
        return ipaddress.ip_network(one).overlaps(ipaddress.ip_network(other))
    except ValueError:
        return one == other  # a value as the API returned it, not a network


def plan_changes(current, requested, state="present", purge=False):
    """The whole plan for one instance: desired firewall and the writes to reach it.

    Raises PlanError when the desired firewall exceeds Lightsail's limits (check mode included).
    """
    desired = desired_firewall(current, requested, state, purge)
    check_limits(current, desired)
    if state == "present" and purge:
        operations = plan_exclusive_writes(current, desired)
    else:
        operations = plan_targeted_writes(current, desired)
    return Plan(dict(current), desired, operations)
