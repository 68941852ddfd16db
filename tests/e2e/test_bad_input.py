"""Malformed input, table-driven, across both modules and the firewall_baseline role's variables.

Every case must fail with a message that names the field (and the value, where there is one), without a Python
traceback, and without any write; nearly all fail before any API call. The few that Lightsail itself has to judge
(an instance name that breaks its naming rule) are marked ``read``: the firewall is read, nothing is written.

All cases run in one ansible-playbook run (one task, or one role include, per case) to keep the suite fast.
"""

from __future__ import annotations

import json
from collections import Counter

PORTS = "seed.lightsail.lightsail_instance_ports"
INFO = "seed.lightsail.lightsail_instance_ports_info"
ROLE = "seed.lightsail.firewall_baseline"
OK = ["203.0.113.0/24"]
TRACEBACK = "Traceback (most recent call last)"


def tcp22(**fields):
    return dict({"protocol": "tcp", "from_port": 22, "cidrs": OK}, **fields)


class Case:
    """One malformed input: which target, the arguments (or role variables), and what the message must name.

    ``expect`` lists substrings the failure message must contain (the field, and the value where one was given).
    ``read`` is None when no API call at all is allowed, else the one read operation allowed (never a write).
    ``core`` marks a message written by ansible-core's argument validation, not by this collection.
    """

    def __init__(self, ident, target, args, expect, read=None, core=False):
        self.ident, self.target, self.args, self.expect, self.read, self.core = ident, target, args, expect, read, core

    def __repr__(self):
        return self.ident


PORTS_CASES = [
    # the module's own options
    Case("ports-instance-name-missing", PORTS, {"instance_name": None, "ports": [tcp22()]}, ["instance_name"], core=True),
    Case("ports-instance-name-space", PORTS, {"instance_name": "web 1", "ports": [tcp22()]}, ["instanceName", "web 1"], read="GetInstancePortStates"),
    Case("ports-state-unknown", PORTS, {"state": "gone"}, ["state", "gone"], core=True),
    Case("ports-purge-not-bool", PORTS, {"purge_ports": "maybe"}, ["purge_ports", "maybe"], core=True),
    Case("ports-purge-with-absent", PORTS, {"state": "absent", "purge_ports": True}, ["purge_ports: true", "state=absent"]),
    Case("ports-unknown-option", PORTS, {"instance": "web-1"}, ["Unsupported parameters", "instance"], core=True),
    Case("ports-not-a-list", PORTS, {"ports": {"protocol": "tcp"}}, ["'ports'", "dict"], core=True),
    Case("ports-rule-a-word", PORTS, {"ports": ["tcp/22"]}, ["dictionary requested, could not parse JSON or key=value"], core=True),
    # one rule's fields
    Case("rule-unknown-field", PORTS, {"ports": [tcp22(source="x")]}, ["ports.source"], core=True),
    Case("rule-protocol-missing", PORTS, {"ports": [{"from_port": 22, "cidrs": OK}]}, ["protocol", "ports"], core=True),
    Case("rule-protocol-unknown", PORTS, {"ports": [tcp22(protocol="sctp")]}, ["ports[0].protocol", "'sctp'"]),
    Case("rule-from-port-word", PORTS, {"ports": [tcp22(from_port="ssh")]}, ["from_port", "ssh"], core=True),
    Case("rule-from-port-fraction", PORTS, {"ports": [tcp22(from_port=22.5)]}, ["from_port", "22.5"], core=True),
    Case("rule-from-port-bool", PORTS, {"ports": [tcp22(from_port=True)]}, ["ports[0].from_port", "True"]),
    Case("rule-from-port-too-high", PORTS, {"ports": [tcp22(from_port=65536)]}, ["ports[0].from_port", "65536"]),
    Case("rule-from-port-missing", PORTS, {"ports": [{"protocol": "udp", "cidrs": OK}]}, ["ports[0].from_port", "udp"]),
    Case("rule-range-reversed", PORTS, {"ports": [tcp22(from_port=443, to_port=80)]}, ["ports[0]", "from_port 443", "to_port 80"]),
    Case("rule-icmp-type-256", PORTS, {"ports": [tcp22(protocol="icmp", from_port=256)]}, ["ports[0].from_port", "256"]),
    Case("rule-icmp-code-without-type", PORTS, {"ports": [tcp22(protocol="icmp", from_port=-1, to_port=0)]}, ["ports[0].to_port", "0"]),
    # sources
    Case("cidr-host-bits", PORTS, {"ports": [tcp22(cidrs=["10.0.0.1/8"])]}, ["ports[0] (tcp 22).cidrs[0]", "10.0.0.1/8", "10.0.0.0/8"]),
    Case("cidr-ipv6-block", PORTS, {"ports": [tcp22(cidrs=["::/0"])]}, ["cidrs[0]", "'::/0'", "ipv6_cidrs"]),
    Case("cidr-prefix-33", PORTS, {"ports": [tcp22(cidrs=["10.0.0.0/33"])]}, ["cidrs[0]", "10.0.0.0/33"]),
    Case("cidr-second-of-comma-list", PORTS, {"ports": [tcp22(cidrs="10.0.0.0/8, 300.0.0.0/8")]}, ["cidrs[1]", "300.0.0.0/8"]),
    Case("ipv6-ipv4-block", PORTS, {"ports": [tcp22(cidrs=[], ipv6_cidrs=["0.0.0.0/0"])]}, ["ipv6_cidrs[0]", "0.0.0.0/0"]),
    Case("ipv6-zone-index", PORTS, {"ports": [tcp22(cidrs=[], ipv6_cidrs=["fe80::1%eth0"])]}, ["ipv6_cidrs[0]", "fe80::1%eth0"]),
    Case("alias-unknown", PORTS, {"ports": [tcp22(cidrs=[], cidr_list_aliases=["office"])]}, ["cidr_list_aliases[0]", "office"]),
    Case("sources-61", PORTS, {"ports": [tcp22(cidrs=["10.%d.0.0/16" % i for i in range(61)])]}, ["ports[0] (tcp 22)", "61 sources", "60"]),
    Case("sources-none-with-present", PORTS, {"ports": [{"protocol": "tcp", "from_port": 22}]}, ["ports[0] (tcp 22)", "no sources"]),
    Case("rule-twice-other-sources", PORTS, {"ports": [tcp22(), tcp22(cidrs=["198.51.100.7"])]}, ["ports[1]", "tcp 22", "ports[0]"]),
]

