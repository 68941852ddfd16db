"""The harden playbook through ansible-runner (the engine AWX uses), credentials only in the environment.

As an AWX job template injects them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, no
module arguments. Run once as a "Check" job with "Show changes", then as a real job.
"""

from __future__ import annotations

import os
import sys

import ansible_runner
import pytest

from lightsail_service import LightsailService

TOKEN = "seed-test-session-token-0123456789"
OFFICE = "203.0.113.0/24"


@pytest.fixture
def service_with_token():
    with LightsailService(session_token=TOKEN) as service:
        yield service


def run_job(tmp_path, service, collections_dir, cmdline=""):
    env = {key: value for key, value in service.env().items() if key.startswith("AWS_")}
    env.update(
        AWS_SESSION_TOKEN=TOKEN,
        ANSIBLE_COLLECTIONS_PATH=str(collections_dir),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        PATH="%s%s%s" % (os.path.dirname(sys.executable), os.pathsep, os.environ.get("PATH", "")),
    )
    project = tmp_path / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "site.yml").write_text("- name: Harden through the collection's playbook\n  ansible.builtin.import_playbook: seed.lightsail.harden\n")
    return ansible_runner.run(
        private_data_dir=str(tmp_path),
        playbook="site.yml",
        inventory="localhost ansible_connection=local",
        envvars=env,
        extravars={"firewall_baseline_region": "us-east-1", "firewall_baseline_profile": "web", "firewall_baseline_admin_cidrs": [OFFICE]},
        cmdline=cmdline,
        quiet=True,
    )


def job_stats(runner):
    stats = [event for event in runner.events if event.get("event") == "playbook_on_stats"]
    assert len(stats) == 1
    return stats[0]["event_data"].get("artifact_data") or {}


def test_check_job_then_real_job(tmp_path, service_with_token, collections_dir):
    admin = service_with_token.admin
    admin.seed_instance("web-1")
    admin.seed_instance("db-1", extra_ports=[{"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrs": ["0.0.0.0/0"]}])

    check = run_job(tmp_path / "check", service_with_token, collections_dir, cmdline="--check --diff")
    assert check.status == "successful", check.stdout.read()
    assert admin.write_calls() == []
    check_stats = job_stats(check)["firewall_baseline"]
    assert check_stats["check_mode"] is True
    # a check job changes nothing: it says what would change
    assert (check_stats["summary"]["changed"], check_stats["summary"]["would_change"]) == (0, 2)
    assert (check_stats["changed"], check_stats["would_change"]) == ([], ["db-1", "web-1"])
    diffs = [event for event in check.events if (event.get("event_data") or {}).get("res", {}).get("diff")]
    assert diffs, "a check job with Show changes reports diffs"

    real = run_job(tmp_path / "real", service_with_token, collections_dir)
    assert real.status == "successful", real.stdout.read()
    assert {call["operation"] for call in admin.write_calls()} == {"PutInstancePublicPorts"}
    assert job_stats(real)["firewall_baseline"]["summary"]["changed"] == 2
    assert all(call["result"] == "ok" for call in admin.calls())

    for stream in (check, real):
        stream.stdout.seek(0)
        output = stream.stdout.read()
        assert TOKEN not in output and service_with_token.credentials.secret_key not in output
