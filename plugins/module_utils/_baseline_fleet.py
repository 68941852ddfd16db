# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A baseline over many instances: each instance's guarded baseline, plan and report entry. Pure Python.

The fleet module feeds it GetInstance(s) entries and gets back one InstancePlan per instance. The
baseline of an instance depends on its settings (one set for a region-driven run, one per host in a
host-driven run), its platform and its address type; instances of a fleet mostly share a few of
each, so baselines and plans are worked out once per distinct combination.
"""

import json
from collections import namedtuple

from ansible_collections.seed.lightsail.plugins.module_utils._baseline import ADDRESS_TYPES
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import PLATFORMS
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import BaselineError
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import build_baseline
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import evaluate
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import instance_report
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import mark_failed
from ansible_collections.seed.lightsail.plugins.module_utils._grants import GRANT_TAG_PREFIX
from ansible_collections.seed.lightsail.plugins.module_utils._grants import expired_grants
from ansible_collections.seed.lightsail.plugins.module_utils._grants import held_sources
from ansible_collections.seed.lightsail.plugins.module_utils._grants import live_grants
from ansible_collections.seed.lightsail.plugins.module_utils._grants import read_grants
from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import instance_summary
from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import merge_into
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._selection import instance_tags
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import read_networking_ports
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import refuse_resending_odd_values

# One instance: its report entry, its baseline firewall, and in apply mode the plan that brings it there
# (None in audit mode or when the instance was refused).
InstancePlan = namedtuple("InstancePlan", ["name", "entry", "plan"])


class Target(namedtuple("Target", ["name", "region", "options", "host"])):
    """An instance a run asks for by name, with its own parsed BaselineOptions and, in a host-driven run, its host."""

    __slots__ = ()


class BaselinePlanner(object):
    """Plans instances against baselines, remembering what repeats across a fleet.

    ``options`` are the BaselineOptions of an instance; several instances share one object when they
    share their settings, which is what makes the memo pay off. Refusals name the settings with
    ``field_prefix`` before them (the role's variables are ``firewall_baseline_`` + the option name).
    """

    def __init__(self, apply, now=None, field_prefix=""):
        self.apply = apply
        self.now = now
        self.field_prefix = field_prefix
        self.warnings = []
        self._baselines = {}
        self._entries = {}

    def baseline(self, options, platform, address_type):
        """The guarded baseline firewall, or raises the BaselineError that refuses it."""
        key = (id(options), platform, address_type)
        if key not in self._baselines:
            try:
                self._baselines[key] = build_baseline(options, platform, self.field_prefix, address_type=address_type)
            except BaselineError as error:
                self._baselines[key] = error
        found = self._baselines[key]
        if isinstance(found, BaselineError):
            raise found
        return found

    def _grants(self, grant_tags, current):
        """(live grants, expired grants, {RuleKey: Sources} the live ones hold that are still open) of an instance.

        A live grant's sources are temporary access, not drift: they are kept by an apply, and its expiry is left to
        the sweeper. What an expired grant held is closed by an apply when the baseline does not want it.
        """
        if not grant_tags or self.now is None:
            return [], [], {}
        grants, problems = read_grants(grant_tags)
        for key, problem in problems:
            self.warnings.append("tag %s is not a readable grant record, so it is ignored: %s" % (key, problem))
        live = live_grants(grants, self.now)
        temporary = {}
        for key, sources in held_sources(live).items():
            still_open = Sources.of(*(set(held) & set(now) for held, now in zip(sources, current.get(key, Sources.empty()))))
            if still_open:
                temporary[key] = still_open
        return live, expired_grants(grants, self.now), temporary

    def refusal(self, options):
        """The BaselineError when the settings are refused on every platform and address type (nothing to read for), else None."""
        errors = []
        for platform in PLATFORMS:
            for address_type in ("dualstack",) + tuple(t for t in ADDRESS_TYPES if t != "dualstack"):
                try:
                    self.baseline(options, platform, address_type)
                    return None
                except BaselineError as error:
                    errors.append(error)
        return errors[0]

    def plan(self, instance, region, options, host=None):
        """A GetInstance(s) entry -> InstancePlan; raises the BaselineError of its baseline, if refused.

        A value read from Lightsail that does not parse is kept as it came, and ``warnings`` names the instance,
        the rule and the value.
        """
        summary = instance_summary(instance)
        platform, address_type = summary["platform"], summary["ip_address_type"]
        desired = self.baseline(options, platform, address_type)
        ports = (instance.get("networking") or {}).get("ports") or []
        grant_tags = dict((key, value) for key, value in instance_tags(instance).items() if key.startswith(GRANT_TAG_PREFIX))
        memo_key = (id(options), platform, address_type, json.dumps(ports, sort_keys=True), json.dumps(grant_tags, sort_keys=True))
        if memo_key not in self._entries:
            current, _private, odd = read_networking_ports(ports)
            live, expired, temporary = self._grants(grant_tags, current)
            wanted = dict(desired)
            for key, sources in temporary.items():
                merge_into(wanted, key, sources)
            try:
                plan = plan_changes(current, wanted, "present", purge=True) if self.apply else None
            except RuleError as error:  # a limit of Lightsail's the plan would exceed
                raise BaselineError("instance %s" % instance["name"], str(error))
            refused = refuse_resending_odd_values(plan.operations, instance["name"]) if plan else None
            if refused:
                raise BaselineError("instance %s" % instance["name"], refused.split(": ", 1)[1])
            operations = [op.to_dict() for op in plan.operations] if plan else []
            entry = instance_report(None, region, platform, current, wanted, options.public_exceptions, operations, plan.after if plan else None)
            # An exclusive write leaves exactly the baseline, which passed the policy when it was built (live grants aside).
            after = entry["compliant"] if not plan else plan.after == desired or evaluate(plan.after, wanted, options.public_exceptions)["compliant"]
            entry.update(profile=options.profile, address_type=address_type, compliant_after=after,
                         temporary_access=[grant.to_dict(self.now) for grant in live],
                         expired_access=[grant.to_dict(self.now) for grant in expired])
            self._entries[memo_key] = (plan, entry, bool(odd))
        plan, entry, odd = self._entries[memo_key]
        if odd:
            self.warnings.extend(read_networking_ports(ports, instance["name"])[2])
        # The memo is shared across regions: the entry's own fields (region included) are this instance's.
        return InstancePlan(instance["name"], dict(entry, name=instance["name"], host=host, region=region), plan)


def failed_entry(name, region, message, host=None):
    """The entry of an instance that could not be planned (not found, or its baseline refused): nothing was written."""
    return {
        "name": name, "host": host, "region": region, "platform": None, "address_type": None,
        "compliant": False, "compliant_after": None, "missing": [], "extra": [], "violations": [], "excepted": [],
        "changed": False, "operations": [], "ports_before": [], "ports_after": None, "failed": True, "error": message,
        "applied_operations": [], "failed_operation": None, "pending_operations": [], "temporary_access": [], "expired_access": [],
        "error_code": None, "transient": False, "outcome": "not planned",
    }


def entry_after_failure(item, error):
    """The entry of an instance whose writes failed part-way, from its PartialWriteError."""
    entry = mark_failed(item.entry, error.message, [op.to_dict() for op in error.applied], error.failed.to_dict(),
                        [op.to_dict() for op in error.pending], changed=error.changed)
    entry.update(error_code=error.error_code, transient=error.transient, outcome=error.outcome)
    return entry


def instance_diff(item):
    """The diff of one instance that changes, headed with its name (and host)."""
    diff = item.plan.diff()
    label = item.name if not item.entry.get("host") or item.entry["host"] == item.name else "%s (host %s)" % (item.name, item.entry["host"])
    diff.update(before_header="%s (before)" % label, after_header="%s (after)" % label)
    return diff
