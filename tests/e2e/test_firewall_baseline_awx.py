"""The firewall_baseline role as an AWX job template runs it (issue 12): ansible-runner, credentials only in the
environment, inventory hosts from the seed.lightsail.lightsail source with group_vars and host_vars, survey answers
as strings, job slices by --limit, Check jobs with Show changes, and every refusal with its message.

Expected firewalls are written out literally in the API's shape (awx_job.api_rule); the stored rules are only put in
a fixed order (awx_job.sorted_firewall) before comparing.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest

from awx_job import BATCH, FLEET, OUTCOME, SHOW, WHERE, api_rule, lightsail_source, no_secrets, run_job, sorted_firewall
from lightsail_service import LightsailService

OFFICE, VPN, OFFICE6 = "203.0.113.0/24", "198.51.100.0/24", "2001:db8:1234::/48"
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
CONNECT = "lightsail-connect"
MAIL = {"protocol": "tcp", "from_port": 25, "reason": "inbound mail relay"}
REGIONS = ["us-east-1", "eu-west-1"]
BY_ROLE_TAG = [{"key": "lightsail_tags.role", "prefix": "role"}]


@pytest.fixture
def service():
    with LightsailService(session_token="seed-test-session-token-0123456789") as started:
        yield started


@pytest.fixture
def admin(service):
    return service.admin


@pytest.fixture
def job(tmp_path, service, collections_dir):
    """job(label, playbook, **run_job options): one AWX job in its own private data dir under tmp_path/label."""
    def run(label, playbook="harden", **options):
        return run_job(tmp_path / label, service.env(), collections_dir, playbook, **options)
    return run


def firewall(admin, name, region="us-east-1"):
    return sorted_firewall(admin.rules(name, region=region))


def seed_two_regions(admin):
    """Two instances per region, tagged by role; every firewall starts as AWS leaves it or worse."""
    admin.seed_instance("web-1", blueprint="nginx", tags={"role": "web"})  # 22, 80, 443 from everyone
    admin.seed_instance("db-1", tags={"role": "db"}, extra_ports=[{"protocol": "tcp", "fromPort": 5432, "toPort": 5432, "cidrs": [WORLD4]}])
    admin.seed_instance("eu-web-1", blueprint="wordpress", region="eu-west-1", tags={"role": "web"})
    admin.seed_instance("eu-mx-1", region="eu-west-1", tags={"role": "mail"},
                        extra_ports=[{"protocol": "tcp", "fromPort": 25, "toPort": 25, "cidrs": [WORLD4], "ipv6Cidrs": [WORLD6]}])


# Per group and per host: different profiles, admin sources and exceptions.
GROUP_VARS = {
    "all": {"firewall_baseline_admin_cidrs": [OFFICE]},
    "role_web": {"firewall_baseline_profile": "web"},
    "role_db": {"firewall_baseline_profile": "locked_down", "firewall_baseline_admin_cidrs": [VPN], "firewall_baseline_keep_console_access": False},
    "role_mail": {"firewall_baseline_profile": "locked_down", "firewall_baseline_public_exceptions": [MAIL]},
}
HOST_VARS = {"eu-web-1": {"firewall_baseline_admin_ipv6_cidrs": [OFFICE6], "firewall_baseline_public_ipv6": False}}
HOSTS = {"firewall_baseline_hosts": "lightsail"}

EXPECTED = {
    ("web-1", "us-east-1"): [api_rule("tcp", 22, [OFFICE], aliases=[CONNECT]), api_rule("tcp", 80, [WORLD4], [WORLD6]),
                             api_rule("tcp", 443, [WORLD4], [WORLD6])],
    ("db-1", "us-east-1"): [api_rule("tcp", 22, [VPN])],
    ("eu-web-1", "eu-west-1"): [api_rule("tcp", 22, [OFFICE], [OFFICE6], [CONNECT]), api_rule("tcp", 80, [WORLD4]), api_rule("tcp", 443, [WORLD4])],
    ("eu-mx-1", "eu-west-1"): [api_rule("tcp", 22, [OFFICE], aliases=[CONNECT]), api_rule("tcp", 25, [WORLD4], [WORLD6])],
}


def module_reads(admin):
    """The calls after the inventory's listings: what the role's module run read and wrote."""
    return Counter(call["operation"] for call in admin.calls())


def test_host_scope_batch_over_two_regions_with_per_host_variables(job, admin, service):
    seed_two_regions(admin)
    admin.clear_calls()

    applied = job("apply", inventory=lightsail_source(REGIONS, BY_ROLE_TAG), group_vars=GROUP_VARS, host_vars=HOST_VARS, extravars=HOSTS)

    assert applied.status == "successful", applied
    for (name, region), rules in EXPECTED.items():
        assert firewall(admin, name, region) == rules, name
    assert applied.recap == {"db-1": "changed", "eu-mx-1": "changed", "eu-web-1": "changed", "web-1": "changed"}
    # One module run: the inventory lists each region once, the run lists each region once (two names each), one write per instance.
    calls = admin.calls()
    assert Counter(call["operation"] for call in calls) == Counter({"GetInstances": 4, "PutInstancePublicPorts": 4})
    assert Counter(call["region"] for call in calls if call["operation"] == "PutInstancePublicPorts") == Counter({"us-east-1": 2, "eu-west-1": 2})
    assert len(applied.results(BATCH)) == 1
    stats = applied.set_stats
    assert (stats["mode"], stats["check_mode"], sorted(stats["changed"]), stats["failed"]) == (
        "apply", False, ["db-1", "eu-mx-1", "eu-web-1", "web-1"], [])
    assert stats["profile"] == "locked_down, web"
    assert no_secrets(applied, service)
    admin.clear_calls()

    again = job("again", inventory=lightsail_source(REGIONS, BY_ROLE_TAG), group_vars=GROUP_VARS, host_vars=HOST_VARS, extravars=HOSTS)

    assert again.status == "successful", again
    assert again.recap == {"db-1": "ok", "eu-mx-1": "ok", "eu-web-1": "ok", "web-1": "ok"}
    assert admin.write_calls() == []
    assert again.set_stats["summary"]["compliant"] == 4
