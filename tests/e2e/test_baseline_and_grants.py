"""The baseline knows grants: a live grant is temporary access (kept by an apply, not drift), an expired one is closed.

Time is set with SEED_LIGHTSAIL_NOW (for tests only), as in test_instance_access.py.
"""

from __future__ import annotations

import pytest

GRANT = "seed.lightsail.lightsail_instance_access"
FLEET = "seed.lightsail.lightsail_firewall_baseline"
OFFICE, HOME = "203.0.113.0/24", "198.51.100.7/32"
T0, T0_PLUS_10M, T0_PLUS_31M = "2026-11-29T00:00:00Z", "2026-11-29T00:10:00Z", "2026-11-29T00:31:00Z"
# What the service must hold for web-1's tcp 22, in the API's shape.
SSH_OFFICE = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": [OFFICE], "ipv6Cidrs": [], "cidrListAliases": ["lightsail-connect"]}
SSH_OFFICE_AND_HOME = dict(SSH_OFFICE, cidrs=[HOME, OFFICE])


def stored_rules(admin, name="web-1"):
    instance = next(i for i in admin.instances("us-east-1") if i["name"] == name)
    return sorted(({k: (sorted(v) if isinstance(v, list) else v) for k, v in rule.items() if k in SSH_OFFICE}
                   for rule in instance["rules"] if rule.get("accessType", "public") == "public"), key=lambda r: (r["fromPort"], r["protocol"]))


def harden(ansible, now, check=False):
    args = {"mode": "apply", "baseline": "locked_down", "admin_cidrs": [OFFICE], "instance_names": ["web-1"]}
    return ansible.run_module(FLEET, args, check=check, env={"SEED_LIGHTSAIL_NOW": now})


@pytest.fixture
def granted(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1")  # Ubuntu's defaults: 22 and 80 from everywhere
    first = harden(ansible, T0)
    assert not first.get("failed"), first.get("msg")
    result = ansible.run_module(GRANT, {"instance_name": "web-1", "grant_id": "deploy-7", "duration": "30m", "reason": "deploy 7",
                                        "sources": [HOME]}, env={"SEED_LIGHTSAIL_NOW": T0})
    assert result.get("changed") and not result.get("failed"), result.get("msg")
    return lightsail_admin


def test_an_apply_over_a_live_grant_keeps_it_and_reports_temporary_access(ansible, granted):
    granted.clear_calls()
    result = harden(ansible, T0_PLUS_10M)
    [entry] = result["instances"]
    assert not result.get("failed") and result["changed"] is False and entry["compliant"] is True and entry["extra"] == []
    assert [(g["grant_id"], g["expires_at"], g["reason"]) for g in entry["temporary_access"]] == [("deploy-7", "2026-11-29T00:30:00Z", "deploy 7")]
    assert [c["operation"] for c in granted.calls()] == ["GetInstances"]
    assert stored_rules(granted) == [SSH_OFFICE_AND_HOME]


def test_an_apply_after_expiry_closes_what_the_grant_held(ansible, granted):
    check = harden(ansible, T0_PLUS_31M, check=True)
    assert check["changed"] is True and [g["grant_id"] for g in check["instances"][0]["expired_access"]] == ["deploy-7"]
    assert stored_rules(granted) == [SSH_OFFICE_AND_HOME]
    result = harden(ansible, T0_PLUS_31M)
    assert result["changed"] is True and result["instances"][0]["temporary_access"] == []
    assert stored_rules(granted) == [SSH_OFFICE]
