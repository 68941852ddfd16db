#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lightsail_firewall_baseline
short_description: Audit or enforce a hardened firewall baseline on many Lightsail instances at once
version_added: 1.0.0
description:
  - Compares the firewall of every selected Lightsail instance with a hardened baseline, and with O(mode=apply) makes
    each firewall exactly the baseline.
  - Region-driven (the default) it covers every selected instance of O(region), or of each of O(regions), listed with
    one paginated C(GetInstances) listing per region, which carries every instance's rules, so no per-instance read is
    made.
  - Target-driven (O(targets)) it covers exactly the instances named, each with its own settings, as the role
    C(seed.lightsail.firewall_baseline) uses it for the hosts of a play. Per region, one instance is read with
    C(GetInstance); more start the listing, which stops once all were seen, or reads the last few missing ones directly.
    Instances not named are never planned, reported or written.
  - Each instance is planned from what was read; the writes (one C(PutInstancePublicPorts) per instance that differs)
    run concurrently, at most O(max_concurrency) at a time per region.
  - The baseline is the profile O(baseline) on the instance's platform (C(LINUX_UNIX) or C(WINDOWS), from its blueprint), plus
    O(extra_rules) and O(public_exceptions). The admin port is tcp 22 on Linux/Unix and tcp 3389 on Windows. The lockout
    guard counts an admin source only in an address family the instance has (its C(ipAddressType)).
  - The options are validated, and the baseline of each platform is checked by two guards, before any API call. The
    module fails rather than apply a baseline that does not pass; when only one platform's baseline fails, it fails
    once an instance of that platform is selected, still before any write. With O(targets), a refused baseline or an
    instance that does not exist fails only that target; the others are planned and written. The policy refuses a rule that opens a flagged port
    (SSH, RDP, databases and the rest of the table in the collection's C(docs/baselines.md)), protocol V(all), or
    the range 0-65535 to V(0.0.0.0/0) or V(::/0), unless O(public_exceptions) names it. The lockout guard refuses
    a baseline that leaves the admin port reachable from nowhere, unless O(allow_lockout=true).
  - Every instance gets a report entry, the same one the role C(seed.lightsail.firewall_baseline) produces in per-host
    mode, with its compliance as found (rules missing from and extra to the baseline, policy violations, excepted findings)
    and what the run changed (or in check mode would change).
  - The role C(seed.lightsail.firewall_baseline) and the playbooks C(seed.lightsail.audit) and C(seed.lightsail.harden)
    wrap this module with a JSON report file, a table and C(set_stats) data.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  mode:
    description:
      - V(audit) reads and reports; it never writes.
      - V(apply) makes the firewall of every selected instance exactly its baseline (an exclusive write, like
        O(seed.lightsail.lightsail_instance_ports#module:purge_ports=true)) and reports what it changed.
    type: str
    choices: [audit, apply]
    default: audit
  baseline:
    description:
      - The profile of the baseline.
      - V(locked_down) allows only the admin port, from O(admin_cidrs) and O(admin_ipv6_cidrs) and, with
        O(keep_console_access), from the Lightsail console's browser client (V(lightsail-connect)).
      - V(console_only) allows only the admin port, and only from V(lightsail-connect).
      - V(web) is V(locked_down) plus tcp 80 and 443 from everyone; V(web_https_only) adds only tcp 443.
      - V(custom) is the admin access of V(locked_down) plus O(extra_rules), which then carry the instance's own rules.
    type: str
    choices: [locked_down, console_only, web, web_https_only, custom]
    default: locked_down
  admin_cidrs:
    description:
      - IPv4 addresses or CIDR blocks allowed to reach the admin port. A bare address means a /32.
      - V(0.0.0.0/0) is refused by the policy unless O(public_exceptions) names the admin port.
      - Not allowed with O(baseline=console_only).
    type: list
    elements: str
    default: []
  admin_ipv6_cidrs:
    description:
      - IPv6 addresses or CIDR blocks allowed to reach the admin port, on the separate IPv6 firewall.
      - Not allowed with O(baseline=console_only).
    type: list
    elements: str
    default: []
  keep_console_access:
    description:
      - Allow the admin port from V(lightsail-connect), so that the browser-based SSH and RDP client of the Lightsail
        console keeps working.
      - Must be V(true) with O(baseline=console_only).
    type: bool
    default: true
  extra_rules:
    description:
      - More rules for the baseline, in the shape of the O(seed.lightsail.lightsail_instance_ports#module:ports) option.
        Each needs at least one source.
      - A rule for the same protocol and ports as another rule of the baseline adds its sources to it.
      - Checked against the policy like every other rule.
    type: list
    elements: dict
    default: []
    suboptions:
      protocol:
        description: V(tcp), V(udp), V(icmp), V(icmpv6) or V(all).
        type: str
        required: true
      from_port:
        description: First port, or the ICMP type. Optional for V(all).
        type: int
      to_port:
        description: Last port (defaults to O(extra_rules[].from_port)), or the ICMP code (defaults to -1).
        type: int
      cidrs:
        description: IPv4 sources.
        type: list
        elements: str
      ipv6_cidrs:
        description: IPv6 sources.
        type: list
        elements: str
      cidr_list_aliases:
        description: Aliases; the only one is V(lightsail-connect).
        type: list
        elements: str
  public_exceptions:
    description:
      - Ports that may be open to everyone although the policy flags them, each with the reason. Each one also opens
        its port to everyone in the baseline (V(0.0.0.0/0), and V(::/0) with O(public_ipv6)).
      - An exception excuses a finding when its protocol is the rule's protocol (or V(all)) and its range covers the
        exposed ports. A rule of protocol V(all) needs an exception of protocol V(all).
    type: list
    elements: dict
    default: []
    suboptions:
      protocol:
        description: V(tcp), V(udp) or V(all).
        type: str
        required: true
      from_port:
        description: First port. Optional for V(all).
        type: int
      to_port:
        description: Last port; defaults to O(public_exceptions[].from_port).
        type: int
      reason:
        description: Why this port is open to the world. Required and must not be empty; it is shown in the report.
        type: str
        required: true
  public_ipv6:
    description:
      - Open the ports the baseline opens to everyone (V(web), V(web_https_only), O(public_exceptions)) on the IPv6
        firewall as well (V(::/0)).
    type: bool
    default: true
  allow_lockout:
    description:
      - Accept a baseline that leaves the admin port reachable from nowhere (no O(admin_cidrs), no O(admin_ipv6_cidrs),
        no O(keep_console_access), and no extra rule covering it). Without it, such a baseline is refused.
    type: bool
    default: false
  regions:
    description:
      - Several regions for a region-driven run, with one merged report. Without it, O(region) (or C(AWS_REGION)).
      - A name that is not a Lightsail region known to botocore is an error before any call, unless O(endpoint_url) is set.
      - Mutually exclusive with O(targets).
    type: list
    elements: str
  targets:
    description:
      - The instances to cover, by name, each with its own settings; their unset settings are the module's. Mutually
        exclusive with O(regions), O(instance_names) and O(tags).
    type: list
    elements: dict
    suboptions:
      instance_name:
        description: The instance's name.
        type: str
        required: true
      region:
        description: Its region; defaults to O(region).
        type: str
      host:
        description: The inventory host it stands for, copied into its report entry.
        type: str
      baseline:
        description: Its profile; defaults to O(baseline).
        type: str
        choices: [locked_down, console_only, web, web_https_only, custom]
      admin_cidrs:
        description: Its O(admin_cidrs).
        type: list
        elements: str
      admin_ipv6_cidrs:
        description: Its O(admin_ipv6_cidrs).
        type: list
        elements: str
      keep_console_access:
        description: Its O(keep_console_access).
        type: bool
      extra_rules:
        description: Its O(extra_rules).
        type: list
        elements: dict
        suboptions:
          protocol:
            description: V(tcp), V(udp), V(icmp), V(icmpv6) or V(all).
            type: str
            required: true
          from_port:
            description: First port, or the ICMP type.
            type: int
          to_port:
            description: Last port, or the ICMP code.
            type: int
          cidrs:
            description: IPv4 sources.
            type: list
            elements: str
          ipv6_cidrs:
            description: IPv6 sources.
            type: list
            elements: str
          cidr_list_aliases:
            description: Aliases; the only one is V(lightsail-connect).
            type: list
            elements: str
      public_exceptions:
        description: Its O(public_exceptions).
        type: list
        elements: dict
        suboptions:
          protocol:
            description: V(tcp), V(udp) or V(all).
            type: str
            required: true
          from_port:
            description: First port.
            type: int
          to_port:
            description: Last port.
            type: int
          reason:
            description: Why this port is open to the world.
            type: str
            required: true
      public_ipv6:
        description: Its O(public_ipv6).
        type: bool
      allow_lockout:
        description: Its O(allow_lockout).
        type: bool
  instance_names:
    description:
      - Only these instances. A name that no instance of the regions has, or whose instance does not carry the O(tags),
        is an error, raised before any write.
      - Omitted or V(null), every instance; an explicitly empty list is an error (a templated variable that came out
        empty must not widen a run to the whole region).
    type: list
    elements: str
  tags:
    description:
      - Only instances that carry all of these tags with these values. A tag given with an empty value matches any value;
        V(true), V(false) and numbers match the tag values as written (V(true) matches C(true), C(yes), C(on) in any case).
      - Omitted or V(null), no tag filter; an explicitly empty dictionary is an error.
    type: dict
  allow_empty:
    description:
      - In O(mode=apply), a run that selects no instance fails unless this is V(true). An audit that selects none warns.
    type: bool
    default: false
  variable_prefix:
    description:
      - Put before the option names in the refusals of the lockout guard and the policy, which are made per instance
        (they depend on its platform and address type). The role C(seed.lightsail.firewall_baseline) sets
        V(firewall_baseline_) so that they name its variables.
    type: str
    default: ""
  max_concurrency:
    description:
      - How many instances are written to at the same time in O(mode=apply). Each instance's own writes stay in order.
    type: int
    default: 10
  fail_on_violations:
    description:
      - In O(mode=audit), fail when any instance has a policy violation that no exception excuses, after building the
        full report.
      - In O(mode=apply) the violations are fixed (every baseline passes the policy), so it has no effect.
    type: bool
    default: false
notes:
  - Entries of access type C(Private) in the listing are not public firewall rules and are left alone.
  - The listing and the writes are not atomic. Rules that someone else opens on an instance between the listing and its
    write are closed by O(mode=apply), as with O(seed.lightsail.lightsail_instance_ports#module:purge_ports=true).
  - When the writes of some instances fail after retries, the others are still written; the module then fails, and
    the entries of the failed instances carry the error and which writes were applied. Running it again converges.
  - Throttling (C(ThrottlingException)) is retried with a jittered backoff per call.
  - Temporary access granted with M(seed.lightsail.lightsail_instance_access) and not expired (on the controller's UTC
    clock) is reported under RV(instances[].temporary_access) and kept by an apply; what expired grants held is closed
    unless the baseline wants it. Their policy findings are reported like any other rule's.
  - A rule is open to the world when its sources on one family together cover every address (V(0.0.0.0/0), or for
    example V(0.0.0.0/1) and V(128.0.0.0/1)); findings name V(0.0.0.0/0) or V(::/0) as their source.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - seed.lightsail.attributes
  - seed.lightsail.attributes.platform
attributes:
  check_mode:
    support: full
    details: Lists the instances and reports the same RV(instances), RV(summary), C(changed) and diff as a real run, without writing.
  diff_mode:
    support: full
    details:
      - One diff per instance that changes (or would change), with the rules before and after, from the same plan that decides C(changed).
      - For an instance whose writes failed, the after is the firewall as found with the writes that were applied (it is not read again).
  idempotent:
    support: full
    details: O(mode=audit) never writes. A second O(mode=apply) finds every firewall exactly its baseline and writes nothing, unless
      a live grant of M(seed.lightsail.lightsail_instance_access) expired in between (what it held is then closed).
"""

EXAMPLES = r"""
- name: Audit every instance of a region against the locked-down baseline
  seed.lightsail.lightsail_firewall_baseline:
    region: eu-west-1
    mode: audit
    baseline: locked_down
    admin_cidrs: [203.0.113.0/24]
  register: audit

- name: Show the instances that do not comply
  ansible.builtin.debug:
    msg: "{{ audit.instances | rejectattr('compliant') | map(attribute='name') | list }}"

- name: Harden the web servers (try it with --check --diff first)
  seed.lightsail.lightsail_firewall_baseline:
    region: eu-west-1
    mode: apply
    baseline: web_https_only
    tags:
      role: web
    admin_cidrs: [203.0.113.0/24]
    admin_ipv6_cidrs: ["2001:db8:1234::/48"]
    max_concurrency: 20

- name: A mail relay may expose SMTP; say why
  seed.lightsail.lightsail_firewall_baseline:
    region: us-east-1
    mode: apply
    instance_names: [mx-1, mx-2]
    admin_cidrs: [203.0.113.0/24]
    public_exceptions:
      - protocol: tcp
        from_port: 25
        reason: inbound mail relay for example.com

- name: Browser console only, fail the job if anything is exposed
  seed.lightsail.lightsail_firewall_baseline:
    region: us-east-1
    baseline: console_only
    fail_on_violations: true
"""

RETURN = r"""
mode:
  description: The mode the module ran in.
  returned: always
  type: str
  sample: audit
baseline:
  description: The profile of the baseline the instances were compared with.
  returned: always
  type: str
  sample: locked_down
region:
  description: The AWS region of the module's O(region) option (or C(AWS_REGION)).
  returned: always
  type: str
  sample: eu-west-1
regions:
  description: The regions the run covered.
  returned: when the options were valid
  type: list
  elements: str
  sample: [eu-west-1, us-east-1]
check_mode:
  description: Whether this was a check run, in which RV(instances[].changed) and RV(summary.changed) say what would change.
  returned: always
  type: bool
baseline_rules:
  description: The baseline firewall of each platform found among the selected instances, in the shape of the C(ports) option.
  returned: in a region-driven run whose instances were planned
  type: dict
  sample:
    LINUX_UNIX:
      - protocol: tcp
        from_port: 22
        to_port: 22
        cidrs: [203.0.113.0/24]
        ipv6_cidrs: []
        cidr_list_aliases: [lightsail-connect]
summary:
  description: Counts over RV(instances).
  returned: when the instances were planned
  type: dict
  contains:
    instances:
      description: How many instances were selected.
      type: int
    compliant:
      description: Instances whose firewall, as found, was exactly the baseline with no violations.
      type: int
    non_compliant:
      description: The other instances.
      type: int
    drifted:
      description: Instances with rules missing from or extra to the baseline.
      type: int
    with_violations:
      description: Instances with at least one policy violation.
      type: int
    violations:
      description: Policy violations over all instances (a rule open to the world on both firewalls counts twice).
      type: int
    excepted:
      description: Findings excused by O(public_exceptions).
      type: int
    changed:
      description: Instances written to (in check mode, that would be written to).
      type: int
    failed:
      description: Instances whose writes failed.
      type: int
  sample:
    instances: 3
    compliant: 1
    non_compliant: 2
    drifted: 2
    with_violations: 1
    violations: 2
    excepted: 0
    changed: 2
    failed: 0
instances:
  description:
    - One report entry per selected instance, sorted by name.
    - Returned also when writes fail or targets are refused (each such entry says so); not when the run fails before its
      instances are planned (invalid options, a refused baseline, a listing that failed, unknown O(instance_names)).
  returned: when the instances were planned
  type: list
  elements: dict
  contains:
    name:
      description: The instance name.
      type: str
      sample: web-1
    host:
      description: The inventory host of the target (O(targets[].host)), or V(null).
      type: str
    address_type:
      description: The instance's C(ipAddressType) (V(dualstack), V(ipv4) or V(ipv6)); V(null) when it was not read.
      type: str
    profile:
      description: The profile of the instance's baseline (with O(targets), the target's own).
      type: str
      returned: when the instance was planned
      sample: locked_down
    temporary_access:
      description:
        - The live grants of M(seed.lightsail.lightsail_instance_access) recorded on the instance (C(grant_id),
          C(expires_at), C(reason), C(ports) it holds, C(expired) false). Their sources are temporary access, not drift
          or extra rules, and an apply keeps them; the sweeper M(seed.lightsail.lightsail_access_sweep) ends them.
      type: list
      elements: dict
    expired_access:
      description:
        - Grants recorded on the instance that have expired (C(expired) true). An apply closes what they held unless the
          baseline wants it; their tags are left for the sweeper.
      type: list
      elements: dict
    compliant_after:
      description:
        - Whether the firewall the run leaves (in check mode, would leave) is exactly the baseline with no violation.
          The same as RV(instances[].compliant) in O(mode=audit); V(null) when the writes failed.
      type: bool
    region:
      description: The region.
      type: str
      sample: eu-west-1
    platform:
      description: V(LINUX_UNIX) or V(WINDOWS).
      type: str
      sample: LINUX_UNIX
    compliant:
      description: Whether the firewall, as found, was exactly the baseline and had no policy violation.
      type: bool
    missing:
      description: The baseline's sources the firewall did not allow, rule by rule, in the shape of the C(ports) option.
      type: list
      elements: dict
    extra:
      description: The sources the firewall allowed beyond the baseline, rule by rule, in the shape of the C(ports) option.
      type: list
      elements: dict
    violations:
      description: Policy findings on the firewall as found that no exception excuses.
      type: list
      elements: dict
      contains:
        check:
          description: V(flagged_port) (a port of the table) or V(every_port) (protocol V(all), or 0-65535).
          type: str
        service:
          description: The service of the flagged port, for example V(SSH), or V(every port).
          type: str
        protocol:
          description: The rule's protocol.
          type: str
        from_port:
          description: First exposed port of the service.
          type: int
        to_port:
          description: Last exposed port of the service.
          type: int
        family:
          description: V(ipv4) or V(ipv6), the firewall it is open on.
          type: str
        source:
          description: V(0.0.0.0/0) or V(::/0).
          type: str
        flagged_by:
          description: The security checks that flag it.
          type: list
          elements: str
        rule:
          description: The whole rule, in the shape of the C(ports) option.
          type: dict
        excepted:
          description: Whether an exception excuses it (always V(false) here).
          type: bool
        exception_reason:
          description: The reason of the excusing exception, or V(null).
          type: str
        message:
          description: One line for people.
          type: str
          sample: SSH (tcp 22) open to 0.0.0.0/0
    excepted:
      description: Findings that O(public_exceptions) excuse, in the shape of RV(instances[].violations).
      type: list
      elements: dict
    changed:
      description: Whether the run wrote to this instance (in check mode, would have).
      type: bool
    operations:
      description: The writes made (or in check mode, that would be made), in the shape of the RV(seed.lightsail.lightsail_instance_ports#module:operations)
        return value of M(seed.lightsail.lightsail_instance_ports). Always empty in O(mode=audit).
      type: list
      elements: dict
    ports_before:
      description: The firewall as found.
      type: list
      elements: dict
    ports_after:
      description: The firewall the run leaves (the same as RV(instances[].ports_before) in O(mode=audit)); V(null) when the writes failed.
      type: list
      elements: dict
    failed:
      description:
        - Whether the writes to this instance failed, or (with O(targets)) the instance could not be planned because it
          does not exist or its baseline was refused; nothing was written to it then.
      type: bool
    error:
      description: Why it failed.
      type: str
      returned: when it failed
    applied_operations:
      description: The writes applied before the failure.
      type: list
      elements: dict
      returned: when it failed
    failed_operation:
      description: The write that failed (V(null) when the instance was not planned).
      type: dict
      returned: when it failed
    pending_operations:
      description: The writes not attempted.
      type: list
      elements: dict
      returned: when it failed
    error_code:
      description: AWS's error code of the failed write, or V(null).
      type: str
      returned: when it failed
    transient:
      description: Whether the failure was transient (throttling, a server error, a lost answer), so that a rerun may succeed.
      type: bool
      returned: when it failed
    outcome:
      description:
        - What is known of the failed write - V(not applied), V(unknown) (no answer and no read-back; it may have been
          applied), or V(not planned) (the instance was not planned, so nothing was written).
      type: str
      returned: when it failed
unmatched_names:
  description: Names in O(instance_names) of instances that exist but do not carry the O(tags) (the module fails when there are any).
  returned: on that failure
  type: list
  elements: str
missing_names:
  description: Names in O(instance_names) that no instance of the regions has (the module fails when there are any).
  returned: on that failure
  type: list
  elements: str
"""

import json
import os
from datetime import datetime
from datetime import timezone

from ansible_collections.seed.lightsail.plugins.module_utils._argument_specs import EXCEPTION_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._argument_specs import RULE_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._base import AnsibleLightsailModule
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import BaselineError
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import BaselinePlanner
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import Target
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import entry_after_failure
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import failed_entry
from ansible_collections.seed.lightsail.plugins.module_utils._baseline_fleet import instance_diff
from ansible_collections.seed.lightsail.plugins.module_utils._compliance import summarize
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._grants import controller_now
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import FirewallApi
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import iter_instances
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import lightsail_regions
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import read_named_instances
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operations_concurrently
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._selection import FilterError
from ansible_collections.seed.lightsail.plugins.module_utils._selection import check_filters
from ansible_collections.seed.lightsail.plugins.module_utils._selection import select_instances
from ansible_collections.seed.lightsail.plugins.module_utils._write_outcome import firewall_after_writes

PROFILES = ["locked_down", "console_only", "web", "web_https_only", "custom"]
# A target's settings default to the module's, so they have no defaults of their own.
TARGET_SETTINGS = dict(
    admin_cidrs=dict(type="list", elements="str"),
    admin_ipv6_cidrs=dict(type="list", elements="str"),
    keep_console_access=dict(type="bool"),
    extra_rules=dict(type="list", elements="dict", options=RULE_OPTIONS),
    public_exceptions=dict(type="list", elements="dict", options=EXCEPTION_OPTIONS),
    public_ipv6=dict(type="bool"),
    allow_lockout=dict(type="bool"),
)
BASELINE_OPTIONS = dict(
    admin_cidrs=dict(type="list", elements="str", default=[]),
    admin_ipv6_cidrs=dict(type="list", elements="str", default=[]),
    keep_console_access=dict(type="bool", default=True),
    extra_rules=dict(type="list", elements="dict", default=[], options=RULE_OPTIONS),
    public_exceptions=dict(type="list", elements="dict", default=[], options=EXCEPTION_OPTIONS),
    public_ipv6=dict(type="bool", default=True),
    allow_lockout=dict(type="bool", default=False),
)
TARGET_OPTIONS = dict(
    TARGET_SETTINGS,
    instance_name=dict(type="str", required=True),
    host=dict(type="str"),
    region=dict(type="str"),
    baseline=dict(type="str", choices=PROFILES),
)


def baseline_settings(params, field=""):
    """BaselineOptions from the module's options, or from one target's over them."""
    settings = dict((name, params[name]) for name in BASELINE_OPTIONS if params.get(name) is not None)
    return parse_baseline_options(dict(settings, profile=params.get("baseline")), field_prefix=field)


def parse_targets(params, default_region):
    """The targets option -> [Target], each target's unset settings taken from the module's.

    Targets with the same settings share one BaselineOptions, so their baselines and plans are worked out once.
    """
    targets, seen, options_of = [], {}, {}
    for index, spec in enumerate(params["targets"]):
        where = "targets[%d]." % index
        merged = dict((name, spec[name] if spec.get(name) is not None else params[name]) for name in list(BASELINE_OPTIONS) + ["baseline"])
        settings_key = json.dumps(merged, sort_keys=True)
        region = spec.get("region") or default_region
        key = (region, spec["instance_name"])
        if key in seen:
            raise RuleError(where + "instance_name", "%r in region %s is also targets[%d]" % (spec["instance_name"], region, seen[key]))
        seen[key] = index
        if settings_key not in options_of:
            options_of[settings_key] = baseline_settings(merged, where)
        targets.append(Target(spec["instance_name"], region, options_of[settings_key], spec.get("host")))
    return targets


def check_regions(module, regions, result):
    """Refuse a region name Lightsail does not have (unless an endpoint_url points elsewhere), before any call."""
    if module.params.get("endpoint_url"):
        return
    known = lightsail_regions()
    unknown = sorted(set(region for region in regions if region and region not in known))
    if unknown:
        field = "%sregion" % module.params["variable_prefix"] if module.params["variable_prefix"] else "region"
        module.fail_json(msg="%s: unknown Lightsail region(s) %s; Lightsail regions known to the installed botocore: %s. Nothing was read or written"
                         % (field, ", ".join(repr(region) for region in unknown), ", ".join(known)), **result)


def plan_region(planner, client, region, params, options):
    """Region-driven: every selected instance of the region -> ([InstancePlan], Selection). A refused baseline raises."""
    selection = select_instances(iter_instances(client), params["instance_names"], params["tags"])
    return [planner.plan(instance, region, options) for instance in selection.selected], selection


def plan_targets(planner, client, region, targets, max_concurrency):
    """Host-driven: the named instances of one region -> ([InstancePlan], [failed entry]) ; a refused baseline fails its target only."""
    found = read_named_instances(client, [target.name for target in targets], max_concurrency)
    items, refused = [], []
    for target in targets:
        if target.name not in found:
            refused.append(failed_entry(target.name, region, "no instance named %s in region %s; nothing was written" % (target.name, region), target.host))
            continue
        try:
            items.append(planner.plan(found[target.name], region, target.options, target.host))
        except BaselineError as error:
            refused.append(failed_entry(target.name, region, "%s; nothing was written" % error, target.host))
    return items, refused


def failure_message(failures, refused, writing):
    """One message for the writes that failed and the targets refused before any write."""
    parts = []
    if failures:
        first = failures[sorted(failures)[0]]
        parts.append("writes failed on %d of %d instances (%s); the others were written. First error: %s"
                     % (len(failures), writing, ", ".join(name for _region, name in sorted(failures)), first.message))
    if refused:
        parts.append("%d instance(s) were not planned, and nothing was written to them (%s). First error: %s"
                     % (len(refused), ", ".join(entry["name"] for entry in refused), refused[0]["error"]))
    return "; ".join(parts)


def key(item):
    """(region, name) of an InstancePlan, as failures are keyed."""
    return item.entry["region"], item.name


def main():
    module = AnsibleLightsailModule(
        argument_spec=dict(
            BASELINE_OPTIONS,
            mode=dict(type="str", default="audit", choices=["audit", "apply"]),
            baseline=dict(type="str", default="locked_down", choices=PROFILES),
            regions=dict(type="list", elements="str"),
            targets=dict(type="list", elements="dict", options=TARGET_OPTIONS),
            instance_names=dict(type="list", elements="str"),
            tags=dict(type="dict"),
            max_concurrency=dict(type="int", default=10),
            fail_on_violations=dict(type="bool", default=False),
            allow_empty=dict(type="bool", default=False),
            variable_prefix=dict(type="str", default=""),
        ),
        mutually_exclusive=[("targets", "regions"), ("targets", "instance_names"), ("targets", "tags")],
        supports_check_mode=True,
    )
    params = module.params
    apply = params["mode"] == "apply"
    result = dict(changed=False, mode=params["mode"], baseline=params["baseline"], region=module.region, check_mode=module.check_mode)
    if params["max_concurrency"] < 1:
        module.fail_json(msg="max_concurrency: %d; it must be at least 1" % params["max_concurrency"], **result)
    try:
        check_filters(instance_names=params["instance_names"], tags=params["tags"])
        options = baseline_settings(params)
        targets = parse_targets(params, module.region) if params["targets"] is not None else None
    except (RuleError, FilterError) as error:
        module.fail_json(msg=str(error), **result)
    if targets is not None:
        regions = sorted(set(target.region for target in targets), key=lambda region: region or "")
    else:
        regions = list(dict.fromkeys(params["regions"] or [module.region]))
    check_regions(module, regions, result)
    result["regions"] = regions

    now, clock_warning = controller_now(os.environ, datetime.now(timezone.utc))
    if clock_warning:
        module.warn(clock_warning)
    planner = BaselinePlanner(apply, now, params["variable_prefix"])
    items, refused, unselected, clients = [], [], [], {}
    if targets is None and planner.refusal(options):
        module.fail_json(msg="%s; nothing was read or written" % planner.refusal(options), **result)
    if targets is not None:
        for target in [target for target in targets if planner.refusal(target.options)]:
            refused.append(failed_entry(target.name, target.region, "%s; nothing was written" % planner.refusal(target.options), target.host))
        targets = [target for target in targets if not planner.refusal(target.options)]
    try:
        for region in regions:
            clients[region] = module.lightsail_client(region=region, config=dict(max_pool_connections=max(10, params["max_concurrency"])))
            if targets is None:
                planned, selection = plan_region(planner, clients[region], region, params, options)
                if selection.missing or selection.unmatched:
                    unselected.append((region, selection))
            else:
                planned, failed = plan_targets(planner, clients[region], region, [t for t in targets if t.region == region], params["max_concurrency"])
                refused.extend(failed)
            items.extend(planned)
    except AnsibleLightsailError as error:
        module.fail_with_error(error, **result)
    except BaselineError as error:
        module.fail_json(msg="%s; nothing was written" % error, **result)
    if unselected:
        # A name may be in another of the regions: only a name selected in none of them is an error.
        selected = set(item.name for item in items)
        missing = sorted(set(name for _region, selection in unselected for name in selection.missing) - selected)
        unmatched = sorted(set(name for _region, selection in unselected for name in selection.unmatched) - selected)
        if missing or unmatched:
            messages = [selection.message(region, params["tags"]) for region, selection in unselected
                        if set(selection.missing + selection.unmatched) & set(missing + unmatched)]
            module.fail_json(msg="%s; nothing was written" % "; ".join(messages), missing_names=missing, unmatched_names=unmatched, **result)
    for warning in planner.warnings:
        module.warn(warning)
    items.sort(key=lambda item: (item.entry["region"] or "", item.name))
    if targets is None:
        platforms = sorted(set((item.entry["platform"], item.entry["address_type"]) for item in items))
        result["baseline_rules"] = dict((platform, firewall_to_list(planner.baseline(options, platform, address_type)))
                                        for platform, address_type in platforms)

    changing = [item for item in items if item.plan and item.plan.changed]
    failures = {}
    if changing and not module.check_mode:
        for region in regions:
            writes = dict((item.name, item.plan.operations) for item in changing if item.entry["region"] == region)
            failed = apply_operations_concurrently(FirewallApi(clients[region]), writes, params["max_concurrency"])
            failures.update(((region, name), error) for name, error in failed.items())
    entries = [entry_after_failure(item, failures[key(item)]) if key(item) in failures else item.entry for item in items] + refused
    entries.sort(key=lambda entry: (entry["region"] or "", entry["name"]))

    summary = summarize(entries)
    result.update(changed=summary["changed"] > 0, instances=entries, summary=summary)
    if not entries:
        if apply and not params["allow_empty"]:
            module.fail_json(msg="the run selected no instance in region(s) %s; nothing was written. Set allow_empty to accept that"
                             % ", ".join(region or "(default)" for region in regions), **result)
        module.warn("the run selected no instance in region(s) %s" % ", ".join(region or "(default)" for region in regions))
    if module._diff:
        # An instance whose writes failed shows what is known: the firewall as found with the writes that were applied.
        result["diff"] = [instance_diff(item if key(item) not in failures else
                                        item._replace(plan=item.plan._replace(after=firewall_after_writes(item.plan.before, failures[key(item)].applied))))
                          for item in changing]
    if failures or refused:
        module.fail_json(msg=failure_message(failures, refused, len(changing)), **result)
    if params["fail_on_violations"] and not apply and summary["violations"]:
        module.fail_json(msg="%d policy violations on %d of %d instances" % (summary["violations"], summary["with_violations"], summary["instances"]), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
