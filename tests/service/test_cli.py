"""The command line: starts, prints where it listens (or the shell lines to use it), serves, stops on SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from lightsail_service import DEFAULT_CREDENTIALS, DEMO_REGION, AdminClient, Fleet, make_client, seed_demo

TESTS_DIR = Path(__file__).resolve().parents[1]
RECIPES = TESTS_DIR.parent / "docs" / "recipes.md"


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

    def start_env(*args: str):
        """Start with --print-env; return (process, the printed lines up to and including the last one)."""
        env = dict(os.environ, PYTHONPATH=str(TESTS_DIR))
        process = subprocess.Popen([sys.executable, "-m", "lightsail_service", "--print-env", *args], env=env,  # pylint: disable=consider-using-with
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        lines = [process.stdout.readline().rstrip("\n")]
        while not lines[-1].startswith("# The service runs until"):
            lines.append(process.stdout.readline().rstrip("\n"))
            assert lines[-1] or process.poll() is None, lines
        return process, lines

    start.env = start_env
    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_cli_demo_fleet(cli):
    process, info = cli("--seed", "demo", "--page-size", "3")
    assert info["url"].startswith("http://127.0.0.1:")
    assert info["access_key"] == DEFAULT_CREDENTIALS.access_key
    client = make_client(info["url"], region="eu-west-1")
    names = [i["name"] for p in client.get_paginator("get_instances").paginate() for i in p["instances"]]
    assert names == ["web-1", "web-2", "win-1", "cpanel-1", "db-1"]
    db = AdminClient(info["url"]).rules("db-1", region="eu-west-1")
    assert ("tcp", 3306, 3306) in [(r["protocol"], r["fromPort"], r["toPort"]) for r in db]
    assert [i["name"] for i in AdminClient(info["url"]).instances(region="us-east-1")] == ["us-web-1", "us-plesk-1"]
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


def test_cli_seeds_a_fleet(cli):
    process, info = cli("--fleet", "12", "--fleet-region", "us-east-1", "--fleet-blueprint", "debian_12")
    found = AdminClient(info["url"]).instances()
    assert [i["name"] for i in found] == ["node-%04d" % n for n in range(1, 13)]
    assert {(i["region"], i["blueprintId"]) for i in found} == {("us-east-1", "debian_12")}
    assert [(r["protocol"], r["fromPort"]) for r in found[0]["rules"]] == [("tcp", 22), ("tcp", 80)]
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)
    assert process.returncode == 0


def test_cli_refuses_a_negative_fleet():
    env = dict(os.environ, PYTHONPATH=str(TESTS_DIR))
    done = subprocess.run([sys.executable, "-m", "lightsail_service", "--fleet", "-3"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 2 and "--fleet must be 0 or more, not -3" in done.stderr


def test_cli_print_env_lines_work_in_a_shell(cli):
    """The printed lines, pasted into a shell whose own AWS settings would get in the way, point boto3 at the demo fleet."""
    process, lines = cli.env("--seed", "demo")
    assert lines[0].startswith("# The local Lightsail API at http://127.0.0.1:")
    script = "\n".join(lines + ['exec "$PYTHON" -c "$LIST"'])
    listing = (
        "import boto3, json, os\n"
        "assert not {'AWS_PROFILE', 'AWS_SESSION_TOKEN'} & set(os.environ)\n"
        "client = boto3.client('lightsail', region_name=os.environ['AWS_REGION'], endpoint_url=os.environ['AWS_URL'])\n"
        "print(json.dumps([i['name'] for i in client.get_instances()['instances']]))\n"
    )
    dirty = dict(os.environ, PYTHON=sys.executable, LIST=listing, AWS_PROFILE="someone-else", AWS_SESSION_TOKEN="stale",
                 AWS_ACCESS_KEY_ID="AKIAOTHER", AWS_SECRET_ACCESS_KEY="other", AWS_URL="http://127.0.0.1:9", AWS_REGION="ap-south-1")
    done = subprocess.run(["bash", "-c", script], env=dirty, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["web-1", "web-2", "win-1", "cpanel-1", "db-1"]
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=10)
    assert process.returncode == 0


def test_cli_print_env_does_not_print_a_chosen_secret(cli):
    process, lines = cli.env("--secret-key", "cli-secret-4711", "--session-token", "tok-4711")
    text = "\n".join(lines)
    assert "cli-secret-4711" not in text and "tok-4711" not in text
    assert "export AWS_ACCESS_KEY_ID=%s" % DEFAULT_CREDENTIALS.access_key in text
    unset = next(line for line in lines if line.startswith("unset "))
    assert "AWS_SESSION_TOKEN" not in unset.split() and "AWS_PROFILE" in unset.split()
    assert "(no instances)" in lines[0]
    process.send_signal(signal.SIGTERM)
    out = process.communicate(timeout=10)[0]
    assert "cli-secret-4711" not in out and "tok-4711" not in out


def _recipe_names_and_regions():
    """Instance names and regions that docs/recipes.md writes literally (playbooks and shell commands)."""
    names, regions = set(), set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str) and "{{" not in value:
                    if key == "instance_name":
                        names.add(value)
                    elif key in ("region", "firewall_baseline_region"):
                        regions.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    text = RECIPES.read_text()
    for code in re.findall(r"^```yaml\n(.*?)^```", text, flags=re.M | re.S):
        walk(yaml.safe_load(code))
    regions.update(re.findall(r"firewall_baseline_region=([a-z0-9-]+)", text))
    return names, regions


def test_the_demo_fleet_has_every_instance_the_recipes_name():
    """`make sandbox` serves the demo fleet so that every recipe runs as written: same region, same instance names."""
    names, regions = _recipe_names_and_regions()
    assert names >= {"web-1", "win-1"} and regions, (names, regions)
    fleet = Fleet()
    seed_demo(fleet)
    assert regions == {DEMO_REGION}
    assert names <= {i.name for i in fleet.in_region(DEMO_REGION)}