INFO_CASES = [
    Case("info-name-and-names", INFO, {"instance_name": "web-1", "names": ["web-2"]}, ["instance_name", "names", "mutually exclusive"], core=True),
    Case("info-name-and-tags", INFO, {"instance_name": "web-1", "tags": {"env": "prod"}}, ["instance_name", "tags", "mutually exclusive"], core=True),
    Case("info-tags-a-word", INFO, {"tags": "env"}, ["'tags'", "str", "dict"], core=True),
    Case("info-tags-a-list", INFO, {"tags": [1, 2]}, ["'tags'", "list", "dict"], core=True),
    Case("info-unknown-option", INFO, {"region_name": "us-east-1"}, ["Unsupported parameters", "region_name"], core=True),
    Case("info-instance-name-empty", INFO, {"instance_name": ""}, ["instance_name", "''"], read="GetInstancePortStates"),
    Case("info-instance-name-space", INFO, {"instance_name": "web 1"}, ["instanceName", "web 1"], read="GetInstancePortStates"),
]

ADMIN = {"firewall_baseline_admin_cidrs": OK}
APPLY = {"firewall_baseline_mode": "apply"}
ROLE_CASES = [
    Case("role-mode-unknown", ROLE, {"firewall_baseline_mode": "enforce"}, ["firewall_baseline_mode", "enforce"], core=True),
    Case("role-scope-unknown", ROLE, dict(APPLY, firewall_baseline_scope="region"), ["firewall_baseline_scope", "region"], core=True),
    Case("role-profile-unknown", ROLE, dict(APPLY, firewall_baseline_profile="open"), ["firewall_baseline_profile", "open"], core=True),
    Case("role-console-not-bool", ROLE, dict(APPLY, firewall_baseline_keep_console_access="perhaps"),
         ["firewall_baseline_keep_console_access", "perhaps"], core=True),
    Case("role-tags-a-word", ROLE, dict(APPLY, firewall_baseline_tags="env"), ["firewall_baseline_tags", "dict"], core=True),
    Case("role-platform-unknown", ROLE, dict(APPLY, firewall_baseline_scope="host", firewall_baseline_platform="SOLARIS"),
         ["firewall_baseline_platform", "SOLARIS"], core=True),
    Case("role-extra-rule-no-protocol", ROLE, dict(APPLY, firewall_baseline_extra_rules=[{"from_port": 22, "cidrs": OK}]),
         ["protocol", "firewall_baseline_extra_rules"], core=True),
    Case("role-exception-no-reason", ROLE, dict(APPLY, firewall_baseline_public_exceptions=[{"protocol": "tcp", "from_port": 3306}]),
         ["reason", "firewall_baseline_public_exceptions"], core=True),
    Case("role-exception-empty-reason", ROLE, dict(APPLY, firewall_baseline_public_exceptions=[{"protocol": "tcp", "from_port": 3306, "reason": " "}]),
         ["public_exceptions[0].reason", "tcp 3306"]),
    Case("role-admin-cidr-host-bits", ROLE, dict(APPLY, firewall_baseline_admin_cidrs=["10.0.0.1/8"]), ["admin_cidrs[0]", "10.0.0.1/8"]),
    Case("role-extra-rule-port-99999", ROLE, dict(APPLY, firewall_baseline_profile="custom", firewall_baseline_extra_rules=[tcp22(from_port=99999)], **ADMIN),
         ["extra_rules[0].from_port", "99999"]),
    Case("role-extra-rule-no-sources", ROLE, dict(APPLY, firewall_baseline_profile="custom",
                                                  firewall_baseline_extra_rules=[{"protocol": "tcp", "from_port": 8080}], **ADMIN),
         ["extra_rules[0] (tcp 8080)", "no sources"]),
    Case("role-concurrency-zero", ROLE, dict(APPLY, firewall_baseline_max_concurrency=0, **ADMIN), ["max_concurrency", "0"]),
    Case("role-lockout", ROLE, dict(APPLY, firewall_baseline_keep_console_access=False), ["allow_lockout", "admin_cidrs", "keep_console_access"]),
    Case("role-host-admin-cidr-host-bits", ROLE, dict(APPLY, firewall_baseline_scope="host", firewall_baseline_admin_cidrs=["10.0.0.1/8"]),
         ["firewall_baseline_admin_cidrs[0]", "10.0.0.1/8"]),
    Case("role-unknown-instance-names", ROLE, dict(APPLY, firewall_baseline_instance_names=["web 1"], **ADMIN), ["web 1", "nothing was written"],
         read="GetInstances"),
]

