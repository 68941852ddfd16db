"""Carrying out write plans through a fake of the firewall calls (module_utils/_plan_execution.py).

The fake keeps each instance's firewall in the API's shape (what Open, Close and Put receive, what a read
returns), written out literally here, and can fail a call before or after carrying it out. Expected firewalls
are literal portStates, not computed with the collection's normalisers.
"""

from __future__ import annotations

import copy
import threading
import time
import types

import pytest
from botocore.exceptions import ClientError
from botocore.exceptions import ConnectionClosedError

from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils._plan import Operation
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import OUTCOME_NOT_APPLIED
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import OUTCOME_UNKNOWN
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import PartialWriteError
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operation
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operations
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operations_concurrently
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import FIREWALL_NOT_READ_AGAIN
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import describe_operation
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import firewall_after_failure
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources

WORLD4, WORLD6, OFFICE, HOME = "0.0.0.0/0", "::/0", "203.0.113.0/24", "198.51.100.7/32"
SSH, HTTP, MYSQL = RuleKey("tcp", 22, 22), RuleKey("tcp", 80, 80), RuleKey("tcp", 3306, 3306)
ENDPOINT = "https://lightsail.us-east-1.amazonaws.com/"
CALL_TEXT = {"read": "get instance port states", "open": "open instance public ports", "close": "close instance public ports",
             "put": "put instance public ports"}


