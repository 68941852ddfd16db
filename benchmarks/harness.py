"""Shared plumbing of the benchmarks: the test service in its own process, ansible-playbook runs, call counts.

Standard library plus the repo's tests/lightsail_service admin client. Everything talks to 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTS_DIR = REPO_ROOT / "tests"
BIN_DIR = Path(sys.executable).parent
sys.path.insert(0, str(TESTS_DIR))

from ansible_env import JSON_CALLBACK, ansible_environment  # noqa: E402  (tests/ is put on sys.path just above)
from lightsail_service.admin import AdminClient  # noqa: E402
from lightsail_service.auth import DEFAULT_CREDENTIALS  # noqa: E402

READ_OPERATIONS = ("GetInstance", "GetInstances", "GetInstancePortStates")
WRITE_OPERATIONS = ("OpenInstancePublicPorts", "CloseInstancePublicPorts", "PutInstancePublicPorts")
SHORT = {
    "GetInstance": "GetInstance", "GetInstances": "GetInstances", "GetInstancePortStates": "GetPortStates",
    "OpenInstancePublicPorts": "Open", "CloseInstancePublicPorts": "Close", "PutInstancePublicPorts": "Put",
}


class Service:
    """The fake Lightsail service (python -m lightsail_service) in a child process, on 127.0.0.1.

    A process of its own, so that its request threads do not share a GIL with the clients being measured.
    """

    def __init__(self, page_size: int, latency: float) -> None:
        self.page_size = page_size
        self.latency = latency
        self.process = None
        self.url = None

    def __enter__(self) -> Service:
        env = dict(os.environ, PYTHONPATH=str(TESTS_DIR))
        self.process = subprocess.Popen([sys.executable, "-m", "lightsail_service", "--page-size", str(self.page_size)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=str(REPO_ROOT))
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the test service did not start (exit code %s)" % self.process.poll())
        self.url = json.loads(line)["url"]
        self.admin = AdminClient(self.url, timeout=120)
        self.admin.latency(self.latency)
        return self

    def __exit__(self, *exc_info) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def reset(self) -> None:
        """No instances, no calls; the latency setting again."""
        self.admin.reset()
        self.admin.set_behaviour(page_size=self.page_size)
        self.admin.latency(self.latency)

    def env(self, region: str = "us-east-1") -> dict:
        """AWS_* for a client of this service only: its endpoint, its test credentials, no files, no metadata service."""
        env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "ANSIBLE_", "EC2_"))}
        env.update(
            AWS_URL=self.url, AWS_ENDPOINT_URL=self.url, AWS_REGION=region, AWS_DEFAULT_REGION=region,
            AWS_ACCESS_KEY_ID=DEFAULT_CREDENTIALS.access_key, AWS_SECRET_ACCESS_KEY=DEFAULT_CREDENTIALS.secret_key,
            AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true",
            PATH="%s%s%s" % (BIN_DIR, os.pathsep, os.environ.get("PATH", "")),
        )
        return env


def collections_root() -> str:
    """<repo>/.tmp/collections: seed.lightsail is this working tree; amazon.aws, community.aws, ansible.posix from the venv."""
    out = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "collection_tree.py"), "live"], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


# Whole-command timings use ansible-core's default stdout callback, as a person at a terminal runs them; the
# ansible.posix.json callback serialises every result again (megabytes for a fleet report), as AWX's does.
TIMING_CALLBACK = "default"


class Playbook:
    """One ansible-playbook run: its wall time, its output (parsed when the callback was ansible.posix.json)."""

    def __init__(self, completed, wall: float, callback: str = JSON_CALLBACK) -> None:
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.wall = wall
        start = self.stdout.find("{") if callback == JSON_CALLBACK else -1
        self.output = json.loads(self.stdout[start:]) if start >= 0 else None

    def host_lines(self, task_suffix: str) -> list[str]:
        """Default callback: the host result lines ("ok: [web-1 -> localhost]", ...) of the tasks whose name ends so."""
        lines, inside = [], False
        for line in self.stdout.splitlines():
            if line.startswith("TASK ["):
                inside = line[len("TASK ["):].split("]", 1)[0].endswith(task_suffix)
            elif inside and line.split(":", 1)[0] in ("ok", "changed", "failed", "fatal", "skipping"):
                lines.append(line)
        return lines

    def debug_value(self, key: str) -> str:
        """Default callback: the value of a debug task's `msg: "key=value"`."""
        found = re.search(r'"msg": "%s=([^"]*)"' % re.escape(key), self.stdout)
        if not found:
            raise AssertionError("no debug message %s=...\n%s" % (key, self.stdout[-2000:]))
        return found.group(1)

    def tasks(self):
        for play in (self.output or {}).get("plays", []):
            yield from play["tasks"]

    def task(self, name: str) -> dict:
        found = [t for t in self.tasks() if t["task"]["name"] == name]
        if len(found) != 1:
            raise AssertionError("task %r ran %d times\n%s" % (name, len(found), self.stderr[-3000:]))
        return found[0]

    def task_seconds(self, name: str) -> float:
        duration = self.task(name)["task"]["duration"]
        return _iso_seconds(duration["end"]) - _iso_seconds(duration["start"])

    def result(self, name: str) -> dict:
        hosts = self.task(name)["hosts"]
        return next(iter(hosts.values())) if hosts else {}

    def results_of(self, action: str) -> list[dict]:
        """Every host result of every task that ran this module (role task names carry the role's prefix)."""
        return [result for task in self.tasks() for result in task["hosts"].values() if result.get("action") == action]

    def check(self) -> Playbook:
        if self.rc != 0 and self.output is None:
            raise RuntimeError("ansible-playbook failed (rc=%s)\n%s\n%s" % (self.rc, self.stdout[-3000:], self.stderr[-3000:]))
        if self.rc != 0:
            failed = [(t["task"]["name"], h, r.get("msg")) for t in self.tasks() for h, r in t["hosts"].items() if r.get("failed")]
            raise RuntimeError("ansible-playbook failed (rc=%s): %s\n%s\n%s" % (self.rc, failed[:3], self.stdout[-2000:], self.stderr[-3000:]))
        return self


