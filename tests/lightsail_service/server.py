"""The HTTP front of the fake: Lightsail's JSON 1.1 protocol on POST /, the admin interface under /_admin/."""

from __future__ import annotations

import functools
import json
import os
import socket
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from botocore.config import Config

from . import auth, model, operations
from .admin import AdminClient
from .auth import DEFAULT_CREDENTIALS, Credentials, SignedRequest
from .faults import FaultInjector
from .fleet import Fleet
from .model import ApiError
from .operations import WRITE_OPERATIONS, Behaviour, Request

LOOPBACK = "127.0.0.1"
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


class CallLog:
    """Every API call the service received, in order, including rejected ones."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[dict] = []
        self._seq = 0

    def record(self, operation: str | None, region: str | None, params, result: str, status: int, fault: str | None) -> dict:
        with self._lock:
            self._seq += 1
            entry = {"seq": self._seq, "operation": operation, "region": region, "params": params,
                     "result": result, "status": status, "fault": fault, "time": time.time()}
            self._calls.append(entry)
            return entry

    def list(self, operation: str | None = None) -> list[dict]:
        with self._lock:
            return [dict(c) for c in self._calls if operation in (None, c["operation"])]

    def write_calls(self) -> list[dict]:
        return [c for c in self.list() if c["operation"] in WRITE_OPERATIONS]

    def clear(self, restart: bool = False) -> None:
        with self._lock:
            self._calls.clear()
            if restart:
                self._seq = 0


class LightsailService:
    """A fake Lightsail endpoint on 127.0.0.1, served from a background thread."""

    def __init__(self, access_key: str = DEFAULT_CREDENTIALS.access_key, secret_key: str = DEFAULT_CREDENTIALS.secret_key,
                 session_token: str | None = None, page_size: int = 5, host: str = LOOPBACK, port: int = 0, **behaviour) -> None:
        if host != LOOPBACK:
            raise ValueError("the fake Lightsail service only listens on %s" % LOOPBACK)
        self.credentials = Credentials(access_key, secret_key, session_token)
        self.fleet = Fleet()
        self.faults = FaultInjector()
        self.calls = CallLog()
        self._initial_behaviour = dict(behaviour, page_size=page_size)
        self.behaviour = Behaviour()
        self.behaviour.update(**self._initial_behaviour)
        self._requested_port = port
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        return "LightsailService(url=%r, access_key=%r)" % (self.url if self._httpd else None, self.credentials.access_key)

    # ---- lifecycle ----

    def start(self) -> LightsailService:
        if self._httpd is None:
            self._httpd = _HTTPServer((LOOPBACK, self._requested_port), _Handler, self)
            self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                            name="lightsail-service", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.close_connections()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = self._thread = None

    def __enter__(self) -> LightsailService:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the service is not started")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return "http://%s:%d" % (LOOPBACK, self.port)

    endpoint_url = url

    # ---- state ----

    def reset(self) -> None:
        """Back to a fresh server: no instances, faults or calls, behaviour as constructed."""
        self.fleet.clear()
        self.faults.clear()
        self.calls.clear(restart=True)
        self.behaviour = Behaviour()
        self.behaviour.update(**self._initial_behaviour)

    def seed_instance(self, name: str, **kwargs):
        return self.fleet.seed_instance(name, **kwargs)

    def seed_fleet(self, count: int, **kwargs):
        return self.fleet.seed_fleet(count, **kwargs)

    def set_behaviour(self, **switches) -> dict:
        self.behaviour.update(**switches)
        return self.behaviour.as_dict()

    # ---- clients ----

    @property
    def admin(self) -> AdminClient:
        return AdminClient(self.url)

    def env(self, region: str = "us-east-1", base: dict | None = None) -> dict:
        """Environment for a subprocess (ansible-playbook) that should talk to this service only."""
        env = dict(os.environ if base is None else base)
        for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL",
                     "AWS_ENDPOINT_URL_LIGHTSAIL"):
            env.pop(name, None)
        env.update(
            AWS_URL=self.url,
            AWS_REGION=region,
            AWS_DEFAULT_REGION=region,
            AWS_ACCESS_KEY_ID=self.credentials.access_key,
            AWS_SECRET_ACCESS_KEY=self.credentials.secret_key,
            AWS_CONFIG_FILE=os.devnull,
            AWS_SHARED_CREDENTIALS_FILE=os.devnull,
            AWS_EC2_METADATA_DISABLED="true",
        )
        if self.credentials.session_token:
            env["AWS_SESSION_TOKEN"] = self.credentials.session_token
        return env

    def client(self, region: str = "us-east-1", max_attempts: int = 1, validate: bool = True, **credentials):
        """A boto3 Lightsail client for this service, with the service's credentials unless overridden
        (aws_access_key_id=, aws_secret_access_key=, aws_session_token=)."""
        creds = {
            "aws_access_key_id": self.credentials.access_key,
            "aws_secret_access_key": self.credentials.secret_key,
            "aws_session_token": self.credentials.session_token,
        }
        creds.update(credentials)
        return make_client(self.url, region, max_attempts, validate, **creds)


def make_client(endpoint_url: str, region: str = "us-east-1", max_attempts: int = 1, validate: bool = True, **credentials):
    """A boto3 Lightsail client for a fake at endpoint_url (DEFAULT_CREDENTIALS unless given).

    max_attempts counts attempts, so 1 means no retries. (botocore's retries={'max_attempts': n}
    counts retries: n=1 still retries once.) validate=False skips botocore's parameter checks."""
    creds = {"aws_access_key_id": DEFAULT_CREDENTIALS.access_key, "aws_secret_access_key": DEFAULT_CREDENTIALS.secret_key}
    creds.update(credentials)
    config = Config(retries={"total_max_attempts": max_attempts, "mode": "standard"}, parameter_validation=validate,
                    connect_timeout=5, read_timeout=30)
    with _BOTO_LOCK:  # a shared session loads the service model once; creating clients is not thread-safe
        return _boto_session().client("lightsail", region_name=region, endpoint_url=endpoint_url, config=config, **creds)