CASES = PORTS_CASES + INFO_CASES + ROLE_CASES
# The last task runs without ignore_errors, so that the run itself must exit non-zero.
LAST = Case("last-not-ignored", PORTS, {"ports": [tcp22(protocol="sctp")]}, ["ports[0].protocol", "'sctp'"])


def instance_for(case):
    return "case-%s" % case.ident


def module_task(case, ignore=True):
    args = dict({"instance_name": instance_for(case)} if case.target == PORTS else {}, **case.args)
    args = {key: value for key, value in args.items() if value is not None}
    task = {"name": case.ident, case.target: args}
    if ignore:
        task["ignore_errors"] = True
    return task


def role_block(case):
    """The role included with the case's variables; the rescue records the failure, the marker shows a pass."""
    variables = dict({"firewall_baseline_instance_name": instance_for(case)}, **case.args)
    return {
        "block": [
            {"name": "include %s" % case.ident, "ansible.builtin.include_role": {"name": ROLE}, "vars": variables},
            {"name": "%s was not rejected" % case.ident, "ansible.builtin.debug": {"msg": "the role accepted %s" % case.ident}},
        ],
        "rescue": [
            {"name": case.ident, "ansible.builtin.set_fact": {"case_failure": "{{ ansible_failed_result }}"}},
        ],
    }


def playbook():
    tasks = [role_block(case) if case.target == ROLE else module_task(case) for case in CASES]
    tasks.append(module_task(LAST, ignore=False))
    return [{"name": "malformed input", "hosts": "localhost", "gather_facts": False, "tasks": tasks}]


def failure_of(run, case):
    """(failed, message, the whole result as text) of one case."""
    if case.target == ROLE:
        if any(task["task"]["name"] == "%s was not rejected" % case.ident for task in run.tasks()):
            return False, "the role accepted the variables", ""
        facts = run.result(case.ident)["ansible_facts"]
        return bool(facts["case_failure"].get("failed")), facts["case_failure"].get("msg", ""), json.dumps(facts)
    result = run.result(case.ident)
    return bool(result.get("failed")), result.get("msg", ""), json.dumps(result)


def names(message, part):
    """The message contains part (a field may be spelled instance_name by us or instanceName by Lightsail)."""
    return part in message or part.replace("_", "").lower() in message.replace("_", "").lower()


def test_every_malformed_input_is_refused_cleanly_and_writes_nothing(ansible, lightsail_admin):
    for case in CASES + [LAST]:
        lightsail_admin.seed_instance(instance_for(case))
    run = ansible.playbook(playbook(), expect_failure=True)
    calls = lightsail_admin.calls()

    problems = []
    for case in CASES + [LAST]:
        failed, message, text = failure_of(run, case)
        if not failed:
            problems.append("%s: not refused" % case.ident)
            continue
        missing = [part for part in case.expect if not names(message, part)]
        if missing:
            problems.append("%s: the message does not name %s: %s" % (case.ident, missing, message))
        if TRACEBACK in text:
            problems.append("%s: a traceback in the result" % case.ident)
    assert not problems, "\n".join(problems)

    assert [call for call in calls if call["operation"] not in ("GetInstancePortStates", "GetInstances")] == [], "a malformed input was written"
    allowed = Counter(case.read for case in CASES if case.read)
    made = Counter(call["operation"] for call in calls if "pageToken" not in (call["params"] or {}))  # a listing counts once, not per page
    assert all(made[operation] <= allowed[operation] for operation in made), "only the cases marked read may read, once each: %s" % made
    assert all(call["result"] != "ok" for call in calls if call["operation"] == "GetInstancePortStates"), "Lightsail refused those names"

    # The last case is not ignored: the run must exit non-zero, with that one failure.
    assert run.rc == 2
    assert run.stats["localhost"]["failures"] == 1
    assert TRACEBACK not in run.stdout + run.stderr


def test_the_table_covers_both_modules_and_the_role():
    by_target = Counter(case.target for case in CASES)
    assert by_target[PORTS] >= 20 and by_target[INFO] >= 5 and by_target[ROLE] >= 10, by_target
    assert len({case.ident for case in CASES}) == len(CASES)
