"""Faults: throttling, server errors, dropped connections and latency, against the test Lightsail service.

Bursts are retried (botocore's own retries, then the adapter's jittered backoff) and the end state is right. When
retries run out, the failure names the writes that were applied, the one that failed and those not attempted;
the firewall is exactly "before + the applied writes", and running the task again converges.

Faults are queued per operation in the service and consumed by whichever call comes next, so the fault for each
scenario is set by an admin call (run from the playbook) right before its task, and each scenario has its own
instance, by which the call log is split.
"""

from __future__ import annotations

import base64
import json
import shlex
import sys

import pytest
from botocore.exceptions import ClientError

from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import FirewallApi
from ansible_collections.seed.lightsail.plugins.module_utils._plan import plan_changes
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import PartialWriteError
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operations
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import to_port_info
from firewall_shapes import as_api, canonical, rule, stored

MODULE = "seed.lightsail.lightsail_instance_ports"
OPEN, CLOSE, PUT, READ = "OpenInstancePublicPorts", "CloseInstancePublicPorts", "PutInstancePublicPorts", "GetInstancePortStates"
OFFICE, HOME, WORLD4, WORLD6 = "203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0", "::/0"


def calls_of(calls, name):
    """(operation, result, fault) of every call about one instance, in order."""
    return [(c["operation"], c["result"], c["fault"]) for c in calls if (c["params"] or {}).get("instanceName") == name]


START = [rule("tcp", 22, cidrs=[WORLD4, OFFICE], ipv6=[WORLD6]), rule("tcp", 80, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 3306, cidrs=[WORLD4])]
SSH_OFFICE_ONLY = [rule("tcp", 22, cidrs=[OFFICE])] + START[1:]
ADD_PING = {"ports": [{"protocol": "icmp", "from_port": 8, "cidrs": [HOME]}]}
NARROW_SSH = {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}]}
CLOSE_MYSQL = {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 3306}]}
EXACT = {"purge_ports": True, "ports": [{"protocol": "tcp", "from_port": 443, "cidrs": [WORLD4]}]}


# Sends one admin request (URL, base64 of the JSON body, method) without a proxy. Run on the controller by a pipe
# lookup, it is far cheaper than a module (ansible.builtin.uri) on a busy machine; base64 keeps quoting out of it.
ADMIN_SCRIPT = """
import base64, sys, urllib.request
url, body, method = sys.argv[1], base64.b64decode(sys.argv[2]), sys.argv[3]
request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": "application/json"})
urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30).read()
"""


class Admin:
    """Admin calls of the service as playbook tasks, so that faults can be set between two tasks of one run."""

    def __init__(self, url, directory):
        self.url = url
        self.script = directory / "admin_call.py"
        self.script.write_text(ADMIN_SCRIPT)

    def task(self, name, route, payload, method="POST"):
        body = base64.b64encode(json.dumps(payload).encode()).decode()
        command = " ".join(shlex.quote(str(part)) for part in (sys.executable, self.script, "%s/_admin/%s" % (self.url, route), body, method))
        return {"name": name, "ansible.builtin.debug": {"msg": "{{ lookup('ansible.builtin.pipe', %s) }}" % json.dumps(command)}}

    def fault(self, kind, count, operation):
        return self.task("fault: %d x %s on %s" % (count, kind, operation), "faults", {"kind": kind, "count": count, "operation": operation})

    def latency(self, seconds):
        return self.task("latency %s s" % seconds, "faults", {"latency": seconds})

    def clear(self):
        return self.task("clear faults", "faults", {}, method="DELETE")

    def behaviour(self, **switches):
        return self.task("behaviour %s" % switches, "behaviour", switches)


def ports_task(name, args, **keywords):
    return dict({"name": name, MODULE: dict(args, instance_name=name)}, **keywords)


# (instance, admin tasks before it, task args, expected firewall afterwards)
def burst_scenarios(admin):
    return [
        ("throttled-open", [admin.fault("throttle", 3, OPEN)], ADD_PING, START + [rule("icmp", 8, -1, cidrs=[HOME])]),
        ("failing-close", [admin.fault("server_error", 3, CLOSE)], NARROW_SSH, SSH_OFFICE_ONLY),
        ("dropped-put", [admin.fault("drop", 2, PUT)], EXACT, [rule("tcp", 443, cidrs=[WORLD4])]),
        ("answer-lost-open", [admin.fault("drop_after_apply", 1, OPEN)], ADD_PING, START + [rule("icmp", 8, -1, cidrs=[HOME])]),
        ("answer-lost-close-noop", [admin.behaviour(close_missing="noop"), admin.fault("drop_after_apply", 1, CLOSE)], CLOSE_MYSQL, START[:2]),
        ("answer-lost-close-error", [admin.behaviour(close_missing="error"), admin.fault("drop_after_apply", 1, CLOSE)], CLOSE_MYSQL, START[:2]),
        ("slow", [admin.behaviour(close_missing="noop"), admin.latency(1.0)], NARROW_SSH, SSH_OFFICE_ONLY),
    ]


