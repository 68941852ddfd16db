#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lightsail_instance_ports
short_description: Manage the firewall rules of an AWS Lightsail instance
version_added: 1.0.0
description:
  - Opens, closes or replaces the public firewall rules (ports) of one Lightsail instance.
  - A rule is identified by its O(ports[].protocol), O(ports[].from_port) and O(ports[].to_port);
    what it allows is its sources, O(ports[].cidrs), O(ports[].ipv6_cidrs) and O(ports[].cidr_list_aliases).
  - Sources are compared after normalisation, so V(192.0.2.44) equals V(192.0.2.44/32), IPv6 blocks are
    compared in canonical form, order and duplicates do not matter, and V(all) equals V(-1).
  - With O(state=present) every listed source is allowed on its rule afterwards and nothing else changes
    (C(OpenInstancePublicPorts)). With O(state=absent) the listed sources are removed from their rules; a rule
    listed without sources, or left without any, is closed (C(CloseInstancePublicPorts)). With
    O(state=present) and O(purge_ports=true) the firewall becomes exactly the listed rules (C(PutInstancePublicPorts)).
  - A run that changes nothing makes exactly one API call (C(GetInstancePortStates)).
  - Lightsail does not document whether opening a rule that is already open merges or replaces its sources, nor
    whether closing a rule with some of its sources removes just those or the whole rule. This module plans its
    writes so that the firewall ends up as requested either way; see the notes.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  instance_name:
    description:
      - Name of the Lightsail instance.
      - An empty or blank name, or one with a control character (such as NUL), is refused before any API call.
    type: str
    required: true
  state:
    description:
      - V(present) allows the listed sources on the listed rules; V(absent) removes them.
    type: str
    choices: [present, absent]
    default: present
  purge_ports:
    description:
      - With O(state=present), make the firewall exactly the rules in O(ports), closing every other rule.
      - With an empty O(ports) this closes every rule, which cuts off all public access to the instance.
      - Not allowed with O(state=absent).
    type: bool
    default: false
  ports:
    description:
      - The rules to open or close.
      - The same rule (protocol and port range) may be listed twice only with the same sources.
      - At most 120 rules (Lightsail holds at most 60 rules on each of the IPv4 and IPv6 firewalls; the planned firewall is
        checked against that, see the notes).
      - The output of M(seed.lightsail.lightsail_instance_ports_info) can be passed here unchanged.
    type: list
    elements: dict
    default: []
    suboptions:
      protocol:
        description:
          - V(tcp), V(udp), V(icmp), V(icmpv6) or V(all), in any case. V(-1) means V(all).
        type: str
        required: true
      from_port:
        description:
          - First port of the range, for V(tcp) and V(udp) (0-65535).
          - The ICMP type for V(icmp) and V(icmpv6) (-1 for every type).
          - Leave it out for V(all), which covers every port of every protocol. V(all) also takes V(-1) (as the API writes
            it) or V(0) with O(ports[].to_port=65535); any other port range with V(all) is an error, because Lightsail
            would open every port anyway. For a port range, list V(tcp) and V(udp) rules.
        type: int
      to_port:
        description:
          - Last port of the range, for V(tcp) and V(udp); defaults to O(ports[].from_port).
          - The ICMP code for V(icmp) and V(icmpv6) (-1 for every code); defaults to -1.
        type: int
      cidrs:
        description:
          - IPv4 addresses or CIDR blocks allowed to connect, for example V(203.0.113.0/24). V(0.0.0.0/0) is everyone.
          - A bare address means a /32, a netmask its prefix length (V(10.0.0.0/255.0.0.0) is V(10.0.0.0/8)). A block with
            host bits set is an error.
          - With O(state=absent), leaving out all three source lists closes the whole rule; an explicitly empty list (as a
            templated empty variable gives) is an error.
          - Not on a V(icmpv6) rule alone (ICMPv6 is IPv6 only); likewise V(icmp) takes no rule of IPv6 sources alone.
        type: list
        elements: str
      ipv6_cidrs:
        description:
          - IPv6 addresses or CIDR blocks allowed to connect. V(::/0) is everyone.
        type: list
        elements: str
      cidr_list_aliases:
        description:
          - Aliases of address lists. The only one is V(lightsail-connect), the browser-based SSH and RDP client of the
            Lightsail console.
        type: list
        elements: str
