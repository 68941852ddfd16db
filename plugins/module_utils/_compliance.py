# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Compliance of an instance's firewall with its baseline, and the report of a run. Pure Python.

``evaluate`` and ``instance_report`` compare an instance's firewall with its baseline (_baseline.py builds
it); the fleet module and the role's filters both produce their reports with them, so the two agree.
"""

from ansible_collections.seed.lightsail.plugins.module_utils._policy import exposure_findings
from ansible_collections.seed.lightsail.plugins.module_utils._policy import violations_only
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list


def evaluate(current, desired, exceptions=()):
    """Compliance of a firewall with its baseline: drift (sources missing or extra, rule by rule) and the policy."""
    missing, extra = {}, {}
    empty = Sources.empty()
    for key in set(current) | set(desired):
        now, wanted = current.get(key, empty), desired.get(key, empty)
        if now == wanted:
            continue
        lacking, surplus = wanted.difference(now), now.difference(wanted)
        if lacking:
            missing[key] = lacking
        if surplus:
            extra[key] = surplus
    findings = exposure_findings(current, exceptions)
    violations = violations_only(findings)
    return {
        "compliant": not (missing or extra or violations),
        "missing": firewall_to_list(missing),
        "extra": firewall_to_list(extra),
        "violations": violations,
        "excepted": [finding for finding in findings if finding["excepted"]],
    }


def instance_report(name, region, platform, current, desired, exceptions=(), operations=(), after=None):
    """One instance's report entry, the same in fleet and per-host mode.

    Compliance describes the firewall as found; ``changed``/``operations`` what the run did
    (or in check mode would do) about it; ``ports_after`` the firewall it leaves.
    """
    entry = {"name": name, "region": region, "platform": platform}
    entry.update(evaluate(current, desired, exceptions))
    left = current if after is None else after
    entry.update(
        changed=bool(operations),
        operations=list(operations),
        ports_before=firewall_to_list(current),
        ports_after=firewall_to_list(left),
        failed=False,
    )
    return entry


def mark_failed(entry, message, applied=(), failed=None, pending=(), changed=None):
    """The entry of an instance whose writes failed part-way (operation dicts), with what is known.

    ``changed`` defaults to whether any write was applied; a write of unknown outcome may have changed it too.
    """
    entry = dict(entry)
    if "compliant_after" in entry:
        entry["compliant_after"] = None  # unknown: the writes stopped part-way
    entry.update(
        failed=True,
        error=message,
        changed=bool(applied) if changed is None else changed,
        ports_after=None,
        applied_operations=list(applied),
        failed_operation=failed,
        pending_operations=list(pending),
    )
    return entry


def summarize(entries):
    """Counts over report entries, for people, AWX workflows and ``fail_on_violations``."""
    entries = list(entries)
    return {
        "instances": len(entries),
        "compliant": sum(1 for e in entries if e["compliant"]),
        "non_compliant": sum(1 for e in entries if not e["compliant"]),
        "drifted": sum(1 for e in entries if e["missing"] or e["extra"]),
        "with_violations": sum(1 for e in entries if e["violations"]),
        "violations": sum(len(e["violations"]) for e in entries),
        "excepted": sum(len(e["excepted"]) for e in entries),
        "changed": sum(1 for e in entries if e["changed"]),
        "failed": sum(1 for e in entries if e.get("failed")),
    }
