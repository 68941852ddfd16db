"""Run the integration targets (which also run against real AWS) against the test service."""

from __future__ import annotations

from pathlib import Path

import pytest

TARGETS = Path(__file__).resolve().parents[1] / "integration" / "targets"


@pytest.mark.parametrize("behaviour", [{"open_existing": "merge", "close_sources": "remove_named"},
                                       {"open_existing": "replace", "close_sources": "whole_rule", "close_missing": "error"}],
                         ids=["merge-remove_named", "replace-whole_rule"])
def test_lightsail_instance_ports_target(ansible, lightsail_admin, behaviour):
    lightsail_admin.set_behaviour(**behaviour)
    lightsail_admin.seed_instance("target-1", blueprint="wordpress")
    before = lightsail_admin.rules("target-1")
    play = [{"name": "target", "hosts": "localhost", "gather_facts": False, "roles": ["lightsail_instance_ports"]}]
    run = ansible.playbook(play, extra_vars={"lightsail_test_instance": "target-1"}, env={"ANSIBLE_ROLES_PATH": str(TARGETS)})
    assert run.stats["localhost"]["failures"] == 0
    assert not run.result("lightsail_instance_ports : The error names the rule, the field and the value").get("failed")
    restored = lightsail_admin.rules("target-1")
    assert sorted(map(rule_key, restored)) == sorted(map(rule_key, before))


def rule_key(rule):
    return (rule["protocol"], rule["fromPort"], rule["toPort"])