notes:
  - With O(state=present) at least one source is required per rule; opening a port to everyone means writing
    V(0.0.0.0/0) or V(::/0) on purpose.
  - Lightsail allows at most 60 sources per rule, and at most 60 rules on each of the IPv4 firewall (rules with
    O(ports[].cidrs) or O(ports[].cidr_list_aliases)) and the IPv6 firewall (rules with O(ports[].ipv6_cidrs)). The module
    checks the firewall it plans, before any write and in check mode too, so adding 20 sources to a rule that has 50 fails
    naming the rule and the counts.
  - Lightsail applies the most permissive rule that covers a port. With O(state=absent), a port that another rule still
    covers (V(tcp 22) inside V(tcp 20-30), or any port and V(all)) stays reachable; the module warns, naming that rule.
  - Every write sends all three source lists explicitly, because the service's default for an omitted list is
    undocumented.
  - Narrowing a rule (removing some of its sources) is a C(CloseInstancePublicPorts) of the sources to drop followed
    by an C(OpenInstancePublicPorts) of the sources to keep. If Lightsail closes the whole rule on the first call,
    the rule is closed for the moment between the two calls.
  - With O(purge_ports=true) the module reads the firewall and then replaces it in one call planned from that read.
    Whatever someone else changes between the read and the write is undone; rules they open are closed, rules they
    close are opened again if listed in O(ports). Do not run purging tasks on an instance that other tools or
    concurrent runs write to.
  - With O(state=present) or O(state=absent) without purge, only the listed rules are written, one call per rule, so
    concurrent changes to other rules survive. Concurrent changes to the same rule may not, because every
    C(OpenInstancePublicPorts) sends the rule's complete sources as read. A source someone else removes from that rule
    between the read and the write comes back (whether Lightsail merges or replaces sources), and if Lightsail replaces
    sources, a source someone else adds is lost.
  - Throttling and server errors are retried by botocore and then with jittered backoff, dropped connections by
    botocore. A C(CloseInstancePublicPorts) that Lightsail refuses because the rule is no longer open (as when the
    answer to an applied Close was lost and the Close was sent again) counts as done once a fresh read shows none of
    its sources still allowed.
  - A write whose outcome is unknown (no answer, or a server error, after the retries) may have been made. The module
    reads the firewall again; if the write shows, it counts as made and the writes after it follow (so a narrowing
    whose Close got no answer is finished with its Open); if it does not show, it was not made.
  - If a write still fails, the error gives AWS's error code and message and lists the writes that were applied, the
    one that failed and those not attempted (RV(applied_operations), RV(failed_operation), RV(pending_operations));
    RV(ports) and the diff then show the firewall as read again after the failure.
    C(changed) is true when a write was made or may have been made. Only for a transient failure (throttling, a
    server error, a lost answer) does it advise running the task again, which converges; a refusal such as
    C(AccessDeniedException), C(InvalidInputException), C(NotFoundException) or C(OperationFailureException) fails the
    same way until its cause is fixed. One exception is a narrowing (C(CloseInstancePublicPorts) then
    C(OpenInstancePublicPorts) of the sources to keep) stopped between its two calls, after which the rule may be
    closed entirely, and a task with O(state=absent) does not reopen it; the error says so and names the sources to
    allow again.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - seed.lightsail.attributes
  - seed.lightsail.attributes.platform
attributes:
  check_mode:
    support: full
    details: Reads the firewall once and reports the same C(changed), diff, RV(ports) and RV(operations) as a real run, without writing.
  diff_mode:
    support: full
    details: The diff shows the rules before and after, normalised, one line per rule (protocol, ports, sources), from the same model
      that decides C(changed).
  idempotent:
    support: full
    details: A second run finds the firewall as asked and makes no write (one C(GetInstancePortStates) call, C(changed=false)).