def port(from_port, cidrs=(), ipv6=(), aliases=(), protocol="tcp", to_port=None):
    """One portStates entry, as GetInstancePortStates returns it."""
    return {"fromPort": from_port, "toPort": from_port if to_port is None else to_port, "protocol": protocol, "state": "open",
            "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6), "cidrListAliases": list(aliases)}


def refused(code, status=400):
    return ClientError({"Error": {"Code": code, "Message": "refused: %s" % code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "Call")


def lost_answer():
    return ConnectionClosedError(endpoint_url=ENDPOINT)


class Fault:
    """How the next call of one kind fails: with ``exception``, after carrying the call out when ``applied``."""

    def __init__(self, exception, applied=False):
        self.exception, self.applied = exception, applied


class FakeFirewallApi:
    """The four firewall calls over in-memory firewalls in the API's shape, with scripted faults.

    ``close_sources`` is the undocumented reading of Close with sources: remove_named removes just those,
    whole_rule closes the rule. A Close of a rule that is not open is refused with InvalidInputException.
    """

    def __init__(self, firewalls, close_sources="remove_named", faults=None, delay=0.0):
        self.firewalls = dict((name, dict(((p["protocol"], p["fromPort"], p["toPort"]), copy.deepcopy(p)) for p in ports))
                              for name, ports in firewalls.items())
        self.close_sources, self.faults, self.delay = close_sources, dict(faults or {}), delay
        self.calls, self.lock, self.in_flight, self.most_in_flight = [], threading.Lock(), 0, 0

    def state(self, name):
        return sorted(self.firewalls[name].values(), key=lambda p: (p["protocol"], p["fromPort"], p["toPort"]))

    def _call(self, kind, name, change):
        with self.lock:
            self.calls.append((kind, name))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            queue = self.faults.get((kind, name)) or self.faults.get(kind)
            fault = queue.pop(0) if queue else None
        try:
            time.sleep(self.delay)
            if fault is None or fault.applied:
                result = change(self.firewalls.get(name))
            if fault is not None:
                raise AnsibleLightsailError(message="Failed to %s" % CALL_TEXT[kind], exception=fault.exception)
            return result
        finally:
            with self.lock:
                self.in_flight -= 1

    def read(self, name):
        return self._call("read", name, lambda firewall: None if firewall is None else copy.deepcopy(list(firewall.values())))

    def open(self, name, info):
        def change(firewall):
            firewall[(info["protocol"], info["fromPort"], info["toPort"])] = dict(info, state="open")  # replaces: sources sent are complete
            return {"status": "Succeeded"}
        return self._call("open", name, change)

    def close(self, name, info):
        def change(firewall):
            key = (info["protocol"], info["fromPort"], info["toPort"])
            if key not in firewall:
                raise AnsibleLightsailError(message="Failed to close instance public ports", exception=refused("InvalidInputException"))
            rule = firewall[key]
            left = dict((member, [s for s in rule[member] if s not in info[member]]) for member in ("cidrs", "ipv6Cidrs", "cidrListAliases"))
            if self.close_sources == "whole_rule" or not any(left.values()):
                del firewall[key]
            else:
                rule.update(left)
            return {"status": "Succeeded"}
        return self._call("close", name, change)

    def put(self, name, infos):
        def change(firewall):
            firewall.clear()
            firewall.update(((i["protocol"], i["fromPort"], i["toPort"]), dict(i, state="open")) for i in infos)
            return {"status": "Succeeded"}
        return self._call("put", name, change)


START = [port(22, [WORLD4, OFFICE], [WORLD6]), port(3306, [WORLD4])]
# Narrow SSH to the office (Close the world, then Open the office) and close MySQL.
NARROWING = [
    Operation(CLOSE, ((SSH, Sources.of([WORLD4], [WORLD6])),)),
    Operation(OPEN, ((SSH, Sources.of([OFFICE])),)),
    Operation(CLOSE, ((MYSQL, Sources.of([WORLD4])),)),
]
NARROWED = [port(22, [OFFICE])]


def kinds(api, name="web-1"):
    return [kind for kind, instance in api.calls if instance == name]


class TestOrder:
    @pytest.mark.parametrize("close_sources", ["remove_named", "whole_rule"])
    def test_writes_are_made_in_plan_order_and_reach_the_plan(self, close_sources):
        api = FakeFirewallApi({"web-1": START}, close_sources)
        apply_operations(api, "web-1", NARROWING)
        assert kinds(api) == ["close", "open", "close"]
        assert api.state("web-1") == NARROWED

    def test_every_source_list_is_sent_even_when_empty(self):
        api = FakeFirewallApi({"web-1": []})
        apply_operations(api, "web-1", [Operation(OPEN, ((SSH, Sources.of([HOME])),))])
        assert api.state("web-1") == [port(22, [HOME])]

    def test_a_put_sends_every_rule_in_one_call(self):
        api = FakeFirewallApi({"web-1": START})
        apply_operations(api, "web-1", [Operation(PUT, ((SSH, Sources.of([OFFICE])), (HTTP, Sources.of([WORLD4], [WORLD6]))))])
        assert kinds(api) == ["put"] and api.state("web-1") == [port(22, [OFFICE]), port(80, [WORLD4], [WORLD6])]

    def test_nothing_to_write_makes_no_call(self):
        api = FakeFirewallApi({"web-1": START})
        apply_operations(api, "web-1", [])
        assert api.calls == []

    def test_an_unknown_call_is_a_bug_not_a_write(self):
        with pytest.raises(ValueError, match="unknown operation 'DeleteInstance'"):
            apply_operation(FakeFirewallApi({"web-1": []}), "web-1", Operation("DeleteInstance", ((SSH, Sources.of([HOME])),)))


class TestRefusedClose:
    @pytest.mark.parametrize("code", ["InvalidInputException", "OperationFailureException", "NotFoundException"])
    def test_a_refused_close_of_sources_already_gone_counts_as_made(self, code):
        # The first Close was carried out but its answer lost; the retry is refused as "not open".
        api = FakeFirewallApi({"web-1": START}, faults={"close": [Fault(refused(code), applied=True)]})
        apply_operations(api, "web-1", NARROWING)
        assert kinds(api) == ["close", "read", "open", "close"]
        assert api.state("web-1") == NARROWED

    def test_a_close_of_a_rule_someone_else_closed_counts_as_made(self):
        api = FakeFirewallApi({"web-1": [port(22, [WORLD4, OFFICE], [WORLD6])]})  # MySQL already closed by someone else
        apply_operations(api, "web-1", NARROWING)
        assert kinds(api) == ["close", "open", "close", "read"]
        assert api.state("web-1") == NARROWED

    def test_a_refused_close_whose_sources_are_still_allowed_fails(self):
        api = FakeFirewallApi({"web-1": START}, faults={"close": [Fault(refused("InvalidInputException"))]})
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", NARROWING)
        error = caught.value
        assert (error.applied, error.failed, error.pending) == ([], NARROWING[0], NARROWING[1:])
        assert (error.outcome, error.changed, error.error_code) == (OUTCOME_NOT_APPLIED, False, "InvalidInputException")
        assert kinds(api) == ["close", "read"] and api.state("web-1") == START

    def test_other_refusals_are_not_second_guessed(self):
        api = FakeFirewallApi({"web-1": [port(22, [OFFICE])]}, faults={"close": [Fault(refused("AccessDeniedException"), applied=True)]})
        with pytest.raises(PartialWriteError):
            apply_operations(api, "web-1", NARROWING)
        assert kinds(api) == ["close"]

    def test_a_refused_close_on_an_instance_gone_fails(self):
        api = FakeFirewallApi({"web-1": START}, faults={"close": [Fault(refused("NotFoundException"))]})
        del api.firewalls["web-1"]
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", NARROWING)
        assert caught.value.error_code == "NotFoundException" and kinds(api) == ["close", "read"]


class TestUnknownOutcome:
    @pytest.mark.parametrize("close_sources", ["remove_named", "whole_rule"])
    @pytest.mark.parametrize("exception", [lost_answer(), refused("ServiceException", 500)], ids=["lost answer", "server error"])
    def test_a_write_that_took_effect_counts_as_made_and_the_plan_goes_on(self, close_sources, exception):
        api = FakeFirewallApi({"web-1": START}, close_sources, faults={"close": [Fault(exception, applied=True)]})
        apply_operations(api, "web-1", NARROWING)
        assert kinds(api) == ["close", "read", "open", "close"]
        assert api.state("web-1") == NARROWED

    def test_an_open_that_took_effect_counts_as_made(self):
        api = FakeFirewallApi({"web-1": []}, faults={"open": [Fault(lost_answer(), applied=True)]})
        apply_operations(api, "web-1", [Operation(OPEN, ((SSH, Sources.of([OFFICE])),)), Operation(OPEN, ((HTTP, Sources.of([WORLD4])),))])
        assert kinds(api) == ["open", "read", "open"] and api.state("web-1") == [port(22, [OFFICE]), port(80, [WORLD4])]

    def test_a_write_that_did_not_take_effect_fails_saying_so(self):
        api = FakeFirewallApi({"web-1": START}, faults={"close": [Fault(lost_answer())]})
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", NARROWING)
        error = caught.value
        assert (error.outcome, error.changed, error.transient, error.error_code) == (OUTCOME_NOT_APPLIED, False, True, None)
        assert "Write 1 of 3 (CloseInstancePublicPorts tcp 22) got no answer; a fresh read of the firewall shows it was not applied" in error.message
        assert "may now be closed entirely" not in error.message
        assert kinds(api) == ["close", "read"] and api.state("web-1") == START

    def test_a_server_error_that_did_not_take_effect(self):
        api = FakeFirewallApi({"web-1": START}, faults={"put": [Fault(refused("ServiceException", 500))]})
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", [Operation(PUT, ((SSH, Sources.of([OFFICE])),))])
        assert "failed with a server error; a fresh read of the firewall shows it was not applied" in caught.value.message
        assert caught.value.outcome == OUTCOME_NOT_APPLIED and not caught.value.changed

    def test_when_the_read_fails_too_the_outcome_stays_unknown(self):
        api = FakeFirewallApi({"web-1": START}, "whole_rule", faults={"close": [Fault(lost_answer(), applied=True)], "read": [Fault(lost_answer())]})
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", NARROWING)
        error = caught.value
        assert (error.outcome, error.changed, error.transient) == (OUTCOME_UNKNOWN, True, True)
        assert (error.applied, error.failed, error.pending) == ([], NARROWING[0], NARROWING[1:])
        assert ("Write 1 of 3 (CloseInstancePublicPorts tcp 22) got no answer and the firewall could not be read again, so it may or may not "
                "have been applied") in error.message
        assert "tcp 22 may now be closed entirely" in error.message and "allow %s again with state=present" % OFFICE in error.message
        assert kinds(api) == ["close", "read"]

    def test_when_the_instance_is_gone_the_outcome_stays_unknown(self):
        api = FakeFirewallApi({"web-1": START}, faults={"open": [Fault(refused("ServiceException", 500))]})
        api.firewalls.pop("web-1")
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", [Operation(OPEN, ((SSH, Sources.of([OFFICE])),))])
        assert caught.value.outcome == OUTCOME_UNKNOWN and caught.value.changed


class TestPartialFailureMessage:
    def test_names_the_writes_applied_failed_and_not_attempted_and_what_to_fix(self):
        denied = refused("AccessDeniedException")
        api = FakeFirewallApi({"web-1": START}, faults={"open": [Fault(denied)]})
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", NARROWING)
        error = caught.value
        assert (error.applied, error.failed, error.pending) == (NARROWING[:1], NARROWING[1], NARROWING[2:])
        assert (error.outcome, error.changed, error.transient) == (OUTCOME_NOT_APPLIED, True, False)
        assert (error.error_code, error.aws_message) == ("AccessDeniedException", "refused: AccessDeniedException")
        assert error.message.startswith(
            "Failed to open instance public ports (AccessDeniedException: refused: AccessDeniedException). Write 2 of 3 "
            "(OpenInstancePublicPorts tcp 22) was not applied; applied before it: CloseInstancePublicPorts tcp 22; "
            "not attempted: CloseInstancePublicPorts tcp 3306. Running the task again fails the same way until the cause is fixed: "
            "the credentials are not allowed to make this call (IAM action lightsail:OpenInstancePublicPorts)"), error.message
        # The Close of the world was made and the Open of the office was not: under whole_rule SSH may be closed entirely.
        assert error.message.endswith(
            ". tcp 22 may now be closed entirely (the Close may have been made, the Open of the sources to keep was not); a task with "
            "state=absent does not reopen it, so allow %s again with state=present" % OFFICE), error.message
        assert error.exception is denied

    def test_a_transient_failure_advises_a_rerun(self):
        api = FakeFirewallApi({"web-1": START}, faults={"close": [Fault(refused("ThrottlingException"))]})
        with pytest.raises(PartialWriteError) as caught:
            apply_operations(api, "web-1", NARROWING)
        assert caught.value.transient and not caught.value.changed
        assert "applied before it: none" in caught.value.message
        assert "The failure is transient (throttling, a server error or a lost answer): running the task again re-reads" in caught.value.message

    def test_a_put_of_many_rules_is_named_by_its_count(self):
        rules = tuple((RuleKey("tcp", p, p), Sources.of([OFFICE])) for p in (22, 80, 443, 8080))
        assert describe_operation(Operation(PUT, rules)) == "PutInstancePublicPorts (4 rules)"
        assert describe_operation(Operation(PUT, rules[:3])) == "PutInstancePublicPorts tcp 22, tcp 80, tcp 443"
        assert describe_operation(Operation(PUT, ())) == "PutInstancePublicPorts (no rules)"


class TestConcurrently:
    def test_each_instance_gets_its_own_writes_in_order_and_only_failures_are_returned(self):
        api = FakeFirewallApi({"a": START, "b": START, "c": START}, faults={("open", "b"): [Fault(refused("OperationFailureException"))]})
        failures = apply_operations_concurrently(api, {"a": NARROWING, "b": NARROWING, "c": NARROWING}, 2)
        assert sorted(failures) == ["b"] and isinstance(failures["b"], PartialWriteError)
        assert failures["b"].failed == NARROWING[1] and failures["b"].error_code == "OperationFailureException"
        assert kinds(api, "a") == kinds(api, "c") == ["close", "open", "close"] and kinds(api, "b") == ["close", "open"]
        assert api.state("a") == api.state("c") == NARROWED
        assert api.state("b") == [port(22, [OFFICE]), port(3306, [WORLD4])]

    @pytest.mark.parametrize("max_concurrency, expected", [(1, 1), (2, 2), (10, 3)])
    def test_at_most_max_concurrency_instances_at_a_time(self, max_concurrency, expected):
        api = FakeFirewallApi({"a": [], "b": [], "c": []}, delay=0.3)
        writes = dict((name, [Operation(OPEN, ((SSH, Sources.of([OFFICE])),))]) for name in ("a", "b", "c"))
        assert apply_operations_concurrently(api, writes, max_concurrency) == {}
        assert api.most_in_flight == expected

    def test_no_writes_no_calls(self):
        api = FakeFirewallApi({})
        assert apply_operations_concurrently(api, {}, 4) == {} and api.calls == []

    def test_an_error_that_is_not_a_failed_write_is_raised(self):
        api = FakeFirewallApi({"a": []})
        with pytest.raises(ValueError, match="unknown operation"):
            apply_operations_concurrently(api, {"a": [Operation("Reboot", ((SSH, Sources.of([OFFICE])),))]}, 2)


class TestFirewallAfterFailure:
    """What the write modules report as ``ports`` and the diff's after when a write fails part-way."""

    def failure(self, applied):
        return types.SimpleNamespace(applied=applied)  # all the function reads of a PartialWriteError

    def test_the_firewall_read_again_wins(self):
        api = SimpleApi({"web-1": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": ["203.0.113.0/24"], "state": "open"}]})
        firewall, read_again = firewall_after_failure(api, "web-1", {}, self.failure([]))
        assert read_again is True and [(key.protocol, key.from_port) for key in firewall] == [("tcp", 22)]

    def test_when_the_read_fails_too_the_applied_writes_are_computed(self):
        api = SimpleApi({}, read_error=AnsibleLightsailError("read failed"))
        firewall, read_again = firewall_after_failure(api, "web-1", {}, self.failure([]))
        assert (firewall, read_again) == ({}, False) and "could not be read again" in FIREWALL_NOT_READ_AGAIN


class SimpleApi:
    def __init__(self, port_states, read_error=None):
        self.port_states, self.read_error = port_states, read_error

    def read(self, instance_name):
        if self.read_error:
            raise self.read_error
        return self.port_states.get(instance_name)
