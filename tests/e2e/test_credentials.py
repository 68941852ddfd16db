"""Credentials as AWX and Automation Controller hand them over, wrong credentials, and secrets in output.

The test service here accepts one identity with a session token (temporary credentials, as AWX injects them).
Every output of the runs (stdout, stderr, the -vvvv text, ANSIBLE_LOG_PATH's log, results, diffs, failures) is
scanned for the secret key and the session token, including wrong ones passed as module options.
"""

from __future__ import annotations

import json

import pytest

from lightsail_service import LightsailService

PORTS = "seed.lightsail.lightsail_instance_ports"
INFO = "seed.lightsail.lightsail_instance_ports_info"
ACCESS_KEY = "AKIASEEDCREDTEST0001"
SECRET = "cred-test-secret-NEVER-PRINT-4d9c1e"
TOKEN = "cred-test-session-token-NEVER-PRINT-8b2f70"
WRONG_SECRET = "cred-test-wrong-secret-NEVER-PRINT-1a2b"
WRONG_TOKEN = "cred-test-wrong-token-NEVER-PRINT-3c4d"
SECRETS = (SECRET, TOKEN, WRONG_SECRET, WRONG_TOKEN)
OFFICE = "203.0.113.0/24"
AUTH_FAILED = "authentication failed: AWS did not accept the credentials"
SECURITY_TOKEN_WARNING = "AWS_SECURITY_TOKEN is set but not used"


@pytest.fixture
def token_service():
    with LightsailService(access_key=ACCESS_KEY, secret_key=SECRET, session_token=TOKEN) as service:
        service.seed_instance("web-1")
        yield service


def process_env(service, **overrides):
    """The service's AWS variables (only those), without the session token unless given, plus overrides."""
    env = dict(service.env(base={}), AWS_SESSION_TOKEN=None, AWS_SECURITY_TOKEN=None)
    env.update(overrides)
    return env


def add_rule(port):
    return {"instance_name": "web-1", "ports": [{"protocol": "tcp", "from_port": port, "cidrs": [OFFICE]}]}


def assert_no_secret(text, where):
    for secret in SECRETS:
        assert secret not in text, "a secret (%s...) appears in %s" % (secret[:14], where)


# name: (module, args, task environment, expected outcome)
VARIANTS = {
    "awx-session-token": (PORTS, add_rule(8001), {"AWS_SESSION_TOKEN": TOKEN}, "ok"),
    "both-token-variables": (PORTS, add_rule(8002), {"AWS_SESSION_TOKEN": TOKEN, "AWS_SECURITY_TOKEN": TOKEN}, "ok"),
    "credentials-as-options": (PORTS, dict(add_rule(8003), access_key=ACCESS_KEY, secret_key=SECRET, session_token=TOKEN), {}, "ok"),
    "security-token-only": (PORTS, add_rule(8004), {"AWS_SECURITY_TOKEN": TOKEN}, "UnrecognizedClientException"),
    "wrong-secret": (PORTS, add_rule(8005), {"AWS_SESSION_TOKEN": TOKEN, "AWS_SECRET_ACCESS_KEY": WRONG_SECRET}, "InvalidSignatureException"),
    "wrong-secret-option": (INFO, {"instance_name": "web-1", "secret_key": WRONG_SECRET}, {"AWS_SESSION_TOKEN": TOKEN}, "InvalidSignatureException"),
    "wrong-token": (PORTS, add_rule(8006), {"AWS_SESSION_TOKEN": WRONG_TOKEN}, "UnrecognizedClientException"),
    "wrong-token-option": (INFO, {"session_token": WRONG_TOKEN}, {}, "UnrecognizedClientException"),
    "no-token": (PORTS, add_rule(8007), {}, "UnrecognizedClientException"),
    "wrong-access-key": (INFO, {"instance_name": "web-1"}, {"AWS_SESSION_TOKEN": TOKEN, "AWS_ACCESS_KEY_ID": "AKIASEEDWRONGKEY0001"},
                         "UnrecognizedClientException"),
}