def test_bursts_are_retried_and_reach_the_right_firewall(ansible, lightsail_admin, tmp_path):
    admin = Admin(lightsail_admin.url, tmp_path)
    scenarios = burst_scenarios(admin)
    tasks = []
    for name, before, args, _expected in scenarios:
        lightsail_admin.seed_instance(name, ports=START)
        tasks += before + [ports_task(name, args)]
    tasks.append(admin.clear())
    run = ansible.playbook([{"name": "bursts", "hosts": "localhost", "gather_facts": False, "tasks": tasks}])
    calls = lightsail_admin.calls()

    for name, _before, _args, expected in scenarios:
        result = run.result(name)
        assert result["changed"] and not result.get("failed"), (name, result.get("msg"))
        assert stored(lightsail_admin, name) == canonical(expected), name
        assert as_api(result["ports"]) == canonical(expected), name
    assert lightsail_admin.faults()["queue"] == [], "every injected fault was met"

    assert calls_of(calls, "throttled-open") == [(READ, "ok", None)] + [(OPEN, "ThrottlingException", "throttle")] * 3 + [(OPEN, "ok", None)]
    assert calls_of(calls, "failing-close") == (
        [(READ, "ok", None)] + [(CLOSE, "ServiceException", "server_error")] * 3 + [(CLOSE, "ok", None), (OPEN, "ok", None)])
    assert calls_of(calls, "dropped-put") == [(READ, "ok", None), (PUT, "dropped", "drop"), (PUT, "dropped", "drop"), (PUT, "ok", None)]
    # The Open was applied and its answer lost; botocore sent it again, which is harmless: Open sends the whole rule.
    assert calls_of(calls, "answer-lost-open") == [(READ, "ok", None), (OPEN, "ok", "drop_after_apply"), (OPEN, "ok", None)]
    assert calls_of(calls, "answer-lost-close-noop") == [(READ, "ok", None), (CLOSE, "ok", "drop_after_apply"), (CLOSE, "ok", None)]
    # With close_missing=error the resent Close is refused; a fresh read shows the rule closed, so the Close counts as done.
    assert calls_of(calls, "answer-lost-close-error") == [
        (READ, "ok", None), (CLOSE, "ok", "drop_after_apply"), (CLOSE, "InvalidInputException", None), (READ, "ok", None)]
    assert calls_of(calls, "slow") == [(READ, "ok", None), (CLOSE, "ok", None), (OPEN, "ok", None)], "latency alone causes no retry"


# Exhausted retries. AWS_MAX_ATTEMPTS=1 turns botocore's own retries off for the task, so only the adapter's
# backoff (6 attempts) runs; the hosts run at the same time, each meeting faults on an operation of its own.
EXHAUSTED = {
    # Close tcp 22 (applied), Open tcp 22 (throttled to the end), Close tcp 3306 (not attempted). With
    # close_sources=whole_rule the first Close closes SSH entirely: the half-way state is as bad as it gets, and
    # the re-run of an absent task (which only removes sources) leaves SSH closed: the message says so.
    "exhausted-throttle": ({"state": "absent", "ports": NARROW_SSH["ports"] + CLOSE_MYSQL["ports"]}, ("throttle", OPEN), [START[1]]),
    "exhausted-5xx": (EXACT, ("server_error", PUT), [rule("tcp", 443, cidrs=[WORLD4])]),
}


def exhausted_play(admin):
    inventory = {"all": {"hosts": {name: {"ansible_connection": "local", "case_args": args} for name, (args, _fault, _expected) in EXHAUSTED.items()}}}
    module = {MODULE: {"instance_name": "{{ inventory_hostname }}", "state": "{{ case_args.state | default('present') }}",
                       "purge_ports": "{{ case_args.purge_ports | default(false) }}", "ports": "{{ case_args.ports }}"}}
    tasks = [admin.behaviour(close_sources="whole_rule", close_missing="noop")]
    tasks += [admin.fault(kind, 1000, operation) for _args, (kind, operation), _expected in EXHAUSTED.values()]
    tasks = [dict(task, run_once=True) for task in tasks]
    tasks += [
        dict(module, name="until retries run out", environment={"AWS_MAX_ATTEMPTS": "1"}, ignore_errors=True),
        dict(admin.clear(), run_once=True),
        dict(module, name="run again"),
        dict(module, name="and again"),
    ]
    return [{"name": "exhausted retries", "hosts": "all", "gather_facts": False, "tasks": tasks}], inventory