"""

EXAMPLES = r"""
- name: Allow SSH from the office only, HTTP and HTTPS from everyone (exact firewall)
  seed.lightsail.lightsail_instance_ports:
    instance_name: web-1
    region: eu-west-1
    purge_ports: true
    ports:
      - protocol: tcp
        from_port: 22
        cidrs: [203.0.113.0/24]
      - protocol: tcp
        from_port: 80
        cidrs: [0.0.0.0/0]
        ipv6_cidrs: ["::/0"]
      - protocol: tcp
        from_port: 443
        cidrs: [0.0.0.0/0]
        ipv6_cidrs: ["::/0"]

- name: Allow ping from a monitoring host, keeping every other rule
  seed.lightsail.lightsail_instance_ports:
    instance_name: web-1
    ports:
      - protocol: icmp
        from_port: 8
        cidrs: [198.51.100.7]

- name: Keep the Lightsail console's browser SSH working
  seed.lightsail.lightsail_instance_ports:
    instance_name: web-1
    ports:
      - protocol: tcp
        from_port: 22
        cidr_list_aliases: [lightsail-connect]

- name: Stop allowing SSH from everyone (other SSH sources stay)
  seed.lightsail.lightsail_instance_ports:
    instance_name: web-1
    state: absent
    ports:
      - protocol: tcp
        from_port: 22
        cidrs: [0.0.0.0/0]
        ipv6_cidrs: ["::/0"]

# Closes the tcp 3306 rule. A wider rule (tcp 3000-4000, or protocol all) keeps MySQL reachable: the module warns.
- name: Close the MySQL rule, whatever its sources
  seed.lightsail.lightsail_instance_ports:
    instance_name: db-1
    state: absent
    ports:
      - protocol: tcp
        from_port: 3306

- name: Copy the firewall of one instance to another
  block:
    - name: Read the template instance's rules
      seed.lightsail.lightsail_instance_ports_info:
        instance_name: web-1
      register: template

    - name: Make web-2's firewall the same
      seed.lightsail.lightsail_instance_ports:
        instance_name: web-2
        purge_ports: true
        ports: "{{ template.instances[0].ports }}"
"""

RETURN = r"""
instance_name:
  description: The instance whose firewall was managed.
  returned: always
  type: str
  sample: web-1
region:
  description: The AWS region of the instance.
  returned: always
  type: str
  sample: eu-west-1
ports:
  description:
    - The rules of the instance after the task (in check mode, the rules it would have), normalised and sorted.
    - When a write fails, the rules as read again after the failure. If that read fails too (a warning says so), the rules
      as found with the writes that were applied (RV(applied_operations)), reading a C(CloseInstancePublicPorts) as
      removing only the sources it names; Lightsail may have closed the whole rule.
    - When the task fails before any write (a request Lightsail would refuse), the rules as found.
    - The same shape the O(ports) option takes.
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
ports_before:
  description:
    - The rules of the instance as the task found them, before any change, normalised and sorted.
    - The same shape as RV(ports); to undo the task, apply them with O(purge_ports=true).
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
    - When a write fails, every write planned; RV(applied_operations), RV(failed_operation) and RV(pending_operations) split them.
  returned: always
  type: list
  elements: dict
  contains:
    operation:
      description: C(OpenInstancePublicPorts), C(CloseInstancePublicPorts) or C(PutInstancePublicPorts).
      type: str
      sample: OpenInstancePublicPorts
    ports:
      description: The rules the call sends, in the shape of RV(ports).
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
  sample:
    - operation: OpenInstancePublicPorts
      ports:
        - protocol: tcp
          from_port: 22
          to_port: 22
          cidrs: [203.0.113.0/24]
          ipv6_cidrs: []
          cidr_list_aliases: []
applied_operations:
  description: When a write fails, the writes that were applied before it.
  returned: failure during writes
  type: list
  elements: dict
failed_operation:
  description: When a write fails, the write that failed.
  returned: failure during writes
  type: dict
pending_operations:
  description: When a write fails, the writes after it, which were not attempted.
  returned: failure during writes
  type: list
  elements: dict