_BOTO_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _boto_session():
    import boto3  # pylint: disable=import-outside-toplevel  # only test clients need boto3

    return boto3.session.Session()


class _HTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its service and can cut its open connections on stop."""

    daemon_threads = True

    def __init__(self, address, handler, service: LightsailService) -> None:
        self.service = service
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    """One connection; API calls on POST /, admin calls under /_admin/."""

    protocol_version = "HTTP/1.1"
    server_version = "FakeLightsail/1.0"
    timeout = 60  # idle keep-alive connections end on their own
    disable_nagle_algorithm = True  # headers and body go out as separate writes

    @property
    def service(self) -> LightsailService:
        return self.server.service

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet: tests read the call log instead."""

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self._read_body()
        if self.path.startswith("/_admin/"):
            self._admin("POST", body)
        else:
            self._api(body)

    def do_GET(self):  # noqa: N802
        self._route_other("GET")

    def do_DELETE(self):  # noqa: N802
        self._route_other("DELETE")

    def _route_other(self, method: str) -> None:
        body = self._read_body()
        if self.path.startswith("/_admin/"):
            self._admin(method, body)
        else:
            self._send_error(ApiError("UnknownOperationException", "Only POST / is served"))

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    # ---- API ----

    def _api(self, body: bytes) -> None:
        service = self.service
        if service.faults.latency:
            time.sleep(service.faults.latency)
        call = {"operation": model.operation_name(self.headers.get("X-Amz-Target")), "region": None,
                "params": _params_for_log(body), "fault": None}
        try:
            reply = self._run(body, call)
        except ApiError as err:
            reply = err
        except Exception:  # pylint: disable=broad-exception-caught  # a bug in the fake must still answer like AWS
            traceback.print_exc(file=sys.stderr)
            reply = ApiError("ServiceException", "An internal error occurred.", 500)
        if call["fault"] == "drop":
            service.calls.record(result="dropped", status=0, **call)
        elif isinstance(reply, ApiError):
            service.calls.record(result=reply.code, status=reply.status, **call)
        else:
            service.calls.record(result="ok", status=200, **call)
        if call["fault"] in ("drop", "drop_after_apply"):
            self.close_connection = True  # no answer at all: the client sees the connection closed
        elif isinstance(reply, ApiError):
            self._send_error(reply)
        else:
            self._send_json(200, reply)

    def _run(self, body: bytes, call: dict) -> dict:
        """Authenticate, inject a queued fault, validate and run one API call; notes region and fault in `call`."""
        service = self.service
        call["region"] = auth.verify(self._signed_request(body), service.credentials)
        op_model = model.operation_model(self.headers.get("X-Amz-Target"))
        handler = operations.handler_for(call["operation"])
        fault = service.faults.take(call["operation"])
        if fault:
            call["fault"] = fault.kind
            if fault.kind == "drop":
                return {}
            error = fault.error()
            if error and not fault.kind.endswith("_after_apply"):
                raise error
        params = model.parse_body(body)
        model.validate(op_model, params)
        if fault and fault.kind == "server_error_after_apply":
            try:
                handler(Request(params, call["region"], service.fleet, service.behaviour))
            except ApiError:
                pass  # the call's own refusal is lost as well: the client sees only the server error
            raise fault.error()
        return handler(Request(params, call["region"], service.fleet, service.behaviour))

    def _signed_request(self, body: bytes) -> SignedRequest:
        headers = {k.lower(): v for k, v in self.headers.items()}
        return SignedRequest(self.command, self.path, headers, body)

    def _send_error(self, err: ApiError) -> None:
        self._send_json(err.status, err.body(), {"x-amzn-ErrorType": err.code})

    def _send_json(self, status: int, doc, headers: dict | None = None, content_type: str = JSON_CONTENT_TYPE) -> None:
        data = json.dumps(doc).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    # ---- admin ----

    def _admin(self, method: str, body: bytes) -> None:
        if not self.client_address[0].startswith("127."):
            self._send_json(403, {"error": "admin is loopback only"}, content_type="application/json")
            return
        parts = urlsplit(self.path)
        route = _ADMIN_ROUTES.get((method, parts.path.rstrip("/")))
        if route is None:
            self._send_json(404, {"error": "no admin route %s %s" % (method, parts.path)}, content_type="application/json")
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        try:
            payload = json.loads(body.decode("utf-8")) if body.strip() else {}
            status, doc = 200, route(self.service, payload, query)
        except ApiError as err:
            status, doc = (404 if err.code == "NotFoundException" else 400), {"error": err.message}
        except (ValueError, TypeError, KeyError) as exc:
            status, doc = 400, {"error": "%s: %s" % (type(exc).__name__, exc)}
        self._send_json(status, doc, content_type="application/json")