def test_exhausted_retries_say_what_was_applied_and_a_rerun_converges(ansible, lightsail_admin, tmp_path):
    for name in EXHAUSTED:
        lightsail_admin.seed_instance(name, ports=START)
    play, inventory = exhausted_play(Admin(lightsail_admin.url, tmp_path))
    run = ansible.playbook(play, inventory=inventory)
    calls = lightsail_admin.calls()

    throttled = [r for r in run.results("until retries run out") if r["_host"] == "exhausted-throttle"][0]
    assert throttled["failed"] and throttled["changed"], "one write was applied, so the task changed something"
    assert [op["operation"] for op in throttled["applied_operations"]] == [CLOSE]
    assert throttled["failed_operation"]["operation"] == OPEN and throttled["failed_operation"]["ports"][0]["from_port"] == 22
    assert [(op["operation"], op["ports"][0]["from_port"]) for op in throttled["pending_operations"]] == [(CLOSE, 3306)]
    for part in ("(ThrottlingException: Rate exceeded). Write 2 of 3 (OpenInstancePublicPorts tcp 22) was not applied",
                 "applied before it: CloseInstancePublicPorts tcp 22", "not attempted: CloseInstancePublicPorts tcp 3306",
                 "The failure is transient", "running the task again re-reads the firewall",
                 "tcp 22 may now be closed entirely", "allow %s again with state=present" % OFFICE):
        assert part in throttled["msg"], (part, throttled["msg"])
    # The firewall as read again after the failure: the Close closed SSH entirely (whole_rule), the Open was not made.
    assert as_api(throttled["ports"]) == canonical(START[1:]), throttled["ports"]
    assert calls_of(calls, "exhausted-throttle")[:8] == [(READ, "ok", None), (CLOSE, "ok", None)] + [(OPEN, "ThrottlingException", "throttle")] * 6

    failed_put = [r for r in run.results("until retries run out") if r["_host"] == "exhausted-5xx"][0]
    # The outcome of a 5xx is unknown, so the firewall is read again: it shows the Put was not made.
    assert failed_put["failed"] and not failed_put["changed"], "a fresh read shows the firewall as before"
    assert failed_put["applied_operations"] == [] and failed_put["pending_operations"] == [] and failed_put["failed_operation"]["operation"] == PUT
    assert ("Write 1 of 1 (PutInstancePublicPorts tcp 443) failed with a server error; a fresh read of the firewall shows it was not applied"
            in failed_put["msg"]), failed_put["msg"]
    assert (failed_put["error_code"], failed_put["transient"], failed_put["outcome"]) == ("ServiceException", True, "not applied")
    assert calls_of(calls, "exhausted-5xx")[:8] == [(READ, "ok", None)] + [(PUT, "ServiceException", "server_error")] * 6 + [(READ, "ok", None)]

    for name, (_args, _fault, expected) in EXHAUSTED.items():
        again = [r for r in run.results("run again") if r["_host"] == name][0]
        assert again["changed"] and as_api(again["ports"]) == canonical(expected), name
        assert stored(lightsail_admin, name) == canonical(expected), name
        third = [r for r in run.results("and again") if r["_host"] == name][0]
        assert not third["changed"] and third["operations"] == [], name
    # The re-run makes only the writes still needed: the Close that was never attempted.
    rerun = [r for r in run.results("run again") if r["_host"] == "exhausted-throttle"][0]
    assert [(op["operation"], op["ports"][0]["from_port"]) for op in rerun["operations"]] == [(CLOSE, 3306)]


def test_exhausted_dropped_connections_say_the_outcome_is_unknown(ansible, lightsail_admin):
    lightsail_admin.seed_instance("unreachable", ports=START)
    lightsail_admin.drop(1000, CLOSE)
    failed = ansible.run_module(MODULE, dict(CLOSE_MYSQL, instance_name="unreachable"))
    assert failed["failed"]
    assert "Write 1 of 1 (CloseInstancePublicPorts tcp 3306) got no answer; a fresh read of the firewall shows it was not applied" in failed["msg"]
    assert "running the task again re-reads the firewall" in failed["msg"] and not failed["changed"]
    # botocore retries a dropped connection itself (3 attempts); the adapter does not add more on top, but reads again,
    # and so does the module, for the firewall it reports.
    assert calls_of(lightsail_admin.calls(), "unreachable") == [(READ, "ok", None)] + [(CLOSE, "dropped", "drop")] * 3 + [(READ, "ok", None)] * 2
    assert as_api(failed["ports"]) == canonical(START)
    assert stored(lightsail_admin, "unreachable") == canonical(START)

    lightsail_admin.clear_faults()
    again = ansible.run_module(MODULE, dict(CLOSE_MYSQL, instance_name="unreachable"))
    assert again["changed"] and stored(lightsail_admin, "unreachable") == canonical(START[:2])


