# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Carrying out a write plan (_plan.py) through the firewall calls, and saying what happened when it stops part-way.

The calls come in as a parameter, ``api``: an object with ``read(instance_name)`` (the portStates, or None when
the instance does not exist), ``open(instance_name, port_info)``, ``close(instance_name, port_info)`` and
``put(instance_name, port_infos)``, each raising AnsibleLightsailError when it fails; lightsail.FirewallApi(client)
is the real one. No boto3 here: the order of the writes, the recovery after a refused Close, the fresh read after
an unknown outcome and the partial-failure message are tested against a fake.
"""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import as_completed

from ansible_collections.seed.lightsail.plugins.module_utils._errors import CLOSE_REFUSED_CODES
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._errors import aws_error_message
from ansible_collections.seed.lightsail.plugins.module_utils._errors import error_code
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_lost_answer
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_server_error
from ansible_collections.seed.lightsail.plugins.module_utils._errors import is_transient
from ansible_collections.seed.lightsail.plugins.module_utils._errors import outcome_is_unknown
from ansible_collections.seed.lightsail.plugins.module_utils._errors import permanent_error_hint
from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT
from ansible_collections.seed.lightsail.plugins.module_utils._plan import has_taken_effect
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import firewall_from_port_states
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import to_port_info
from ansible_collections.seed.lightsail.plugins.module_utils._write_outcome import firewall_after_writes

OUTCOME_NOT_APPLIED, OUTCOME_UNKNOWN, OUTCOME_APPLIED = "not applied", "unknown", "applied"


class PartialWriteError(AnsibleLightsailError):
    """A write failed after retries; says which writes were applied and which were not.

    Attributes for callers (the fleet module reports them per instance):
      applied, failed, pending  the Operations applied before the failed one, the failed one, those not attempted
      error_code, aws_message   AWS's error code and message (None and the exception's text for a lost answer)
      transient                 True for throttling, server errors and lost answers: a later run may succeed
      outcome                   "not applied", or "unknown" when the failed write may have been carried out
      changed                   True when the firewall may differ from before (a write applied or possibly applied)
    """

    def __init__(self, cause, applied, failed, pending, outcome=None):
        self.applied, self.failed, self.pending = applied, failed, pending
        self.error_code = error_code(cause.exception)
        self.aws_message = aws_error_message(cause.exception)
        self.transient = is_transient(cause.exception)
        self.outcome = outcome or (OUTCOME_UNKNOWN if outcome_is_unknown(cause.exception) else OUTCOME_NOT_APPLIED)
        self.changed = bool(applied) or self.outcome == OUTCOME_UNKNOWN
        total = len(applied) + 1 + len(pending)
        parts = ["%s (%s: %s). Write %d of %d (%s) %s" % (
            cause.message, self.error_code or "no AWS error code", self.aws_message, len(applied) + 1, total, describe_operation(failed),
            _describe_outcome(cause.exception, self.outcome))]
        parts.append("applied before it: %s" % (", ".join(describe_operation(op) for op in applied) or "none"))
        parts.append("not attempted: %s" % (", ".join(describe_operation(op) for op in pending) or "none"))
        message = "; ".join(parts) + ". " + _advice(self.error_code, self.transient, failed)
        possibly_closed = list(applied) + ([failed] if self.outcome == OUTCOME_UNKNOWN else [])
        message += "".join(_interrupted_narrowing(possibly_closed, [failed] + list(pending)))
        super(PartialWriteError, self).__init__(message=message, exception=cause.exception)


def _describe_outcome(exception, outcome):
    if is_lost_answer(exception):
        cause = "got no answer"
    elif is_server_error(exception):
        cause = "failed with a server error"
    else:
        return "was not applied"
    if outcome == OUTCOME_UNKNOWN:
        return "%s and the firewall could not be read again, so it may or may not have been applied" % cause
    return "%s; a fresh read of the firewall shows it was not applied" % cause


def _advice(code, transient, failed):
    if transient:
        return "The failure is transient (throttling, a server error or a lost answer): running the task again re-reads the firewall and " \
               "makes only the writes still needed"
    return "Running the task again fails the same way until the cause is fixed: %s" % permanent_error_hint(code, failed.api_call)


def _interrupted_narrowing(applied, not_applied):
    """Warnings for rules whose narrowing (Close the sources to drop, then Open those to keep) stopped half-way.

    ``applied`` includes a failed Close whose outcome is unknown. If Lightsail closes the whole rule on Close, the
    rule may now be closed entirely, and a task with state=absent will not reopen it: it only ever removes sources.
    """
    closed = set(key for op in applied if op.api_call == CLOSE for key, _sources in op.rules)
    for op in not_applied:
        if op.api_call != OPEN:
            continue
        for key, sources in op.rules:
            if key in closed:
                kept = sorted(sources.cidrs) + sorted(sources.ipv6_cidrs) + sorted(sources.aliases)
                yield (". %s may now be closed entirely (the Close may have been made, the Open of the sources to keep was not); a task with "
                       "state=absent does not reopen it, so allow %s again with state=present" % (key.describe(), ", ".join(kept)))


def describe_operation(operation):
    """'OpenInstancePublicPorts tcp 22' (a Put names its rule count, which may be 60)."""
    if len(operation.rules) > 3:
        return "%s (%d rules)" % (operation.api_call, len(operation.rules))
    return "%s %s" % (operation.api_call, ", ".join(key.describe() for key, _sources in operation.rules) or "(no rules)")


def apply_operation(api, instance_name, operation):
    """Make one write; a Close that Lightsail refuses counts as made when a fresh read shows it in effect."""
    infos = [to_port_info(key, sources) for key, sources in operation.rules]
    if operation.api_call == OPEN:
        return api.open(instance_name, infos[0])
    if operation.api_call == CLOSE:
        try:
            return api.close(instance_name, infos[0])
        except AnsibleLightsailError as error:
            if error_code(error.exception) in CLOSE_REFUSED_CODES and close_has_taken_effect(api, instance_name, operation):
                return None
            raise
    if operation.api_call == PUT:
        return api.put(instance_name, infos)
    raise ValueError("unknown operation %r" % (operation.api_call,))


def close_has_taken_effect(api, instance_name, operation):
    """After Lightsail refused a Close: True when a fresh read shows none of its sources still allowed.

    The refusal "this rule is not open" is what a retried Close gets when its first attempt was applied but the
    answer was lost (a dropped connection: botocore sends the call again), or when someone else closed the rule
    in between. Either way the Close wanted exactly what the firewall now is. Any other refusal leaves the
    sources in place, and the original error stands.
    """
    port_states = api.read(instance_name)
    if port_states is None:
        return False
    return has_taken_effect(firewall_from_port_states(port_states), operation)


def outcome_after_reread(api, instance_name, operation):
    """After a write whose outcome is unknown: read the firewall again and tell whether the write took effect."""
    try:
        port_states = api.read(instance_name)
    except AnsibleLightsailError:
        return OUTCOME_UNKNOWN
    if port_states is None:
        return OUTCOME_UNKNOWN
    return OUTCOME_APPLIED if has_taken_effect(firewall_from_port_states(port_states), operation) else OUTCOME_NOT_APPLIED


def apply_operations(api, instance_name, operations):
    """Apply writes in order; order matters (Close before Open), so stop at the first failure.

    A write that failed without a known outcome (a lost answer, a server error) counts as made when a fresh read
    shows it in effect; otherwise it fails the run as the others do.
    """
    for index, operation in enumerate(operations):
        try:
            apply_operation(api, instance_name, operation)
        except AnsibleLightsailError as error:
            # A write whose answer was lost may have been made: a fresh read decides, and if it was made, the
            # writes after it (the Open that completes a narrowing) are still needed.
            outcome = outcome_after_reread(api, instance_name, operation) if outcome_is_unknown(error.exception) else None
            if outcome == OUTCOME_APPLIED:
                continue
            raise PartialWriteError(error, operations[:index], operation, operations[index + 1:], outcome)


def apply_operations_concurrently(api, operations_by_instance, max_concurrency):
    """Apply each instance's writes, in order, for at most ``max_concurrency`` instances at a time.

    Returns {instance name: PartialWriteError} for the instances whose writes failed; every other
    instance's writes were all applied. ``api`` is shared by the threads (a boto3 client is thread-safe),
    and each call keeps its own retries, so a throttled call backs off without holding up the other instances.
    """
    failures = {}
    if not operations_by_instance:
        return failures
    with ThreadPoolExecutor(max_workers=max(1, min(max_concurrency, len(operations_by_instance)))) as pool:
        futures = dict((pool.submit(apply_operations, api, name, operations), name) for name, operations in operations_by_instance.items())
        for future in as_completed(futures):
            error = future.exception()
            if isinstance(error, PartialWriteError):
                failures[futures[future]] = error
            elif error is not None:
                raise error
    return failures


FIREWALL_NOT_READ_AGAIN = ("the firewall could not be read again after the failed write: ports and the diff show the firewall as found "
                           "with the writes that were applied, as if a Close removes only the sources it names, and without the failed write")


def firewall_after_failure(api, instance_name, before, error):
    """The firewall after a PartialWriteError, and whether it was read: read again; if that read fails too (or finds
    no instance), ``before`` with the writes that were applied (see FIREWALL_NOT_READ_AGAIN)."""
    try:
        port_states = api.read(instance_name)
    except AnsibleLightsailError:
        port_states = None
    if port_states is not None:
        return firewall_from_port_states(port_states), True
    return firewall_after_writes(before, error.applied), False