def _params_for_log(body: bytes):
    """The request body as parsed JSON for the call log, or None when it is not JSON."""
    try:
        return json.loads(body.decode("utf-8")) if body.strip() else {}
    except (UnicodeDecodeError, ValueError):
        return None


# ---- admin routes: (service, JSON payload, query) -> JSON answer ----

def _admin_reset(service: LightsailService, _payload, _query):
    service.reset()
    return {"reset": True}


def _admin_seed(service: LightsailService, payload, _query):
    seeded = [service.fleet.seed_instance(**spec) for spec in payload.get("instances", [])]
    if payload.get("fleet"):
        seeded.extend(service.fleet.seed_fleet(**payload["fleet"]))
    return {"instances": [i.name for i in seeded]}


def _admin_get_behaviour(service: LightsailService, _payload, _query):
    return service.behaviour.as_dict()


def _admin_set_behaviour(service: LightsailService, payload, _query):
    return service.set_behaviour(**payload)


def _admin_get_faults(service: LightsailService, _payload, _query):
    return service.faults.to_dict()


def _admin_add_fault(service: LightsailService, payload, _query):
    if "latency" in payload:
        service.faults.latency = payload["latency"]
    if "kind" in payload:
        service.faults.add(payload["kind"], payload.get("count", 1), payload.get("operation"))
    return service.faults.to_dict()


def _admin_clear_faults(service: LightsailService, _payload, _query):
    service.faults.clear()
    return service.faults.to_dict()


def _admin_calls(service: LightsailService, _payload, query):
    return {"calls": service.calls.list(query.get("operation"))}


def _admin_clear_calls(service: LightsailService, _payload, _query):
    service.calls.clear()
    return {"calls": []}


def _admin_instances(service: LightsailService, _payload, query):
    region = query.get("region")
    return {"instances": [i.to_dict() for i in service.fleet.all() if region in (None, i.region)]}


def _admin_get_rules(service: LightsailService, _payload, query):
    with service.fleet.lock:
        instance = service.fleet.get(query.get("region", "us-east-1"), query["name"])
        return {"rules": [r.to_dict() for r in instance.rules]}


def _admin_set_rules(service: LightsailService, payload, _query):
    instance = service.fleet.set_rules(payload.get("region", "us-east-1"), payload["name"], payload["rules"])
    return {"rules": [r.to_dict() for r in instance.rules]}


_ADMIN_ROUTES = {
    ("POST", "/_admin/reset"): _admin_reset,
    ("POST", "/_admin/seed"): _admin_seed,
    ("GET", "/_admin/behaviour"): _admin_get_behaviour,
    ("POST", "/_admin/behaviour"): _admin_set_behaviour,
    ("GET", "/_admin/faults"): _admin_get_faults,
    ("POST", "/_admin/faults"): _admin_add_fault,
    ("DELETE", "/_admin/faults"): _admin_clear_faults,
    ("GET", "/_admin/calls"): _admin_calls,
    ("DELETE", "/_admin/calls"): _admin_clear_calls,
    ("GET", "/_admin/instances"): _admin_instances,
    ("GET", "/_admin/rules"): _admin_get_rules,
    ("POST", "/_admin/rules"): _admin_set_rules,
}