# ---- the adapter's handling of a refused Close, without Ansible -------------------------------------------------

SSH, MYSQL = RuleKey("tcp", 22, 22), RuleKey("tcp", 3306, 3306)


class RefusingClient:
    """A boto3-like client whose Close is refused the way Lightsail may refuse a Close of a rule that is not open."""

    def __init__(self, firewall, code="InvalidInputException"):
        self.firewall, self.code, self.calls = firewall, code, []

    def close_instance_public_ports(self, instanceName, portInfo):  # noqa: N803 (boto3's names)
        self.calls.append("close")
        raise ClientError({"Error": {"Code": self.code, "Message": "refused"}, "ResponseMetadata": {"HTTPStatusCode": 400}}, CLOSE)

    def open_instance_public_ports(self, instanceName, portInfo):  # noqa: N803
        self.calls.append("open")
        return {"operation": {"status": "Succeeded"}}

    def get_instance_port_states(self, instanceName):  # noqa: N803
        self.calls.append("read")
        return {"portStates": [dict(to_port_info(key, sources), state="open") for key, sources in self.firewall.items()]}


def narrowing_plan():
    current = {SSH: Sources.of([WORLD4, OFFICE]), MYSQL: Sources.of([WORLD4])}
    return plan_changes(current, {SSH: Sources.of([WORLD4]), MYSQL: Sources.empty()}, "absent")


@pytest.mark.parametrize("code", ["InvalidInputException", "OperationFailureException"])
def test_a_refused_close_of_a_rule_already_closed_counts_as_done(code):
    client = RefusingClient({SSH: Sources.of([OFFICE])}, code)  # tcp 22 narrowed, tcp 3306 gone: both Closes have taken effect
    apply_operations(FirewallApi(client), "web-1", narrowing_plan().operations)
    assert client.calls == ["close", "read", "open", "close", "read"]


def test_a_refused_close_of_a_rule_still_open_is_an_error():
    client = RefusingClient({SSH: Sources.of([WORLD4, OFFICE]), MYSQL: Sources.of([WORLD4])})
    with pytest.raises(PartialWriteError) as caught:
        apply_operations(FirewallApi(client), "web-1", narrowing_plan().operations)
    assert caught.value.applied == [] and caught.value.failed.api_call == CLOSE and len(caught.value.pending) == 2
    assert client.calls == ["close", "read"]


def test_other_refusals_of_a_close_are_not_second_guessed():
    client = RefusingClient({}, "AccessDeniedException")
    with pytest.raises(PartialWriteError):
        apply_operations(FirewallApi(client), "web-1", narrowing_plan().operations)
    assert client.calls == ["close"]


# ---- a write whose outcome is unknown is read back (issue 13, item 1) ---------------------------------------------

# Narrowing SSH is Close(0.0.0.0/0, ::/0) then Open(the office). The Close is carried out, its answer lost or
# spoiled, retries spent (AWS_MAX_ATTEMPTS=1: one dropped attempt; six 500s from the adapter's backoff). Under
# close_sources=whole_rule the rule is then closed for every source: the module must read the firewall again and
# make the Open, not stop with "changed: false".
UNKNOWN_OUTCOME = {"lost-close": ("drop_after_apply", 1), "spoiled-close": ("server_error_after_apply", 6)}


