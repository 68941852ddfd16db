#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lightsail_instance_access
short_description: Grant temporary access to an AWS Lightsail instance, recorded on the instance so that it closes itself
version_added: 1.0.0
description:
  - Opens rules of one Lightsail instance to some sources for a limited time (a B(grant)), or ends a grant early.
  - By default the grant opens the instance's admin port, tcp 22 on Linux/Unix and tcp 3389 on Windows, to the
    sources in O(sources); pass V(lookup('seed.lightsail.public_ip')) there for the controller's current public address.
  - The grant is recorded in two tags on the instance, C(seed.lightsail/grant/<grant_id>) (expiry and the sources the grant
    holds) and C(seed.lightsail/grant/<grant_id>/reason), so any controller can see it and end it.
    M(seed.lightsail.lightsail_access_sweep) closes every expired grant of a region; AWS itself does not expire anything.
  - A grant opens only the sources no rule allows yet (a source is allowed when a rule covering the port lists it or a
    block containing it), and records them. A source that only another grant had opened is held by both grants, so
    that ending one does not cut off the other.
  - Ending a grant (O(state=absent), or expiry through the sweeper) closes what it holds and no other live grant holds.
    A source that was allowed before the grant, without any grant, stays.
  - Granting an id that is already recorded renews it without touching the firewall, moving its expiry later (never
    earlier) and updating its reason.
  - Writes follow the rules of M(seed.lightsail.lightsail_instance_ports) (every write sends a rule's complete
    sources; narrowing is a close then an open), so the firewall ends up right whichever way Lightsail merges or
    replaces sources.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  instance_name:
    description:
      - Name of the Lightsail instance.
    type: str
    required: true
  grant_id:
    description:
      - Names the grant, for renewing and revoking it. 1 to 64 letters, digits and C(._:@+=-), starting with a
        letter or digit, for example V(deploy-4711).
    type: str
    required: true
  state:
    description:
      - V(present) grants (or renews) the access; V(absent) revokes the grant, closing what only it holds.
      - Revoking an id the instance does not record is an error that lists the grants it does record.
    type: str
    choices: [present, absent]
    default: present
  duration:
    description:
      - How long the access lasts from now, with O(state=present), for example V(30m), V(2h), V(1d) or V(1h30m)
        (units V(s), V(m), V(h), V(d)), from 1 minute to 7 days.
      - Required with O(state=present); ignored with O(state=absent).
    type: str
  reason:
    description:
      - Why the access is needed, shown wherever the grant is listed. Required with O(state=present).
      - At most 256 letters, numbers, spaces and C(+-=._:/@), the characters a Lightsail tag value may hold
        (no commas, quotes or brackets).
    type: str
  ports:
    description:
      - The rules to open. Defaults to the instance's admin port (tcp 22 on Linux/Unix, tcp 3389 on Windows) from O(sources).
      - A rule that names no sources of its own gets O(sources).
      - The shape of the O(seed.lightsail.lightsail_instance_ports#module:ports) option.
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
        description: Last port, or the ICMP code; defaults as in M(seed.lightsail.lightsail_instance_ports).
        type: int
      cidrs:
        description: IPv4 sources of this rule.
        type: list
        elements: str
      ipv6_cidrs:
        description: IPv6 sources of this rule.
        type: list
        elements: str
      cidr_list_aliases:
        description: Aliases (V(lightsail-connect)) of this rule.
        type: list
        elements: str
  sources:
    description:
      - Sources for the rules that name none, IPv4 and IPv6 addresses or blocks in one list, for example
        V(["198.51.100.7/32", "2001:db8::7/128"]), or V(lightsail-connect).
      - The module makes no request to find the controller's address; the playbooks pass
        V(lookup('seed.lightsail.public_ip')).
    type: list
    elements: str
  public_exceptions:
    description:
      - Ports that may be granted to the world (V(0.0.0.0/0) or V(::/0)) although the exposure policy flags them, each with
        its reason; the shape of the baseline's C(public_exceptions).
      - Without an exception a grant that opens a flagged port (SSH, RDP, databases, ... see the baselines page) or
        every port to the world is refused before any write.
    type: list
    elements: dict
    default: []
    suboptions:
      protocol:
        description: V(tcp), V(udp) or V(all).
        type: str
        required: true
      from_port:
        description: First port.
        type: int
      to_port:
        description: Last port; defaults to O(public_exceptions[].from_port).
        type: int
      reason:
        description: Why the port may be open to the world.
        type: str
        required: true
notes:
  - Expiry is decided on the controller's UTC clock, when M(seed.lightsail.lightsail_access_sweep) runs; AWS does not
    enforce it. Schedule the sweeper (for example every 5 minutes in AWX) and revoke grants when done.
  - The record tag's value is C(v1 <expiry> <protocol>:<from_port>:<to_port>@<source>+<source> ...) and must fit in 256
    characters; a grant whose record would not fit (many rules or IPv6 sources under one id) is refused before any write.
    Each grant uses two of the 50 tags an instance may carry.
  - The grant is recorded before the firewall is opened, so a run interrupted between the two leaves a record that the
    sweeper ends, never an opening without a record. A revoke closes first and removes the record last.
  - A source opened for good (with M(seed.lightsail.lightsail_instance_ports)) while a live grant holds the same source on
    the same rule cannot be told apart from the grant's and is closed when the grant ends. Open it after the grant ends,
    or remove the grant's two tags to keep everything it opened.
  - The environment variable C(SEED_LIGHTSAIL_NOW) (a UTC time like V(2026-11-29T01:30:00Z)) replaces the clock, for
    tests only; the module warns when it is set.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - seed.lightsail.attributes
  - seed.lightsail.attributes.platform
attributes:
  check_mode:
    support: full
    details: Reads the instance once and reports the same C(changed), diff, grant, RV(opened), RV(closed) and RV(operations) as a real run, without writing.
  diff_mode:
    support: full
    details: The diff shows the rules and the grant record before and after.
  idempotent:
    support: partial
    details:
      - The firewall is written once. O(state=present) run again renews the grant, moving its expiry later (a C(TagResource),
        C(changed=true)) without touching the firewall.
      - O(state=absent) run again fails, because the grant is no longer recorded.
"""

EXAMPLES = r"""
- name: SSH from this controller's public address for 30 minutes
  seed.lightsail.lightsail_instance_access:
    instance_name: web-1
    grant_id: "deploy-{{ build_number }}"
    duration: 30m
    reason: "deploy build {{ build_number }}"
    sources: ["{{ lookup('seed.lightsail.public_ip') }}"]

- name: HTTPS and SSH from an office block for two hours
  seed.lightsail.lightsail_instance_access:
    instance_name: web-1
    grant_id: audit-2026-11
    duration: 2h
    reason: external audit
    sources: [203.0.113.0/24]
    ports:
      - {protocol: tcp, from_port: 22}
      - {protocol: tcp, from_port: 443}

- name: Deploy with SSH open only while it runs
  block:
    - name: Grant
      seed.lightsail.lightsail_instance_access:
        instance_name: web-1
        grant_id: "deploy-{{ build_number }}"
        duration: 1h
        reason: "deploy build {{ build_number }}"
        sources: ["{{ lookup('seed.lightsail.public_ip') }}"]
    - name: Deploy
      ansible.builtin.debug:
        msg: the deployment runs here
  always:
    - name: Revoke
      seed.lightsail.lightsail_instance_access:
        instance_name: web-1
        grant_id: "deploy-{{ build_number }}"
        state: absent
"""

RETURN = r"""
instance_name:
  description: The instance.
  returned: always
  type: str
  sample: web-1
region:
  description: The AWS region of the instance.
  returned: always
  type: str
  sample: eu-west-1
grant:
  description:
    - The grant as recorded after the task (O(state=present)), or the grant revoked (O(state=absent)).
  returned: when the instance was found and the grant could be planned
  type: dict
  contains:
    grant_id:
      description: The grant id.
      type: str
      sample: deploy-4711
    expires_at:
      description: When the grant expires, UTC.
      type: str
      sample: "2026-11-29T01:30:00Z"
    expired:
      description: Whether the grant has expired (on the controller's clock).
      type: bool
      sample: false
    reason:
      description: Why the access was granted.
      type: str
      sample: deploy build 4711
    ports:
      description: The sources the grant holds, per rule, in the shape of RV(ports).
      type: list
      elements: dict
expires_at:
  description: When the grant expires, UTC (O(state=present)).
  returned: when O(state=present) and the grant could be planned
  type: str
  sample: "2026-11-29T01:30:00Z"
renewed:
  description: Whether the grant id was already recorded, so the task renewed it without touching the firewall.
  returned: when O(state=present) and the grant could be planned
  type: bool
  sample: false
opened:
  description: The sources the task opens, per rule (none for a renewal).
  returned: when O(state=present) and the grant could be planned
  type: list
  elements: dict
shared:
  description: Sources the grant needs that another grant had opened; the grant holds them too.
  returned: when O(state=present) and the grant could be planned
  type: list
  elements: dict
already_allowed:
  description: Requested sources that rules allowed already, without any grant; the grant never closes them.
  returned: when O(state=present) and the grant could be planned
  type: list
  elements: dict
closed:
  description: The sources the task removes, per rule (O(state=absent)); sources other live grants hold stay.
  returned: when O(state=absent) and the grant was found
  type: list
  elements: dict
ports:
  description:
    - The rules of the instance after the task (in check mode, the rules it would have), normalised and sorted.
    - When a write fails, the rules as read again after the failure (if that read fails too, a warning says so, and they are
      the rules as found with the writes that were applied, reading a C(CloseInstancePublicPorts) as removing only the sources it
      names). When the task fails before any firewall write, the rules as found.
  returned: when the instance was found
  type: list
  elements: dict
  contains:
    protocol:
      description: V(tcp), V(udp), V(icmp), V(icmpv6) or V(all).
      type: str
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
      description: Aliases.
      type: list
      elements: str
ports_before:
  description: The rules of the instance as the task found them.
  returned: when the instance was found
  type: list
  elements: dict
  contains:
    protocol:
      description: V(tcp), V(udp), V(icmp), V(icmpv6) or V(all).
      type: str
      sample: tcp
    from_port:
      description: First port, or the ICMP type.
      type: int
      sample: 22
    to_port:
      description: Last port, or the ICMP code.
      type: int
      sample: 22
    cidrs:
      description: IPv4 sources in CIDR notation.
      type: list
      elements: str
      sample: [203.0.113.0/24]
    ipv6_cidrs:
      description: IPv6 sources in canonical CIDR notation.
      type: list
      elements: str
      sample: ["2001:db8::/32"]
    cidr_list_aliases:
      description: Aliases of address lists.
      type: list
      elements: str
      sample: [lightsail-connect]
operations:
  description:
    - The writes made, in order, or in check mode those that would be made. Empty when nothing changes.
    - A grant is one C(TagResource) then one C(OpenInstancePublicPorts) per rule it widens; a renewal one C(TagResource);
      a revoke the C(CloseInstancePublicPorts) (and, for narrowed rules, C(OpenInstancePublicPorts)) calls it needs, then one
      C(UntagResource).
  returned: always
  type: list
  elements: dict
  contains:
    operation:
      description: The API call.
      type: str
      sample: OpenInstancePublicPorts
    ports:
      description: The rules a firewall write sends.
      type: list
      elements: dict
      returned: for firewall writes
      contains:
        protocol:
          description: V(tcp), V(udp), V(icmp), V(icmpv6) or V(all).
          type: str
          sample: tcp
        from_port:
          description: First port, or the ICMP type.
          type: int
          sample: 22
        to_port:
          description: Last port, or the ICMP code.
          type: int
          sample: 22
        cidrs:
          description: IPv4 sources in CIDR notation.
          type: list
          elements: str
          sample: [203.0.113.0/24]
        ipv6_cidrs:
          description: IPv6 sources in canonical CIDR notation.
          type: list
          elements: str
          sample: ["2001:db8::/32"]
        cidr_list_aliases:
          description: Aliases of address lists.
          type: list
          elements: str
          sample: [lightsail-connect]
    tags:
      description: The tags C(TagResource) writes, key to value.
      type: dict
      returned: for C(TagResource)
    tag_keys:
      description: The tag keys C(UntagResource) removes.
      type: list
      elements: str
      returned: for C(UntagResource)
  sample:
    - operation: TagResource
      tags:
        seed.lightsail/grant/deploy-4711: v1 2026-11-29T01:30:00Z tcp:22:22@198.51.100.7/32
        seed.lightsail/grant/deploy-4711/reason: deploy build 4711
    - operation: OpenInstancePublicPorts
      ports:
        - {protocol: tcp, from_port: 22, to_port: 22, cidrs: [198.51.100.7/32], ipv6_cidrs: [], cidr_list_aliases: []}
applied_operations:
  description: When a firewall write fails, the writes that were applied before it.
  returned: when a firewall write fails
  type: list
  elements: dict
failed_operation:
  description: When a firewall write fails, the write that failed.
  returned: when a firewall write fails
  type: dict
pending_operations:
  description: When a firewall write fails, the writes after it, which were not attempted.
  returned: when a firewall write fails
  type: list
  elements: dict
"""

import os
from datetime import datetime
from datetime import timezone

from ansible_collections.seed.lightsail.plugins.module_utils._argument_specs import EXCEPTION_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._argument_specs import RULE_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._base import AnsibleLightsailModule
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import ADMIN_PORTS
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._grants import TAGS_PER_RESOURCE
from ansible_collections.seed.lightsail.plugins.module_utils._grants import controller_now
from ansible_collections.seed.lightsail.plugins.module_utils._grants import live_grants
from ansible_collections.seed.lightsail.plugins.module_utils._grants import parse_duration
from ansible_collections.seed.lightsail.plugins.module_utils._grants import parse_source_list
from ansible_collections.seed.lightsail.plugins.module_utils._grants import plan_grant
from ansible_collections.seed.lightsail.plugins.module_utils._grants import plan_release
from ansible_collections.seed.lightsail.plugins.module_utils._grants import read_grants
from ansible_collections.seed.lightsail.plugins.module_utils._grants import tag_operation
from ansible_collections.seed.lightsail.plugins.module_utils._grants import tags_needed
from ansible_collections.seed.lightsail.plugins.module_utils._grants import untag_operation
from ansible_collections.seed.lightsail.plugins.module_utils._grants import validate_grant_id
from ansible_collections.seed.lightsail.plugins.module_utils._grants import validate_reason
from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import instance_summary
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import FirewallApi
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import get_instance
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import tag_resource
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import untag_resource
from ansible_collections.seed.lightsail.plugins.module_utils._plan import firewall_to_text
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import FIREWALL_NOT_READ_AGAIN
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import PartialWriteError
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operations
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import firewall_after_failure
from ansible_collections.seed.lightsail.plugins.module_utils._policy import exposure_findings
from ansible_collections.seed.lightsail.plugins.module_utils._policy import parse_public_exceptions
from ansible_collections.seed.lightsail.plugins.module_utils._policy import violations_only
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules
from ansible_collections.seed.lightsail.plugins.module_utils._selection import instance_tags
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import split_networking_ports


def requested_rules(params, platform):
    """{RuleKey: Sources} the grant asks for: the listed rules (or the admin port), each with its sources or O(sources)."""
    default_sources = parse_source_list(params["sources"])
    if params["ports"]:
        requested = parse_rules(params["ports"])
    else:
        port = ADMIN_PORTS[platform]
        requested = {RuleKey("tcp", port, port): default_sources}
    for key, sources in requested.items():
        if not sources:
            if not default_sources:
                raise RuleError("sources", "no sources for %s; list them in sources, for example [\"{{ lookup('seed.lightsail.public_ip') }}\"], "
                                           "or in the rule" % key.describe())
            requested[key] = default_sources
    return requested


def refuse_world_exposure(requested, exceptions):
    violations = violations_only(exposure_findings(requested, exceptions))
    if violations:
        raise RuleError("sources", "the grant would open %s; list the port in public_exceptions with a reason to allow it"
                        % "; ".join(sorted(set(v["message"] for v in violations))))


def main():
    module = AnsibleLightsailModule(
        argument_spec=dict(
            instance_name=dict(type="str", required=True),
            grant_id=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            duration=dict(type="str"),
            reason=dict(type="str"),
            ports=dict(type="list", elements="dict", options=RULE_OPTIONS),
            sources=dict(type="list", elements="str"),
            public_exceptions=dict(type="list", elements="dict", default=[], options=EXCEPTION_OPTIONS),
        ),
        required_if=[("state", "present", ("duration", "reason"))],
        supports_check_mode=True,
    )
    params = module.params
    name, state = params["instance_name"], params["state"]
    result = dict(changed=False, instance_name=name, region=module.region, operations=[])
    try:
        grant_id = validate_grant_id(params["grant_id"])
        now, clock_warning = controller_now(os.environ, datetime.now(timezone.utc))
        if state == "present":
            expires_at = now + parse_duration(params["duration"])
            reason = validate_reason(params["reason"])
            exceptions = parse_public_exceptions(params["public_exceptions"])
            # Before any call: the sources, and the world policy where it does not depend on the platform (the admin port).
            refusals = []
            for platform in ([None] if params["ports"] else sorted(ADMIN_PORTS)):
                try:
                    refuse_world_exposure(requested_rules(params, platform), exceptions)
                except RuleError as error:
                    refusals.append(error)
            if refusals and len(refusals) == (1 if params["ports"] else len(ADMIN_PORTS)):
                raise refusals[0]
    except RuleError as error:
        module.fail_json(msg=str(error), **result)
    if clock_warning:
        module.warn(clock_warning)

    client = module.lightsail_client()
    try:
        instance = get_instance(client, name)
    except AnsibleLightsailError as error:
        module.fail_with_error(error, **result)
    if instance is None:
        module.fail_json(msg="Lightsail instance %r not found in region %s" % (name, module.region), **result)
    current, _private = split_networking_ports((instance.get("networking") or {}).get("ports"))
    tags = instance_tags(instance)
    result.update(ports_before=firewall_to_list(current), ports=firewall_to_list(current))

    if state == "present":
        try:
            requested = requested_rules(params, instance_summary(instance)["platform"])
            refuse_world_exposure(requested, exceptions)
            planned = plan_grant(current, tags, grant_id, requested, expires_at, reason)
        except RuleError as error:
            module.fail_json(msg=str(error), **result)
        if planned.tags and tags_needed(tags, planned.tags) > TAGS_PER_RESOURCE:
            module.fail_json(msg="%s carries %d tags; the grant needs %d more and Lightsail allows %d per resource; revoke grants or remove tags first"
                             % (name, len(tags), tags_needed(tags, planned.tags) - len(tags), TAGS_PER_RESOURCE), **result)
        tag_ops = [tag_operation(planned.tags)] if planned.tags else []
        previous = planned.previous.to_dict(now) if planned.previous else None
        result.update(
            changed=planned.changed,
            grant=planned.grant.to_dict(now),
            expires_at=planned.grant.to_dict()["expires_at"],
            renewed=planned.previous is not None,
            opened=firewall_to_list(planned.opened),
            shared=firewall_to_list(planned.shared),
            already_allowed=firewall_to_list(planned.already_allowed),
            ports=firewall_to_list(planned.plan.after),
            operations=tag_ops + [op.to_dict() for op in planned.plan.operations],
        )
        if module._diff:
            result["diff"] = diff(planned.plan.before, planned.plan.after, previous, result["grant"])
        if planned.changed and not module.check_mode:
            write_grant(module, client, name, planned, previous, result)
        module.exit_json(**result)

    grants, problems = read_grants(tags)
    target = next((grant for grant in grants if grant.grant_id == grant_id), None)
    if target is None:
        recorded = ", ".join(grant.grant_id for grant in grants) or "none"
        unreadable = "; unreadable grant records: %s" % "; ".join(problem for _key, problem in problems) if problems else ""
        module.fail_json(msg="grant_id: %r is not recorded on %s (its grants: %s%s); it was revoked, swept after expiring, or never made"
                         % (grant_id, name, recorded, unreadable), **result)
    staying = [grant for grant in live_grants(grants, now) if grant.grant_id != grant_id]
    release = plan_release(current, [target], staying)
    result.update(
        changed=release.changed,
        grant=target.to_dict(now),
        closed=firewall_to_list(release.closed),
        ports=firewall_to_list(release.plan.after),
        operations=[op.to_dict() for op in release.plan.operations] + [untag_operation(release.untag_keys)],
    )
    if module._diff:
        result["diff"] = diff(release.plan.before, release.plan.after, result["grant"], None)
    if not module.check_mode:
        # On a failure the grant stays recorded: its tags are removed last.
        apply_firewall(module, client, name, release.plan, result, recorded_before=False, grants=(result["grant"], result["grant"]))
        try:
            untag_resource(client, name, release.untag_keys)
        except AnsibleLightsailError as error:
            if "diff" in result:
                result["diff"] = diff(release.plan.before, release.plan.after, result["grant"], result["grant"])
            module.fail_with_error(error, **result)
    module.exit_json(**result)


def diff(before, after, grant_before, grant_after):
    """The rules before and after as text (one line per rule), then a line for the grant's record, if any."""
    return {"before": firewall_to_text(before) + grant_line(grant_before), "after": firewall_to_text(after) + grant_line(grant_after)}


def grant_line(grant):
    if not grant:
        return ""
    return "grant %s: until %s (%s)\n" % (grant["grant_id"], grant["expires_at"], grant.get("reason") or "no reason")


def write_grant(module, client, name, planned, previous, result):
    """Record first, open second: an interruption leaves a record the sweeper ends, never an opening without one."""
    if planned.tags:
        try:
            tag_resource(client, name, planned.tags)
        except AnsibleLightsailError as error:
            result.update(changed=False, ports=result["ports_before"])
            if "diff" in result:
                result["diff"] = diff(planned.plan.before, planned.plan.before, previous, previous)
            module.fail_with_error(error, **result)
    apply_firewall(module, client, name, planned.plan, result, recorded_before=bool(planned.tags), grants=(previous, result["grant"]))


def apply_firewall(module, client, name, plan, result, recorded_before, grants):
    """Make the firewall writes. On a failure, RV(ports) and the diff show the firewall as read again (or as computed), and
    ``grants`` (the grant record before the task, and after it when the firewall writes fail) frame the diff."""
    try:
        apply_operations(FirewallApi(client), name, plan.operations)
    except PartialWriteError as error:
        after, read_again = firewall_after_failure(FirewallApi(client), name, plan.before, error)
        if not read_again:
            module.warn(FIREWALL_NOT_READ_AGAIN)
        result.update(
            changed=recorded_before or bool(error.applied),
            applied_operations=[op.to_dict() for op in error.applied],
            failed_operation=error.failed.to_dict(),
            pending_operations=[op.to_dict() for op in error.pending],
            ports=firewall_to_list(after),
        )
        if "diff" in result:
            result["diff"] = diff(plan.before, after, grants[0], grants[1])
        module.fail_with_error(error, **result)


if __name__ == "__main__":
    main()
