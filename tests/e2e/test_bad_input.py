"""Malformed input, table-driven, across both modules and the firewall_baseline role's variables.

Every case must fail with a message that names the field (and the value, where there is one and the ansible-core in
use puts it in its own message), without a Python traceback, and without any write; nearly all fail before any API
call. The few that Lightsail itself has to judge (an instance name that breaks its naming rule) are marked ``read``:
the firewall is read, nothing is written.

All cases run in one ansible-playbook run (one task, or one role include, per case) to keep the suite fast.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from ansible.release import __version__ as ansible_core_version

PORTS = "seed.lightsail.lightsail_instance_ports"
INFO = "seed.lightsail.lightsail_instance_ports_info"
ROLE = "seed.lightsail.firewall_baseline"
OK = ["203.0.113.0/24"]
TRACEBACK = "Traceback (most recent call last)"
# The ansible-core that runs the playbooks: the one of this interpreter's venv (tests/e2e/conftest.py runs its bin/).
CORE = tuple(int(part) for part in ansible_core_version.split(".")[:2])
# Last line of the traceback ansible-core before 2.19 keeps in a failed result's `exception` field (shown at -vvv) when
# a module reported a Lightsail API error it caught (fail_json_aws); the chain must start from botocore's ClientError.
HANDLED_API_ERROR = "ansible_collections.seed.lightsail.plugins.module_utils._errors.AnsibleLightsailError: "
BOTOCORE_ERROR = re.compile(r"^botocore\.(errorfactory|exceptions)\.\w+: An error occurred \(\w+\) when calling the \w+ operation: ", re.MULTILINE)


def tcp22(**fields):
    return dict({"protocol": "tcp", "from_port": 22, "cidrs": OK}, **fields)


class Case:
    """One malformed input: which target, the arguments (or role variables), and what the message must name.

    ``expect`` lists substrings the failure message must contain (the field, and the value where one was given).
    ``read`` is None when no API call at all is allowed, else the one read operation allowed (never a write).
    ``core`` marks a message written by ansible-core's argument validation, not by this collection.
    ``older`` maps an ansible-core (major, minor) to what the message must contain on the versions below it, where
    ansible-core words its own message differently (``expect`` is what the newest versions say).
    """

    def __init__(self, ident, target, args, expect, read=None, core=False, older=None):
        self.ident, self.target, self.args, self.expect, self.read, self.core = ident, target, args, expect, read, core
        self.older = dict(older or {})
        assert not self.older or core, "%s: only ansible-core's own messages differ between versions" % ident

    def expected(self, version):
        """What the message must contain under ansible-core ``version`` (major, minor)."""
        for below in sorted(self.older):
            if version < below:
                return self.older[below]
        return self.expect

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
    # ansible-core 2.17's int conversion names the type, not the value: "argument 'from_port' is of type <class 'str'> found in
    # 'ports'. and we were unable to convert to int: <class 'str'> cannot be converted to an int"; 2.18 added the value.
    Case("rule-from-port-word", PORTS, {"ports": [tcp22(from_port="ssh")]}, ["from_port", "ssh"], core=True,
         older={(2, 18): ["argument 'from_port' is of type <class 'str'> found in 'ports'", "cannot be converted to an int"]}),
    Case("rule-from-port-fraction", PORTS, {"ports": [tcp22(from_port=22.5)]}, ["from_port", "22.5"], core=True,
         older={(2, 18): ["argument 'from_port' is of type <class 'float'> found in 'ports'", "cannot be converted to an int"]}),
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
    # issue 13: accepted before, now refused before any call
    Case("ports-instance-name-empty", PORTS, {"instance_name": "", "ports": [tcp22()]}, ["instance_name", "''", "empty"]),
    Case("ports-instance-name-blank", PORTS, {"instance_name": "  ", "ports": [tcp22()]}, ["instance_name", "'  '", "empty"]),
    Case("ports-instance-name-nul", PORTS, {"instance_name": "web\x001", "ports": [tcp22()]}, ["instance_name", "web\\x001", "control character"]),
    Case("absent-explicit-empty-cidrs", PORTS, {"state": "absent", "ports": [tcp22(cidrs=[])]},
         ["ports[0] (tcp 22).cidrs", "an empty list removes no source", "leave out cidrs, ipv6_cidrs, cidr_list_aliases"]),
    Case("rule-all-with-one-port", PORTS, {"ports": [tcp22(protocol="all")]}, ["ports[0] (all 22-22)", "protocol all covers every port"]),
    Case("rule-icmpv6-ipv4-only", PORTS, {"ports": [tcp22(protocol="icmpv6", from_port=128)]},
         ["ports[0] (icmpv6 type 128 code -1).cidrs", "203.0.113.0/24", "protocol icmp"]),
    Case("rule-icmp-ipv6-only", PORTS, {"ports": [tcp22(protocol="icmp", from_port=8, cidrs=[], ipv6_cidrs=["::/0"])]},
         ["ports[0] (icmp type 8 code -1).ipv6_cidrs", "::/0", "protocol icmpv6"]),
    Case("rules-121", PORTS, {"ports": [tcp22(from_port=1000 + i) for i in range(121)]}, ["ports", "121 rules", "at most 120"]),
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
APPLY = {"firewall_baseline_mode": "apply", "firewall_baseline_profile": "locked_down"}
ROLE_CASES = [
    Case("role-mode-unknown", ROLE, {"firewall_baseline_mode": "enforce"}, ["firewall_baseline_mode", "enforce"], core=True),
    Case("role-scope-unknown", ROLE, dict(APPLY, firewall_baseline_scope="region"), ["firewall_baseline_scope", "region"], core=True),
    Case("role-profile-unknown", ROLE, dict(APPLY, firewall_baseline_profile="open"), ["firewall_baseline_profile", "open"], core=True),
    Case("role-console-not-bool", ROLE, dict(APPLY, firewall_baseline_keep_console_access="perhaps"),
         ["firewall_baseline_keep_console_access", "perhaps"], core=True),
    Case("role-tags-a-word", ROLE, dict(APPLY, firewall_baseline_tags="env"), ["firewall_baseline_tags", "dict"], core=True),
    Case("role-misspelt-variable", ROLE, dict(APPLY, firewall_baseline_profil="web"),
         ["firewall_baseline_profil is not a variable", "did you mean firewall_baseline_profile"]),
    Case("role-apply-without-profile", ROLE, {"firewall_baseline_mode": "apply", **ADMIN},
         ["firewall_baseline_profile: an apply needs a profile chosen explicitly"]),
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
    Case("role-host-scope-on-localhost", ROLE, dict(APPLY, firewall_baseline_scope="host", **ADMIN),
         ["firewall_baseline_scope is host, but the play targets only the controller"]),
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
    """(failed, message, the failed result) of one case."""
    if case.target == ROLE:
        if any(task["task"]["name"] == "%s was not rejected" % case.ident for task in run.tasks()):
            return False, "the role accepted the variables", {}
        failure = run.result(case.ident)["ansible_facts"]["case_failure"]
        return bool(failure.get("failed")), failure.get("msg", ""), failure
    result = run.result(case.ident)
    return bool(result.get("failed")), result.get("msg", ""), result


def has_traceback(case, result):
    """The result holds a Python traceback (a crash, or an error shown with one).

    Before 2.19, ansible-core keeps the traceback of an exception a module caught and reported (fail_json_aws) in the
    result's ``exception`` field, shown only at -vvv; 2.19 keeps "(traceback unavailable)" there by default. That one is
    allowed for the cases Lightsail judges (``read``), and only when it is exactly that: a botocore ClientError from
    Lightsail, wrapped in the collection's AnsibleLightsailError with the failure's own message. Nowhere else in the
    result, and never on 2.19 or later."""
    if CORE < (2, 19) and case.read and TRACEBACK in str(result.get("exception", "")):
        exception = result["exception"].rstrip()
        handled = exception.splitlines()[-1] == HANDLED_API_ERROR + result.get("msg", "") and BOTOCORE_ERROR.search(exception)
        rest = dict((key, value) for key, value in result.items() if key != "exception")
        return not handled or TRACEBACK in json.dumps(rest)
    return TRACEBACK in json.dumps(result)


def names(message, part):
    """The message contains part (a field may be spelled instance_name by us or instanceName by Lightsail)."""
    return part in message or part.replace("_", "").lower() in message.replace("_", "").lower()


def test_every_malformed_input_is_refused_cleanly_and_writes_nothing(ansible, lightsail_admin):
    for case in CASES + [LAST]:
        lightsail_admin.seed_instance(instance_for(case))
    run = ansible.playbook(playbook(), expect_failure=True)
    calls = lightsail_admin.calls()

    problems = []
    shown_tracebacks = 0  # the ones has_traceback allows before 2.19, which the json callback prints too
    for case in CASES + [LAST]:
        failed, message, result = failure_of(run, case)
        if not failed:
            problems.append("%s: not refused" % case.ident)
            continue
        missing = [part for part in case.expected(CORE) if not names(message, part)]
        if missing:
            problems.append("%s: the message does not name %s: %s" % (case.ident, missing, message))
        if has_traceback(case, result):
            problems.append("%s: a traceback in the result: %s" % (case.ident, json.dumps(result)[-3000:]))
        elif CORE < (2, 19):
            shown_tracebacks += str(result.get("exception", "")).count(TRACEBACK)
    assert not problems, "\n".join(problems)

    assert [call for call in calls if call["operation"] not in ("GetInstancePortStates", "GetInstances")] == [], "a malformed input was written"
    allowed = Counter(case.read for case in CASES if case.read)
    made = Counter(call["operation"] for call in calls if "pageToken" not in (call["params"] or {}))  # a listing counts once, not per page
    assert all(made[operation] <= allowed[operation] for operation in made), "only the cases marked read may read, once each: %s" % made
    assert all(call["result"] != "ok" for call in calls if call["operation"] == "GetInstancePortStates"), "Lightsail refused those names"

    # The last case is not ignored: the run must exit non-zero, with that one failure.
    assert run.rc == 2
    assert run.stats["localhost"]["failures"] == 1
    assert TRACEBACK not in run.stderr
    assert run.stdout.count(TRACEBACK) == shown_tracebacks, "a traceback outside the results checked above"


def test_the_table_covers_both_modules_and_the_role():
    by_target = Counter(case.target for case in CASES)
    assert by_target[PORTS] >= 20 and by_target[INFO] >= 5 and by_target[ROLE] >= 10, by_target
    assert len({case.ident for case in CASES}) == len(CASES)


def test_older_messages_still_name_the_field():
    """Where an older ansible-core words a message differently, it must still name the field the newest one names."""
    older = [case for case in CASES if case.older]
    assert older
    for case in older:
        for below, expected in case.older.items():
            assert below <= (2, 19) and case.expect[0] in " ".join(expected), (case, below, expected)