error_code:
  description: When a write fails, AWS's error code (null when no answer came).
  returned: failure during writes
  type: str
  sample: ThrottlingException
transient:
  description: When a write fails, whether the failure is transient (throttling, a server error, a lost answer), so that running the task again may succeed.
  returned: failure during writes
  type: bool
outcome:
  description:
    - When a write fails, V(not applied), or V(unknown) when the failed write may have been made (no answer, and the firewall could not be read again).
  returned: failure during writes
  type: str
  sample: not applied
"""

from ansible_collections.seed.lightsail.plugins.module_utils._argument_specs import RULE_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._base import AnsibleLightsailModule
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import FirewallApi
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import get_instance_port_states
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PlanError
from ansible_collections.seed.lightsail.plugins.module_utils._plan import firewall_to_text
from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._plan import still_allowed
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import FIREWALL_NOT_READ_AGAIN
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import PartialWriteError
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operations
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import firewall_after_failure
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules
from ansible_collections.seed.lightsail.plugins.module_utils._rules import validate_instance_name
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import read_firewall
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import refuse_resending_odd_values


def main():
    module = AnsibleLightsailModule(
        argument_spec=dict(
            instance_name=dict(type="str", required=True),
            state=dict(type="str", default="present", choices=["present", "absent"]),
            purge_ports=dict(type="bool", default=False),
            ports=dict(type="list", elements="dict", default=[], options=RULE_OPTIONS),
        ),
        supports_check_mode=True,
    )
    name, state, purge = module.params["instance_name"], module.params["state"], module.params["purge_ports"]
    result = dict(changed=False, instance_name=name, region=module.region, operations=[])
    if purge and state == "absent":
        module.fail_json(msg="purge_ports: true applies to state=present only; with state=absent list the rules to close", **result)
    try:
        validate_instance_name(name)
        requested = parse_rules(module.params["ports"], require_sources=state == "present", closing=state == "absent")
    except RuleError as error:
        module.fail_json(msg=str(error), **result)

    client = module.lightsail_client()
    try:
        port_states = get_instance_port_states(client, name)
    except AnsibleLightsailError as error:
        module.fail_with_error(error, **result)
    if port_states is None:
        module.fail_json(msg="Lightsail instance %r not found in region %s" % (name, module.region), **result)

    current, warnings = read_firewall(port_states, name)
    for warning in warnings:
        module.warn(warning)
    # Until a write is planned, the firewall after the task is the firewall as found.
    result.update(ports=firewall_to_list(current), ports_before=firewall_to_list(current))
    try:
        plan = plan_changes(current, requested, state, purge)
    except PlanError as error:
        module.fail_json(msg=str(error), **result)
    refused = refuse_resending_odd_values(plan.operations, name)
    if refused:
        module.fail_json(msg=refused, **result)
    if state == "absent":
        for key, other, sources in still_allowed(plan.after, requested):
            module.warn("%s stays reachable through the rule %s, which allows %s; close or narrow that rule too"
                        % (key.describe(), other.describe(), sources.describe()))
    result.update(changed=plan.changed, ports=firewall_to_list(plan.after), operations=[op.to_dict() for op in plan.operations])
    if module._diff:
        result["diff"] = plan.diff()

    if plan.changed and not module.check_mode:
        try:
            apply_operations(FirewallApi(client), name, plan.operations)
        except PartialWriteError as error:
            result.update(
                changed=error.changed,
                applied_operations=[op.to_dict() for op in error.applied],
                failed_operation=error.failed.to_dict(),
                pending_operations=[op.to_dict() for op in error.pending],
                error_code=error.error_code,
                transient=error.transient,
                outcome=error.outcome,
            )
            after, read_again = firewall_after_failure(FirewallApi(client), name, plan.before, error)
            if not read_again:
                module.warn(FIREWALL_NOT_READ_AGAIN)
            result["ports"] = firewall_to_list(after)
            if module._diff:
                result["diff"] = dict(result["diff"], after=firewall_to_text(after))
            # The message already carries AWS's code and message: fail_json_aws would repeat them.
            module.fail_json(msg=error.message, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
