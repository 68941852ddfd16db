"""The command line: starts, prints where it listens, serves, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lightsail_service import DEFAULT_CREDENTIALS, AdminClient, make_client

TESTS_DIR = Path(__file__).resolve().parents[1]


@pytest.fixture
def cli():
    """Start `python -m lightsail_service` with the given arguments; yields (process, first line as JSON)."""
    processes = []

    def start(*args: str):
        env = dict(os.environ, PYTHONPATH=str(TESTS_DIR))
        process = subprocess.Popen([sys.executable, "-m", "lightsail_service", *args], env=env,  # pylint: disable=consider-using-with
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        return process, json.loads(process.stdout.readline())

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_cli_demo_fleet(cli):
    process, info = cli("--seed", "demo", "--page-size", "3")
    assert info["url"].startswith("http://127.0.0.1:")
    assert info["access_key"] == DEFAULT_CREDENTIALS.access_key
    client = make_client(info["url"])
    names = [i["name"] for p in client.get_paginator("get_instances").paginate() for i in p["instances"]]
    assert names == ["web-1", "web-2", "win-1", "cpanel-1", "db-1"]
    db = AdminClient(info["url"]).rules("db-1")
    assert ("tcp", 3306, 3306) in [(r["protocol"], r["fromPort"], r["toPort"]) for r in db]
    assert len(AdminClient(info["url"]).instances(region="eu-west-1")) == 2
    assert len(AdminClient(info["url"]).calls("GetInstances")) == 2
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0
    assert DEFAULT_CREDENTIALS.secret_key not in out + err


def test_cli_custom_credentials_and_empty_fleet(cli):
    process, info = cli("--access-key", "AKIACLITEST000000001", "--secret-key", "cli-secret", "--session-token", "tok")
    assert info["access_key"] == "AKIACLITEST000000001"
    assert AdminClient(info["url"]).instances() == []
    process.send_signal(signal.SIGINT)
    out = process.communicate(timeout=10)[0]
    assert process.returncode == 0
    assert "cli-secret" not in out and "tok" not in out