def test_credential_variants(ansible, token_service, tmp_path):
    tasks = []
    for name, (module, args, environment, _outcome) in VARIANTS.items():
        task = {"name": name, module: args, "ignore_errors": True}
        if environment:
            task["environment"] = environment
        tasks.append(task)
    log = tmp_path / "variants.log"
    run = ansible.playbook([{"name": "credentials", "hosts": "localhost", "gather_facts": False, "tasks": tasks}],
                           env=process_env(token_service, ANSIBLE_LOG_PATH=str(log)))

    for name, (_module, _args, _environment, outcome) in VARIANTS.items():
        result = run.result(name)
        if outcome == "ok":
            assert not result.get("failed") and result["changed"], (name, result.get("msg"))
        else:
            assert result["failed"], name
            assert AUTH_FAILED in result["msg"] and outcome in result["msg"], (name, result["msg"])
            assert "AWS_SESSION_TOKEN" in result["msg"], "the hint names the variables to check"
    warned = dict((name, any(SECURITY_TOKEN_WARNING in w for w in run.result(name).get("warnings", []))) for name in VARIANTS)
    assert [name for name, flag in warned.items() if flag] == ["security-token-only"]
    assert "set AWS_SESSION_TOKEN" in " ".join(run.result("security-token-only")["warnings"])
    assert run.result("credentials-as-options")["invocation"]["module_args"]["secret_key"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

    writes = token_service.admin.write_calls()
    assert sorted(c["params"]["portInfo"]["fromPort"] for c in writes) == [8001, 8002, 8003], "only the accepted runs wrote"
    assert_no_secret(run.stdout + run.stderr, "the playbook output")
    assert_no_secret(log.read_text(), "the Ansible log")


def verbose_play():
    return [{"name": "everything at -vvvv", "hosts": "localhost", "gather_facts": False, "module_defaults": {
        "group/seed.lightsail.lightsail": {"debug_botocore_endpoint_logs": True}}, "tasks": [
        {"name": "change with diff", PORTS: add_rule(8443)},
        {"name": "narrow with diff", PORTS: {"instance_name": "web-1", "state": "absent",
                                             "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["0.0.0.0/0"]}]}},
        {"name": "read one", INFO: {"instance_name": "web-1"}},
        {"name": "read the region", INFO: {}},
        {"name": "unknown instance", PORTS: dict(add_rule(8443), instance_name="ghost"), "ignore_errors": True},
        {"name": "wrong secret option", PORTS: dict(add_rule(8444), secret_key=WRONG_SECRET), "ignore_errors": True},
        {"name": "bad input", PORTS: {"instance_name": "web-1", "ports": [{"protocol": "tcp", "from_port": 99999, "cidrs": [OFFICE]}]},
         "ignore_errors": True},
    ]}]


def json_output(stdout):
    """The ansible.posix.json document at the end of a verbose run's stdout."""
    start = stdout.rfind('\n{\n    "custom_stats"')
    assert start >= 0, stdout[-3000:]
    return json.loads(stdout[start:])


def test_no_secret_in_any_output_at_vvvv_with_diff_and_botocore_logs(ansible, token_service, tmp_path):
    log = tmp_path / "vvvv.log"
    env = process_env(token_service, AWS_SESSION_TOKEN=TOKEN, ANSIBLE_LOG_PATH=str(log), ANSIBLE_STDOUT_CALLBACK="ansible.posix.json")
    run = ansible.playbook(verbose_play(), env=env, diff=True, verbosity=4, callback="default")
    text = run.stdout + run.stderr + log.read_text()
    assert "ESTABLISH LOCAL CONNECTION" in text, "the run was verbose"
    assert_no_secret(text, "the -vvvv output or log")

    results = dict((task["task"]["name"], task["hosts"]["localhost"]) for play in json_output(run.stdout)["plays"] for task in play["tasks"])
    assert results["change with diff"]["changed"] and "tcp 8443: " in results["change with diff"]["diff"]["after"]
    assert results["narrow with diff"]["changed"] and results["narrow with diff"]["diff"]["before"] != results["narrow with diff"]["diff"]["after"]
    # amazon.aws lists resource actions only for https:// endpoints; the key shows the botocore endpoint logs were on.
    assert all(isinstance(results[name].get("resource_actions"), list) for name in ("change with diff", "read one", "wrong secret option"))
    assert results["read the region"]["instances"]
    assert results["unknown instance"]["failed"] and "ghost" in results["unknown instance"]["msg"]
    assert results["wrong secret option"]["failed"] and AUTH_FAILED in results["wrong secret option"]["msg"]
    assert results["bad input"]["failed"] and "99999" in results["bad input"]["msg"]
    assert_no_secret(json.dumps(results), "the results")
