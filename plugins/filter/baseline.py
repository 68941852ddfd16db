# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters for the firewall_baseline role's per-host mode, on the same pure core as the fleet module.

The documentation of each filter is in the .yml file of its name next to this one.
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.seed.lightsail.plugins.module_utils._baseline import build_baseline
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import build_report
from ansible_collections.seed.lightsail.plugins.module_utils._report_table import report_lines
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_report import stats
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import instance_report
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import mark_failed
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import summarize
from ansible_collections.seed.lightsail.plugins.module_utils._policy import parse_public_exceptions
from ansible_collections.seed.lightsail.plugins.module_utils._report_table import baseline_table
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules


def baseline_rules(profile, platform="LINUX_UNIX", admin_cidrs=None, admin_ipv6_cidrs=None, keep_console_access=True, extra_rules=None,
                   public_exceptions=None, public_ipv6=True, allow_lockout=False):
    """A profile on a platform -> the guarded baseline as a list of rules for lightsail_instance_ports."""
    options = dict(profile=profile, admin_cidrs=admin_cidrs, admin_ipv6_cidrs=admin_ipv6_cidrs, keep_console_access=keep_console_access,
                   extra_rules=extra_rules, public_exceptions=public_exceptions, public_ipv6=public_ipv6, allow_lockout=allow_lockout)
    try:
        return firewall_to_list(build_baseline(parse_baseline_options(options), platform))
    except RuleError as error:
        raise AnsibleFilterError(str(error))


def firewall_compliance(current_ports, desired_ports, public_exceptions=None, name=None, region=None, platform=None, apply_result=None):
    """An instance's rules as found (and the result of applying its baseline) -> its report entry, as the fleet module reports it.

    ``apply_result`` is the registered result of seed.lightsail.lightsail_instance_ports: its
    ``operations`` and ``ports``, or on a failed write its ``msg`` and the applied, failed and
    pending operations. None, or a skipped task, means nothing was applied (audit).
    """
    apply_result = apply_result or {}
    try:
        current = parse_rules(current_ports, field="current_ports")
        desired = parse_rules(desired_ports, field="desired_ports")
        exceptions = parse_public_exceptions(public_exceptions)
        after = parse_rules(apply_result["ports"], field="apply_result.ports") if apply_result.get("ports") is not None else None
    except RuleError as error:
        raise AnsibleFilterError(str(error))
    entry = instance_report(name, region, platform, current, desired, exceptions, list(apply_result.get("operations") or ()), after)
    if apply_result.get("failed_operation") is not None:
        entry = mark_failed(entry, apply_result.get("msg"), apply_result.get("applied_operations") or (), apply_result["failed_operation"],
                            apply_result.get("pending_operations") or ())
    return entry


def baseline_summary(entries):
    """Report entries -> counts (instances, compliant, non_compliant, drifted, with_violations, violations, excepted, changed, failed)."""
    return summarize(entries)


def baseline_report(run, settings, check_mode=False, profile=None):
    """The registered result of lightsail_firewall_baseline and the role's run settings -> the role's report."""
    return build_report(run, settings or {}, check_mode, profile)


def baseline_report_table(report):
    """The role's report -> its title and table."""
    return report_lines(report)


def baseline_stats(report):
    """The role's report -> its set_stats data."""
    return stats(report)


class FilterModule(object):
    def filters(self):
        return {
            "baseline_rules": baseline_rules,
            "firewall_compliance": firewall_compliance,
            "baseline_summary": baseline_summary,
            "baseline_table": baseline_table,
            "baseline_report": baseline_report,
            "baseline_report_table": baseline_report_table,
            "baseline_stats": baseline_stats,
        }
