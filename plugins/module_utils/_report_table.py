# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The firewall_baseline report as a table: one row per instance, aligned columns, a title and a summary line. Pure Python."""

from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import report_title
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import summarize

TABLE_COLUMNS = ("INSTANCE", "REGION", "PLATFORM", "FOUND", "AFTER", "MISSING", "EXTRA", "VIOLATIONS", "CHANGED", "FINDINGS")


def _status(entry):
    """The firewall as found."""
    if entry.get("failed") and entry.get("platform") is None:
        return "FAILED"
    return "compliant" if entry["compliant"] else "NON-COMPLIANT"


def _status_after(entry, check_mode, mode):
    """The firewall the run left (would leave, in a check run)."""
    if mode == "audit":
        return "-"
    if entry.get("failed"):
        return "FAILED"
    if entry.get("compliant_after") is None:
        return "-"
    if not entry["changed"]:
        return "unchanged"
    return ("would be " if check_mode else "") + ("compliant" if entry["compliant_after"] else "NON-COMPLIANT")


def _findings(entry):
    """Violations, then excepted findings, one item per service and ports, with the families it is open on."""
    parts = []
    for label, findings in (("", entry["violations"]), ("excepted ", entry["excepted"])):
        families = {}
        for finding in findings:
            ports = str(finding["from_port"]) if finding["from_port"] == finding["to_port"] else "%d-%d" % (finding["from_port"], finding["to_port"])
            what = "%s%s %s/%s" % (label, finding["service"], finding["protocol"], ports)
            families.setdefault(what, []).append(finding["family"])
        parts.extend("%s (%s)" % (what, "+".join(found)) for what, found in families.items())
    for grant in entry.get("temporary_access") or ():
        parts.append("temporary access %s until %s (%s)" % (grant["grant_id"], grant["expires_at"], grant["reason"] or "no reason"))
    for grant in entry.get("expired_access") or ():
        parts.append("expired grant %s" % grant["grant_id"])
    if entry.get("failed"):
        parts.append("error: %s" % entry.get("error"))
    return ", ".join(parts) or "-"


def baseline_table(entries, check_mode=False, title=None, mode=None):
    """Report entries -> an optional title, lines of a table with aligned columns, one row per instance, and a summary line."""
    rows = [TABLE_COLUMNS]
    for entry in sorted(entries, key=lambda e: (e.get("region") or "", e["name"] or "")):
        changed = ("would" if check_mode else "yes") if entry["changed"] else "no"
        rows.append((
            entry["name"], entry.get("region") or "-", entry.get("platform") or "-", _status(entry), _status_after(entry, check_mode, mode),
            str(len(entry["missing"])), str(len(entry["extra"])), str(len(entry["violations"])), changed, _findings(entry),
        ))
    widths = [max(len(row[column]) for row in rows) for column in range(len(TABLE_COLUMNS) - 1)]
    lines = ["  ".join([cell.ljust(width) for cell, width in zip(row, widths)] + [row[-1]]) for row in rows]
    summary = summarize(entries)
    lines.append(
        "%(instances)d instances as found: %(compliant)d compliant, %(non_compliant)d non-compliant (%(drifted)d drifted, %(with_violations)d with "
        "%(violations)d violations), %(excepted)d excepted findings; " % summary
        + ("%d would change" % summary["changed"] if check_mode else "%d changed" % summary["changed"]) + ", %d failed" % summary["failed"]
    )
    return ([title] if title else []) + lines


def report_lines(report):
    """The role's report (baseline_report.build_report) -> its title and table."""
    return baseline_table(report["instances"], report["check_mode"], report_title(report), report["mode"])
