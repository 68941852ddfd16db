"""Fault injection: throttling, server errors, dropped connections and latency."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from .model import ApiError

# Faults that replace or follow one call. Latency is separate: it applies to every call.
# The *_after_apply kinds run the call first (its changes stay) and then lose or spoil the answer.
KINDS = ("throttle", "server_error", "drop", "drop_after_apply", "server_error_after_apply")


@dataclass
class Fault:
    """`remaining` more calls (of `operation`, or of any operation when None) get this fault."""

    kind: str
    remaining: int
    operation: str | None = None

    def matches(self, operation: str | None) -> bool:
        return self.remaining > 0 and self.operation in (None, operation)

    def error(self) -> ApiError | None:
        """The error the service answers (instead of, or for *_after_apply after, running the call), if this fault is one."""
        if self.kind == "throttle":
            return ApiError("ThrottlingException", "Rate exceeded", 400)
        if self.kind in ("server_error", "server_error_after_apply"):
            return ApiError("ServiceException", "An internal error occurred. Please try again later.", 500)
        return None

    def to_dict(self) -> dict:
        return {"kind": self.kind, "remaining": self.remaining, "operation": self.operation}


class FaultInjector:
    """Queued faults, consumed in the order they were added by the calls they match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[Fault] = []
        self._latency = 0.0

    def add(self, kind: str, count: int = 1, operation: str | None = None) -> None:
        if kind not in KINDS:
            raise ValueError("unknown fault %r (known: %s)" % (kind, ", ".join(KINDS)))
        if not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        with self._lock:
            self._queue.append(Fault(kind, count, operation))

    def throttle(self, count: int = 1, operation: str | None = None) -> None:
        self.add("throttle", count, operation)

    def server_error(self, count: int = 1, operation: str | None = None) -> None:
        self.add("server_error", count, operation)

    def drop(self, count: int = 1, operation: str | None = None, after_apply: bool = False) -> None:
        self.add("drop_after_apply" if after_apply else "drop", count, operation)

    def drop_after_apply(self, count: int = 1, operation: str | None = None) -> None:
        self.add("drop_after_apply", count, operation)

    def server_error_after_apply(self, count: int = 1, operation: str | None = None) -> None:
        self.add("server_error_after_apply", count, operation)

    @property
    def latency(self) -> float:
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("latency must not be negative")
        self._latency = float(seconds)

    def take(self, operation: str | None) -> Fault | None:
        """Consume one use of the first queued fault matching this call; a copy with remaining=1."""
        with self._lock:
            for fault in self._queue:
                if fault.matches(operation):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._queue.remove(fault)
                    return Fault(fault.kind, 1, fault.operation)
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()
            self._latency = 0.0

    def to_dict(self) -> dict:
        with self._lock:
            return {"latency": self._latency, "queue": [f.to_dict() for f in self._queue]}
