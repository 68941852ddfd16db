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

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections import namedtuple

from ansible_collections.seed.lightsail.plugins.module_utils.rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils.rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils.rules import rule_sort_key
from ansible_collections.seed.lightsail.plugins.module_utils.rules import rule_to_dict

OPEN = "OpenInstancePublicPorts"
CLOSE = "CloseInstancePublicPorts"
PUT = "PutInstancePublicPorts"


class Operation(namedtuple("Operation", ["name", "rules"])):
    """One write: its API operation and the ((RuleKey, Sources), ...) it sends."""

    __slots__ = ()

    def to_dict(self):
        return {"operation": self.name, "ports": [rule_to_dict(key, sources) for key, sources in self.rules]}


class Plan(namedtuple("Plan", ["before", "after", "operations"])):
    """Firewalls before and after, and the writes between them."""

    __slots__ = ()

    @property
    def changed(self):
        return bool(self.operations)

    def diff(self):
        return {"before": {"ports": firewall_to_list(self.before)}, "after": {"ports": firewall_to_list(self.after)}}


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


def plan_changes(current, requested, state="present", purge=False):
    """The whole plan for one instance: desired firewall and the writes to reach it."""
    desired = desired_firewall(current, requested, state, purge)
    if state == "present" and purge:
        operations = plan_exclusive_writes(current, desired)
    else:
        operations = plan_targeted_writes(current, desired)
    return Plan(dict(current), desired, operations)