def _iso_seconds(value: str) -> float:
    # ansible.posix.json: "2025-01-01T10:00:00.123456Z"
    from datetime import datetime  # pylint: disable=import-outside-toplevel

    return datetime.strptime(value.rstrip("Z"), "%Y-%m-%dT%H:%M:%S.%f").timestamp()


class Ansible:
    """Runs ansible-playbook against one Service, with seed.lightsail from this working tree."""

    def __init__(self, service: Service, workdir: Path) -> None:
        self.service = service
        self.workdir = workdir
        self.collections = collections_root()
        self._count = 0

    def environment(self, callback: str = JSON_CALLBACK, forks: int = 5, extra: dict | None = None) -> dict:
        settings = dict(ANSIBLE_HOST_KEY_CHECKING="false", ANSIBLE_FORKS=str(forks), **(extra or {}))
        return ansible_environment(self.workdir, self.collections, self.service.env(), callback, settings)

    def write(self, name: str, text: str) -> Path:
        self._count += 1
        path = self.workdir / ("%03d-%s" % (self._count, name))
        path.write_text(text)
        return path

    def run(self, plays, inventory: str | Path | None = None, forks: int = 5, extra_vars: dict | None = None, args=(),
            timeout: float = 3600, env: dict | None = None, callback: str = JSON_CALLBACK) -> Playbook:
        path = plays if isinstance(plays, Path) else self.write("playbook.yml", plays if isinstance(plays, str) else json.dumps(plays, indent=1))
        command = [str(BIN_DIR / "ansible-playbook"), str(path)]
        if inventory is None:
            command += ["-i", "localhost,", "-c", "local"]
        else:
            command += ["-i", str(inventory)]
        if extra_vars:
            command += ["-e", "@%s" % self.write("vars.json", json.dumps(extra_vars))]
        command += ["-f", str(forks)] + list(args)
        started = time.monotonic()
        completed = subprocess.run(command, env=self.environment(callback=callback, forks=forks, extra=env), capture_output=True, text=True,
                                   timeout=timeout, check=False)
        return Playbook(completed, time.monotonic() - started, callback)


def count_calls(calls: list[dict]) -> Counter:
    return Counter(call["operation"] for call in calls)


def reads(counter: Counter) -> int:
    return sum(counter[op] for op in READ_OPERATIONS)


def writes(counter: Counter) -> int:
    return sum(counter[op] for op in WRITE_OPERATIONS)


def describe(counter: Counter) -> str:
    """'2 (GetPortStates 1, Open 1)'."""
    total = sum(counter.values())
    if not total:
        return "0"
    parts = ", ".join("%s %d" % (SHORT.get(op, op), counter[op]) for op in READ_OPERATIONS + WRITE_OPERATIONS if counter[op])
    return "%d (%s)" % (total, parts)


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def scratch_dir(prefix: str) -> Path:
    base = REPO_ROOT / ".tmp" / "bench"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=str(base)))


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for column in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