@pytest.mark.parametrize("close_sources", ["remove_named", "whole_rule"])
def test_a_narrowing_whose_close_got_no_answer_is_finished(ansible, lightsail_admin, tmp_path, close_sources):
    admin = Admin(lightsail_admin.url, tmp_path)
    tasks = [admin.behaviour(close_sources=close_sources, close_missing="noop")]
    for name, (kind, count) in UNKNOWN_OUTCOME.items():
        lightsail_admin.seed_instance(name, ports=START)
        tasks += [admin.fault(kind, count, CLOSE), ports_task(name, NARROW_SSH, environment={"AWS_MAX_ATTEMPTS": "1"})]
    run = ansible.playbook([{"name": "unknown outcomes", "hosts": "localhost", "gather_facts": False, "tasks": tasks}])
    calls = lightsail_admin.calls()

    for name, (kind, count) in UNKNOWN_OUTCOME.items():
        result = run.result(name)
        assert result["changed"] and not result.get("failed"), (name, result.get("msg"))
        assert as_api(result["ports"]) == canonical(SSH_OFFICE_ONLY) and stored(lightsail_admin, name) == canonical(SSH_OFFICE_ONLY), name
        close_result = "ok" if kind == "drop_after_apply" else "ServiceException"
        assert calls_of(calls, name) == [(READ, "ok", None)] + [(CLOSE, close_result, kind)] * count + [(READ, "ok", None), (OPEN, "ok", None)], name
    assert lightsail_admin.faults()["queue"] == []


def test_a_close_without_answer_and_no_read_back_reports_changed_and_what_to_allow_again(lightsail_service, lightsail_admin):
    """The service answers neither the Close (carried out) nor the read after it: the outcome stays unknown."""
    lightsail_admin.set_behaviour(close_sources="whole_rule")
    lightsail_admin.seed_instance("web-1", ports=START)
    current = {SSH: Sources.of([WORLD4, OFFICE], [WORLD6])}
    plan = plan_changes(current, {SSH: Sources.of([WORLD4], [WORLD6])}, "absent")
    lightsail_admin.drop_after_apply(1, CLOSE)
    lightsail_admin.drop(1, READ)
    with pytest.raises(PartialWriteError) as caught:
        apply_operations(FirewallApi(lightsail_service.client()), "web-1", plan.operations)
    error = caught.value
    assert (error.outcome, error.changed, error.transient, error.error_code) == ("unknown", True, True, None)
    assert error.applied == [] and error.failed.api_call == CLOSE and [op.api_call for op in error.pending] == [OPEN]
    for part in ("Write 1 of 2 (CloseInstancePublicPorts tcp 22) got no answer and the firewall could not be read again, so it may or may not "
                 "have been applied", "tcp 22 may now be closed entirely", "allow %s again with state=present" % OFFICE, "The failure is transient"):
        assert part in error.message, (part, error.message)
    assert [(c["operation"], c["fault"]) for c in lightsail_admin.calls()] == [(CLOSE, "drop_after_apply"), (READ, "drop")]
    assert stored(lightsail_admin, "web-1") == canonical(START[1:]), "the Close was carried out: SSH is closed entirely"


# ---- failure messages: AWS's code and message; rerun advice only for transient failures (issue 13, item 7) --------

PERMANENT = [
    ("AccessDeniedException", 400, "IAM action lightsail:CloseInstancePublicPorts"),
    ("NotFoundException", 400, "does not find the instance"),
    ("InvalidInputException", 400, "refused the request as invalid"),
    ("OperationFailureException", 400, "in the instance's current state"),
]


@pytest.mark.parametrize("code, status, hint", PERMANENT)
def test_a_permanent_refusal_names_its_code_and_promises_no_rerun(code, status, hint):
    client = RefusingClient({SSH: Sources.of([WORLD4, OFFICE]), MYSQL: Sources.of([WORLD4])}, code)  # sources still open: no second-guessing
    with pytest.raises(PartialWriteError) as caught:
        apply_operations(FirewallApi(client), "web-1", narrowing_plan().operations)
    error = caught.value
    assert (error.error_code, error.aws_message, error.transient, error.outcome, error.changed) == (code, "refused", False, "not applied", False)
    assert "Failed to close instance public ports (%s: refused). Write 1 of 3" % code in error.message, error.message
    assert "Running the task again fails the same way until the cause is fixed" in error.message and hint in error.message
    assert "transient" not in error.message and "makes only the writes still needed" not in error.message


@pytest.mark.parametrize("code, status", [("ThrottlingException", 400), ("ServiceException", 500)])
def test_a_transient_failure_advises_a_rerun(code, status):
    """Built directly: the adapter's backoff would take seconds to give up on these codes."""
    cause = AnsibleLightsailError(message="Failed to open instance public ports", exception=ClientError(
        {"Error": {"Code": code, "Message": "try later"}, "ResponseMetadata": {"HTTPStatusCode": status}}, OPEN))
    operations = narrowing_plan().operations
    error = PartialWriteError(cause, operations[:1], operations[1], operations[2:], outcome="not applied")
    assert (error.error_code, error.transient, error.changed) == (code, True, True)
    assert "Failed to open instance public ports (%s: try later). Write 2 of 3" % code in error.message, error.message
    assert "The failure is transient (throttling, a server error or a lost answer): running the task again" in error.message
