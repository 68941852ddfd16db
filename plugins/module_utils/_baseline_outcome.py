# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A host's own outcome (ok, changed, failed, diff) from a batch run's report entries. Pure Python."""

from ansible_collections.seed.lightsail.plugins.module_utils._plan import Plan
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources


def find_entry(entries, host):
    """The report entry of ``host`` (an entry's ``host``), or None."""
    for entry in entries or ():
        if entry.get("host") == host:
            return entry
    return None


def _firewall(rules):
    """Report rules -> {RuleKey: Sources} as they are: a value read from Lightsail that does not parse stays shown."""
    return dict((RuleKey(rule["protocol"], rule["from_port"], rule["to_port"]),
                 Sources.of(rule.get("cidrs") or (), rule.get("ipv6_cidrs") or (), rule.get("cidr_list_aliases") or ())) for rule in rules or ())


def entry_diff(entry):
    """The before/after of one entry's firewall, headed with its instance."""
    before = _firewall(entry.get("ports_before"))
    after = _firewall(entry["ports_after"]) if entry.get("ports_after") is not None else before
    diff = Plan(before, after, ()).diff()
    diff.update(before_header="%s (before)" % entry["name"], after_header="%s (after)" % entry["name"])
    return diff


def outcome_skip_reason(settings, settings_name="the settings"):
    """Why a host gets no outcome of its own (fleet scope: the run's own tasks report), or None."""
    if not isinstance(settings, dict):
        return None  # host_outcome says what is wrong with the run
    if settings.get("failed"):
        return None
    if settings.get("scope") != "host":
        return "%s.scope is %s: the run reports for the whole fleet" % (settings_name, settings.get("scope"))
    return None


def settings_fail_on_violations(settings):
    """An audit's fail_on_violations from a host's registered settings (an apply fails on failed writes only)."""
    run = (settings or {}).get("run") if isinstance(settings, dict) else None
    return bool(isinstance(run, dict) and run.get("fail_on_violations") and run.get("mode") == "audit")


def host_outcome(run, host, run_name="the run", diff_mode=False, fail_on_violations=False):
    """The task result for ``host`` from the registered result of the batch run.

    A host the run has no entry for failed before the run could plan it (its own settings were
    refused, or the run itself failed): it fails with the run's message.
    """
    if not isinstance(run, dict):
        return {"failed": True, "msg": "%s is not a registered result of seed.lightsail.lightsail_firewall_baseline" % run_name}
    entry = find_entry(run.get("instances"), host)
    if entry is None:
        return {"failed": True, "msg": "no report entry for host %s: %s" % (host, run.get("msg") or "the batch run did not cover it")}
    result = {"changed": bool(entry.get("changed")), "instance": entry["name"], "region": entry.get("region"),
              "compliant": entry.get("compliant"), "compliant_after": entry.get("compliant_after")}
    if entry.get("failed"):
        result.update(failed=True, msg=entry.get("error") or "the writes failed")
    elif fail_on_violations and entry.get("violations"):
        result.update(failed=True, msg="%s: %s" % (entry["name"], "; ".join(violation["message"] for violation in entry["violations"])))
    else:
        result["msg"] = _summary(entry, run.get("check_mode"), run.get("mode"))
    if diff_mode and entry.get("changed") and not entry.get("failed"):
        # A failed write's result is not known well enough to show an "after".
        result["diff"] = entry_diff(entry)
    return result


def _summary(entry, check_mode, mode):
    found = "compliant" if entry.get("compliant") else "non-compliant (%d missing, %d extra, %d violations)" % (
        len(entry.get("missing") or ()), len(entry.get("extra") or ()), len(entry.get("violations") or ()))
    if mode != "apply":
        return "%s: %s" % (entry["name"], found)
    if not entry.get("changed"):
        return "%s: %s, nothing to write" % (entry["name"], found)
    return "%s: found %s; %s" % (entry["name"], found, "would be made compliant (check mode)" if check_mode else "made compliant")
