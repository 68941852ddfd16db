# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The firewall_baseline role's report: what the run found, what it did or would do, and where the report went. Pure Python."""

from ansible_collections.seed.lightsail.plugins.module_utils._compliance import summarize


def run_summary(entries, check_mode=False):
    """summarize() plus ``would_change``: in a check run nothing changed, so ``changed`` is 0 and ``would_change`` counts."""
    summary = summarize(entries)
    summary["would_change"] = summary["changed"] if check_mode else 0
    if check_mode:
        summary["changed"] = 0
    summary["compliant_after"] = sum(1 for entry in entries if entry.get("compliant_after"))
    return summary


def build_report(run, settings, check_mode=False, profile=None):
    """The report from the registered module result and the run's settings (mode, report_path)."""
    run = run or {}
    entries = list(run.get("instances") or ())
    profiles = sorted(set(entry["profile"] for entry in entries if entry.get("profile")))
    return {
        "mode": settings.get("mode"),
        "profile": ", ".join(profiles) if profiles else profile,
        "check_mode": bool(check_mode),
        "regions": list(run.get("regions") or ()),
        "report_path": settings.get("report_path") or None,
        "summary": run_summary(entries, check_mode),
        "instances": entries,
        "error": run.get("msg") if (run.get("summary") or {}).get("failed") else None,
    }


def report_title(report):
    """One line that says what kind of run this was."""
    summary = report["summary"]
    if report["mode"] != "apply":
        what = "Audit (read only)"
    elif report["check_mode"]:
        what = "Check run of an apply: nothing was written; %d instance(s) would change" % summary["would_change"]
    else:
        what = "Apply: %d instance(s) changed, %d failed" % (summary["changed"], summary["failed"])
    return "%s, profile %s, %s" % (what, report["profile"] or "-", ", ".join(r for r in report["regions"] if r) or "default region")


def stats(report):
    """The set_stats data for AWX workflows."""
    entries = report["instances"]

    def names(predicate):
        return [entry["name"] for entry in entries if predicate(entry)]

    changed = names(lambda entry: entry["changed"])
    return {
        "mode": report["mode"],
        "profile": report["profile"],
        "check_mode": report["check_mode"],
        "regions": report["regions"],
        "summary": report["summary"],
        "non_compliant": names(lambda entry: not entry["compliant"]),
        "non_compliant_after": names(lambda entry: entry.get("compliant_after") is False),
        "with_violations": names(lambda entry: entry["violations"]),
        "changed": [] if report["check_mode"] else changed,
        "would_change": changed if report["check_mode"] else [],
        "failed": names(lambda entry: entry.get("failed")),
        "report_path": report["report_path"],
    }
