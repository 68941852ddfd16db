"""The public_ip lookup: its answer check, and the plugin against a local HTTP server on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from ansible.errors import AnsibleLookupError
from ansible.plugins.loader import lookup_loader

from ansible_collections.seed.lightsail.plugins.lookup.public_ip import public_source_from_answer


@pytest.mark.parametrize("body, expected", [
    (b"52.95.110.1\n", "52.95.110.1/32"),
    (b"  8.8.8.8  ", "8.8.8.8/32"),
    (b"2600:1F18::1\n", "2600:1f18::1/128"),
])
def test_a_single_public_address_becomes_a_source(body, expected):
    assert public_source_from_answer(body, "http://x") == expected


@pytest.mark.parametrize("body, fragment", [
    (b"192.168.1.10", "private"), (b"10.0.0.1", "private"), (b"127.0.0.1", "loopback"), (b"169.254.169.254", "link-local"),
    (b"100.64.0.1", "not a global address"), (b"203.0.113.7", "private or special-purpose"), (b"224.0.0.1", "multicast"),
    (b"0.0.0.0", "unspecified"), (b"240.0.0.1", "reserved"), (b"fe80::1", "link-local"), (b"2001:db8::1", "special-purpose"),
    (b"::ffff:8.8.8.8", "reserved"), (b"::1", "loopback"),
    (b"52.95.110.1 8.8.8.8", "not a single address"), (b"", "not a single address"), (b"<html>login</html>", "not an IPv4 or IPv6 address"),
    (b"52.95.110.1/32", "not an IPv4 or IPv6 address"), (b"\xff\xfe", "not text"),
])
def test_anything_else_is_refused_naming_the_url_and_the_answer(body, fragment):
    with pytest.raises(ValueError) as excinfo:
        public_source_from_answer(body, "http://127.0.0.1:9/ip")
    assert "http://127.0.0.1:9/ip" in str(excinfo.value) and fragment in str(excinfo.value)


class _Answers(BaseHTTPRequestHandler):
    routes = {}

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        """Quiet."""

    def do_GET(self):  # noqa: N802
        status, body, delay = self.routes.get(self.path, (404, b"no such route", 0))
        time.sleep(delay)
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def address_server():
    _Answers.routes = {
        "/v4": (200, b"52.95.110.1\n", 0),
        "/v6": (200, b"2600:1f18::1\n", 0),
        "/private": (200, b"192.168.1.10\n", 0),
        "/portal": (200, b"<html>please log in</html>", 0),
        "/big": (200, b"8" * 5000, 0),
        "/error": (500, b"oops", 0),
        "/slow": (200, b"52.95.110.1", 3),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def lookup(**options):
    return lookup_loader.get("seed.lightsail.public_ip").run([], variables={}, **options)


def test_lookup_returns_the_source(address_server):
    assert lookup(url=address_server + "/v4") == ["52.95.110.1/32"]
    assert lookup(url=address_server + "/v6", timeout=5) == ["2600:1f18::1/128"]


def test_lookup_reads_the_url_from_the_environment(address_server, monkeypatch):
    monkeypatch.setenv("SEED_LIGHTSAIL_PUBLIC_IP_URL", address_server + "/v6")
    assert lookup() == ["2600:1f18::1/128"]


@pytest.mark.parametrize("path, options, fragment", [
    ("/private", {}, "not a public address"),
    ("/portal", {}, "not a single address"),
    ("/big", {}, "more than 1024 bytes"),
    ("/error", {}, "no answer from"),
    ("/slow", {"timeout": 0.5}, "within 0.5 seconds"),
    ("/v4", {"timeout": 0}, "timeout must be a positive number"),
])
def test_lookup_errors_are_clear(address_server, path, options, fragment):
    with pytest.raises(AnsibleLookupError) as excinfo:
        lookup(url=address_server + path, **options)
    assert fragment in str(excinfo.value) and "seed.lightsail.public_ip" in str(excinfo.value)


def test_lookup_takes_no_terms(address_server):
    with pytest.raises(AnsibleLookupError) as excinfo:
        lookup_loader.get("seed.lightsail.public_ip").run(["x"], variables={}, url=address_server + "/v4")
    assert "takes no terms" in str(excinfo.value)
