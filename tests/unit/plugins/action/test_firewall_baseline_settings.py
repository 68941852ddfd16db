"""The action that checks one host's variables of the firewall_baseline role, run as ansible-core runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from unittest.mock import MagicMock

import pytest
from ansible.playbook.play_context import PlayContext

from ansible_collections.seed.lightsail.plugins.action.firewall_baseline_settings import ActionModule

HOST_VARS = {"inventory_hostname": "web-1", "ansible_play_hosts_all": ["web-1", "db-1"]}
RAW = {"profile": "web", "admin_cidrs": "203.0.113.0/24, 198.51.100.7", "instance_name": "web-1", "region": "eu-west-1"}


def run(args, task_vars):
    task = MagicMock(args=args, async_val=0, check_mode=False, diff=False)
    action = ActionModule(task, MagicMock(), PlayContext(), loader=MagicMock(), templar=MagicMock(), shared_loader_obj=None)
    return action.run(task_vars=task_vars)


def test_host_scope_from_the_plays_hosts():
    result = run({"variables": RAW, "mode": "apply"}, dict(HOST_VARS, firewall_baseline_profile="web"))
    assert not result.get("failed") and result["changed"] is False and result["scope"] == "host"
    assert result["target"]["admin_cidrs"] == ["203.0.113.0/24", "198.51.100.7/32"]
    assert (result["target"]["host"], result["target"]["instance_name"], result["select"]) == ("web-1", "web-1", {})
    assert result["run"]["mode"] == "apply" and "ansible_facts" not in result


def test_a_misspelt_variable_this_host_sees_is_named():
    result = run({"variables": RAW, "mode": "apply"}, dict(HOST_VARS, firewall_baseline_profil="web"))
    assert result["failed"] is True
    assert result["msg"] == ("firewall_baseline_profil is not a variable of seed.lightsail.firewall_baseline; "
                             "did you mean firewall_baseline_profile?")


def test_a_scope_that_contradicts_the_plays_hosts_fails():
    result = run({"variables": RAW, "scope": "fleet"}, HOST_VARS)
    assert result["failed"] is True and result["msg"].startswith("firewall_baseline_scope is fleet, but the play targets inventory hosts")


@pytest.mark.parametrize("region, failed", [("eu-west-1", False), ("eu-wset-1", True)])
def test_fleet_scope_checks_regions_against_botocore(monkeypatch, region, failed):
    monkeypatch.delenv("AWS_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    result = run({"variables": {"region": region}}, {"inventory_hostname": "localhost", "ansible_play_hosts_all": ["localhost"]})
    assert bool(result.get("failed")) is failed and (failed or result["select"]["regions"] == [region])
    if failed:
        assert "firewall_baseline_region" in result["msg"] and "eu-wset-1" in result["msg"]


def test_host_scope_does_not_import_botocore():
    # Every host runs this in a worker of its own: botocore's import and region list would cost each one.
    root = next(path for path in sys.path if os.path.isdir(os.path.join(path, "ansible_collections", "seed", "lightsail")))
    code = ("import sys, test_firewall_baseline_settings as t; t.run({'variables': t.RAW}, t.HOST_VARS); "
            "print(sorted(name for name in sys.modules if name.split('.')[0] in ('botocore', 'boto3')))")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.path.dirname(__file__)]))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def trusted(value):
    """A value as ansible-core holds one read from a playbook or inventory (2.19 renders only trusted templates)."""
    try:
        from ansible.template import trust_as_template  # pylint: disable=import-outside-toplevel
    except ImportError:  # ansible-core 2.17, 2.18: every string is a template
        return value
    return trust_as_template(value)


def run_as_role(task_vars, args=None):
    """The action as the role runs it: no arguments, the host's variables from task_vars, templated by ansible-core."""
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    from ansible.template import Templar  # pylint: disable=import-outside-toplevel

    task = MagicMock(args=args or {}, async_val=0, check_mode=False, diff=False)
    templar = Templar(loader=DataLoader(), variables=task_vars)
    action = ActionModule(task, MagicMock(), PlayContext(), loader=DataLoader(), templar=templar, shared_loader_obj=None)
    return action.run(task_vars=task_vars)


ROLE_DEFAULTS = {"firewall_baseline_mode": "audit", "firewall_baseline_scope": "auto", "firewall_baseline_profile": "",
                 "firewall_baseline_region": None, "firewall_baseline_instance_name": None, "firewall_baseline_max_concurrency": 10}


def role_host(**variables):
    return {**HOST_VARS, **ROLE_DEFAULTS, **variables}


def test_without_arguments_it_reads_and_templates_the_hosts_role_variables():
    task_vars = role_host(group_profile="web", lightsail_region="eu-west-1", lightsail_name="web-1-instance",
                          firewall_baseline_mode="apply", firewall_baseline_profile=trusted("{{ group_profile }}"),
                          firewall_baseline_admin_cidrs="203.0.113.0/24, 198.51.100.7", firewall_baseline_max_concurrency="4")
    result = run_as_role(task_vars)
    assert not result.get("failed"), result
    assert result["scope"] == "host" and result["run"]["mode"] == "apply" and result["run"]["max_concurrency"] == 4
    assert result["target"]["baseline"] == "web" and result["target"]["admin_cidrs"] == ["203.0.113.0/24", "198.51.100.7/32"]
    assert (result["target"]["region"], result["target"]["instance_name"], result["target"]["host"]) == ("eu-west-1", "web-1-instance", "web-1")


def test_without_lightsail_variables_the_instance_is_the_inventory_host():
    result = run_as_role(role_host(firewall_baseline_profile="web"))
    assert not result.get("failed"), result
    assert (result["target"]["instance_name"], result["target"]["region"]) == ("web-1", None)


def test_a_role_variable_that_does_not_template_is_named():
    result = run_as_role(role_host(firewall_baseline_profile=trusted("{{ no_such_variable }}")))
    assert result["failed"] is True and result["msg"].startswith("firewall_baseline_profile: ") and "no_such_variable" in result["msg"]


def test_the_role_variables_scope_decides_without_arguments():
    result = run_as_role(role_host(firewall_baseline_scope="fleet"))
    assert result["failed"] is True and result["msg"].startswith("firewall_baseline_scope is fleet, but the play targets inventory hosts")
