"""Client for the fake service's admin interface (JSON over HTTP under /_admin/), stdlib only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import urlencode

from .operations import WRITE_OPERATIONS


class AdminError(RuntimeError):
    """The admin interface refused a request."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__("admin request failed (%d): %s" % (status, message))
        self.status = status


class AdminClient:
    """Drive a running LightsailService (in this process or another) from tests."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        return "AdminClient(%r)" % self.url

    def _call(self, method: str, route: str, payload: dict | None = None, query: dict | None = None) -> dict:
        url = "%s/_admin/%s" % (self.url, route)
        query = {k: v for k, v in (query or {}).items() if v is not None}
        if query:
            url += "?" + urlencode(query)
        data = json.dumps(payload).encode("utf-8") if payload is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as err:
            try:
                message = json.loads(err.read().decode("utf-8")).get("error", "")
            except ValueError:
                message = err.reason
            raise AdminError(err.code, message) from None

    # ---- state ----

    def reset(self) -> None:
        """Drop every instance, fault and call; behaviour back to the server's start-up settings."""
        self._call("POST", "reset", {})

    def seed_instance(self, name: str, blueprint: str = "ubuntu_22_04", region: str = "us-east-1",
                      ip_address_type: str = "dualstack", tags: dict | list | None = None,
                      ports: list[dict] | None = None, extra_ports: list[dict] | None = None) -> str:
        """Add an instance with its blueprint's default rules (or `ports`), plus `extra_ports`."""
        spec = {"name": name, "blueprint": blueprint, "region": region, "ip_address_type": ip_address_type,
                "tags": tags, "ports": ports, "extra_ports": extra_ports}
        return self._call("POST", "seed", {"instances": [spec]})["instances"][0]

    def seed_fleet(self, count: int, region: str = "us-east-1", prefix: str = "node", blueprint: str = "ubuntu_22_04",
                   ip_address_type: str = "dualstack") -> list[str]:
        spec = {"count": count, "region": region, "prefix": prefix, "blueprint": blueprint, "ip_address_type": ip_address_type}
        return self._call("POST", "seed", {"fleet": spec})["instances"]

    def instances(self, region: str | None = None) -> list[dict]:
        """Full state dump, including every rule (public and private) as stored."""
        return self._call("GET", "instances", query={"region": region})["instances"]

    def rules(self, name: str, region: str = "us-east-1", include_private: bool = False) -> list[dict]:
        """An instance's rules, portStates-shaped, as stored (protocol `all` stays `all`)."""
        rules = self._call("GET", "rules", query={"name": name, "region": region})["rules"]
        if include_private:
            return rules
        return [{k: v for k, v in r.items() if k != "accessType"} for r in rules if r["accessType"] == "public"]

    def set_rules(self, name: str, rules: list[dict], region: str = "us-east-1") -> list[dict]:
        """Replace an instance's rules directly (not logged as a call). Add accessType 'private' for private entries."""
        return self._call("POST", "rules", {"name": name, "region": region, "rules": rules})["rules"]

    # ---- behaviour ----

    def behaviour(self) -> dict:
        return self._call("GET", "behaviour")

    def set_behaviour(self, **switches) -> dict:
        """open_existing=merge|replace, close_sources=remove_named|whole_rule, close_missing=noop|error,
        all_protocol_read=all|-1, omitted_cidrs=world|none, page_size=N."""
        return self._call("POST", "behaviour", switches)

    # ---- faults ----

    def _fault(self, kind: str, count: int, operation: str | None) -> dict:
        return self._call("POST", "faults", {"kind": kind, "count": count, "operation": operation})

    def throttle(self, n: int = 1, operation: str | None = None) -> dict:
        """The next n matching calls answer 400 ThrottlingException."""
        return self._fault("throttle", n, operation)

    def server_error(self, n: int = 1, operation: str | None = None) -> dict:
        """The next n matching calls answer 500 ServiceException."""
        return self._fault("server_error", n, operation)

    def drop(self, n: int = 1, operation: str | None = None, after_apply: bool = False) -> dict:
        """The next n matching calls get their connection closed without an answer;
        with after_apply the call is carried out first."""
        return self._fault("drop_after_apply" if after_apply else "drop", n, operation)

    def drop_after_apply(self, n: int = 1, operation: str | None = None) -> dict:
        return self.drop(n, operation, after_apply=True)

    def server_error_after_apply(self, n: int = 1, operation: str | None = None) -> dict:
        """The next n matching calls are carried out, then answer 500 ServiceException."""
        return self._fault("server_error_after_apply", n, operation)

    def latency(self, seconds: float) -> dict:
        """Delay every API call by this many seconds until cleared."""
        return self._call("POST", "faults", {"latency": seconds})

    def faults(self) -> dict:
        return self._call("GET", "faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    # ---- call log ----

    def calls(self, operation: str | None = None) -> list[dict]:
        """Every API call so far: seq, operation, region, params, result ('ok' or error code), status, fault, time."""
        return self._call("GET", "calls", query={"operation": operation})["calls"]

    def clear_calls(self) -> None:
        self._call("DELETE", "calls")

    def write_calls(self) -> list[dict]:
        """Calls to Open/Close/PutInstancePublicPorts, whatever their result."""
        return [c for c in self.calls() if c["operation"] in WRITE_OPERATIONS]
