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

from awx_job import BATCH, OUTCOME, SHOW, TOKEN, shown, api_rule, lightsail_source, no_secrets, run_job, sorted_firewall
from lightsail_service import LightsailService

OFFICE, VPN, OFFICE6 = "203.0.113.0/24", "198.51.100.0/24", "2001:db8:1234::/48"
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
CONNECT = "lightsail-connect"
MAIL = {"protocol": "tcp", "from_port": 25, "reason": "inbound mail relay"}
REGIONS = ["us-east-1", "eu-west-1"]
BY_ROLE_TAG = [{"key": "lightsail_tags.role", "prefix": "role"}]


@pytest.fixture
def service():
    with LightsailService(session_token=TOKEN) as started:
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


def port(protocol, from_port, cidrs=(), ipv6=(), aliases=()):
    """One rule written literally in the shape of the modules' ports (what --diff shows)."""
    return {"protocol": protocol, "from_port": from_port, "to_port": from_port, "cidrs": list(cidrs), "ipv6_cidrs": list(ipv6),
            "cidr_list_aliases": list(aliases)}


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


def static_hosts(*hosts):
    """A static inventory: (host, instance name, region) each, in the group lightsail, as the inventory source would set them."""
    return {"lightsail": {"hosts": dict((host, {"lightsail_name": name, "lightsail_region": region}) for host, name, region in hosts)}}


def test_each_host_gets_its_own_outcome_and_a_failed_write_is_reported_before_the_run_fails(job, admin, tmp_path):
    admin.seed_instance("web-1")
    admin.seed_instance("web-2", region="eu-west-1")
    admin.seed_instance("ok-1", ports=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": [OFFICE], "cidrListAliases": [CONNECT]}])
    admin.seed_instance("locked-1", ip_address_type="ipv4")
    before = dict((name, firewall(admin, name)) for name in ("ok-1", "locked-1"))
    # The first write gets no answer (and is not carried out): one of web-1 and web-2 fails, the other is written.
    admin.drop(1, operation="PutInstancePublicPorts")
    admin.clear_calls()
    report = tmp_path / "report.json"

    run = job("apply", inventory=static_hosts(("web-1", "web-1", "us-east-1"), ("web-2", "web-2", "eu-west-1"), ("ok-1", "ok-1", "us-east-1"),
                                              ("locked-1", "locked-1", "us-east-1"), ("ghost", "ghost-1", "us-east-1")),
              group_vars={"lightsail": {"firewall_baseline_profile": "locked_down", "firewall_baseline_admin_cidrs": OFFICE}},
              # admin access over IPv6 only, console off: a path in on other instances, none on this IPv4-only one (only the run can tell)
              host_vars={"locked-1": {"firewall_baseline_admin_cidrs": [], "firewall_baseline_admin_ipv6_cidrs": [OFFICE6],
                                      "firewall_baseline_keep_console_access": False}},
              extravars=dict(HOSTS, firewall_baseline_report_path=str(report)), cmdline="--diff",
              env={"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})

    assert run.status == "failed", run
    recap = run.recap
    [failed_web] = [host for host in ("web-1", "web-2") if recap[host] == "failed"]
    [written_web] = [host for host in ("web-1", "web-2") if recap[host] == "changed"]
    assert recap == {failed_web: "failed", written_web: "changed", "ok-1": "ok", "locked-1": "failed", "ghost": "failed"}
    outcomes = run.results(OUTCOME)
    assert "reachable from nowhere on an ipv4 instance" in outcomes["locked-1"]["msg"] and "nothing was written" in outcomes["locked-1"]["msg"]
    assert outcomes["ghost"]["msg"] == "no instance named ghost-1 in region us-east-1; nothing was written"
    assert "Failed to put instance public ports" in outcomes[failed_web]["msg"] and "running the task again" in outcomes[failed_web]["msg"]
    # Each host's own --diff: only the written host has one, headed with its instance (a failed write shows none).
    assert [host for host, result in outcomes.items() if result.get("diff")] == [written_web]
    assert outcomes[written_web]["diff"]["before_header"] == "%s (before)" % written_web
    region = "us-east-1" if written_web == "web-1" else "eu-west-1"
    assert firewall(admin, written_web, region) == [api_rule("tcp", 22, [OFFICE], aliases=[CONNECT])]
    assert dict((name, firewall(admin, name)) for name in before) == before
    # Each write goes to its instance's own region, also when two instances share a firewall and settings (one plan).
    assert sorted((call["params"]["instanceName"], call["region"]) for call in admin.write_calls()) == [("web-1", "us-east-1"), ("web-2", "eu-west-1")]

    # The failures were reported (table, set_stats, JSON file) before anything failed the run.
    table = shown(run)
    # The write without an answer was read again: not applied, so it is failed and not changed.
    assert table[0].startswith("Apply: 1 instance(s) changed, 3 failed")
    rows = dict((line.split()[0], line.split()) for line in table[2:-1])
    assert rows[failed_web][3:5] == ["NON-COMPLIANT", "FAILED"] and rows[written_web][3:5] == ["NON-COMPLIANT", "compliant"]
    assert rows["ok-1"][3:5] == ["compliant", "unchanged"] and rows["ghost-1"][3:5] == ["FAILED", "FAILED"]
    stats = run.set_stats
    assert sorted(stats["failed"]) == sorted(["ghost-1", "locked-1", failed_web]) and stats["changed"] == [written_web]
    saved = json.loads(report.read_text())
    assert saved["summary"]["failed"] == 3 and saved["summary"]["changed"] == 1
    [entry] = [entry for entry in saved["instances"] if entry["name"] == failed_web]
    assert entry["failed_operation"]["operation"] == "PutInstancePublicPorts" and entry["ports_after"] is None and entry["host"] == failed_web


def test_a_check_job_then_a_real_job_with_show_changes(job, admin, tmp_path):
    admin.seed_instance("web-1", blueprint="nginx")
    admin.seed_instance("db-1", extra_ports=[{"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrs": [WORLD4]}])
    admin.seed_instance("ok-1", ports=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": [OFFICE], "cidrListAliases": [CONNECT]},
                                       {"protocol": "tcp", "fromPort": 80, "toPort": 80, "cidrs": [WORLD4], "ipv6Cidrs": [WORLD6]},
                                       {"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrs": [WORLD4], "ipv6Cidrs": [WORLD6]}])
    admin.clear_calls()
    survey = dict(HOSTS, firewall_baseline_profile="web", firewall_baseline_admin_cidrs=OFFICE, firewall_baseline_report_path=str(tmp_path / "report.json"))
    options = dict(inventory=lightsail_source(["us-east-1"]), extravars=survey)

    check = job("check", cmdline="--check --diff", **options)

    assert check.status == "successful", check
    assert admin.write_calls() == []
    assert check.recap == {"db-1": "changed", "ok-1": "ok", "web-1": "changed"}
    outcomes = check.results(OUTCOME)
    assert sorted(host for host, result in outcomes.items() if result.get("diff")) == ["db-1", "web-1"]
    assert outcomes["db-1"]["diff"]["before_header"] == "db-1 (before)"
    assert outcomes["db-1"]["diff"]["before"] == ("tcp 22: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\ntcp 80: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\n"
                                                  "tcp 3306: cidrs 0.0.0.0/0\n")
    assert outcomes["db-1"]["diff"]["after"] == ("tcp 22: cidrs 203.0.113.0/24; cidr_list_aliases lightsail-connect\n"
                                                 "tcp 80: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\ntcp 443: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\n")
    assert outcomes["db-1"]["msg"] == "db-1: found non-compliant (2 missing, 2 extra, 3 violations); would be made compliant (check mode)"
    stats = check.set_stats
    assert (stats["check_mode"], stats["would_change"], stats["changed"]) == (True, ["db-1", "web-1"], [])
    assert (stats["summary"]["would_change"], stats["summary"]["changed"]) == (2, 0)
    table = shown(check)
    assert table[0] == "Check run of an apply: nothing was written; 2 instance(s) would change, profile web, us-east-1"
    rows = dict((line.split()[0], line.split()) for line in table[2:-1])
    assert rows["db-1"][3:6] == ["NON-COMPLIANT", "would", "be"] and rows["ok-1"][3:5] == ["compliant", "unchanged"]
    assert rows["db-1"][-1] != "yes" and "would change" in table[-1]
    saved = json.loads((tmp_path / "report.json").read_text())
    assert (saved["check_mode"], saved["summary"]["would_change"], saved["summary"]["changed"]) == (True, 2, 0)

    real = job("real", cmdline="--diff", **options)

    assert real.status == "successful", real
    assert sorted(call["params"]["instanceName"] for call in admin.write_calls()) == ["db-1", "web-1"]
    assert real.recap == {"db-1": "changed", "ok-1": "ok", "web-1": "changed"}
    real_outcomes = real.results(OUTCOME)
    for host in ("db-1", "web-1"):
        assert real_outcomes[host]["diff"] == outcomes[host]["diff"]
    assert real_outcomes["db-1"]["msg"] == "db-1: found non-compliant (2 missing, 2 extra, 3 violations); made compliant"
    stats = real.set_stats
    assert (stats["check_mode"], stats["changed"], stats["would_change"], stats["non_compliant"], stats["non_compliant_after"]) == (
        False, ["db-1", "web-1"], [], ["db-1", "web-1"], [])
    table = shown(real)
    assert table[0] == "Apply: 2 instance(s) changed, 0 failed, profile web, us-east-1"
    rows = dict((line.split()[0], line.split()) for line in table[2:-1])
    assert rows["db-1"][3:5] == ["NON-COMPLIANT", "compliant"] and rows["ok-1"][3:5] == ["compliant", "unchanged"]
    web = [api_rule("tcp", 22, [OFFICE], aliases=[CONNECT]), api_rule("tcp", 80, [WORLD4], [WORLD6]), api_rule("tcp", 443, [WORLD4], [WORLD6])]
    assert firewall(admin, "db-1") == firewall(admin, "web-1") == firewall(admin, "ok-1") == web


def test_two_slices_each_touch_exactly_their_hosts(job, admin):
    seed_two_regions(admin)
    admin.seed_instance("web-2", tags={"role": "web"})
    options = dict(inventory=lightsail_source(REGIONS, BY_ROLE_TAG), group_vars=GROUP_VARS, host_vars=HOST_VARS, extravars=HOSTS)
    slices = [["eu-web-1", "web-1"], ["db-1", "eu-mx-1", "web-2"]]
    region_of = {"web-1": "us-east-1", "web-2": "us-east-1", "db-1": "us-east-1", "eu-web-1": "eu-west-1", "eu-mx-1": "eu-west-1"}
    untouched = dict((name, firewall(admin, name, region_of[name])) for name in slices[1])

    for index, hosts in enumerate(slices):
        admin.clear_calls()
        run = job("slice-%d" % index, limit=",".join(hosts), **options)

        assert run.status == "successful", run
        assert run.recap == dict((host, "changed") for host in hosts)
        calls = admin.calls()
        assert sorted(call["params"]["instanceName"] for call in calls if call["operation"] == "PutInstancePublicPorts") == hosts
        # Reads by name concern only this slice's instances; listings (GetInstances) return whole regions, as accepted.
        assert set(call["params"]["instanceName"] for call in calls if call["operation"] == "GetInstance") <= set(hosts)
        assert set(call["operation"] for call in calls) <= {"GetInstances", "GetInstance", "PutInstancePublicPorts"}
        stats = run.set_stats
        assert sorted(entry for entry in stats["changed"]) == hosts and stats["summary"]["instances"] == len(hosts)
        if index == 0:
            # one host per region: one GetInstance each, no listing by the run (the two listings are the inventory's)
            assert Counter(call["operation"] for call in calls) == Counter({"GetInstances": 2, "GetInstance": 2, "PutInstancePublicPorts": 2})
            assert dict((name, firewall(admin, name, region_of[name])) for name in untouched) == untouched
    for (name, region), rules in EXPECTED.items():
        assert firewall(admin, name, region) == rules, name


TWO_CIDRS = [api_rule("tcp", 22, [VPN, OFFICE], aliases=[CONNECT]), api_rule("tcp", 80, [WORLD4], [WORLD6]), api_rule("tcp", 443, [WORLD4], [WORLD6])]
SURVEY_STRINGS = {
    # A textarea survey answer: one CIDR per line. Booleans and integers as the strings a survey gives.
    "textarea": dict(extravars={"firewall_baseline_profile": "web", "firewall_baseline_admin_cidrs": "203.0.113.0/24\n198.51.100.0/24\n",
                                "firewall_baseline_keep_console_access": "true", "firewall_baseline_fail_on_violations": "false",
                                "firewall_baseline_max_concurrency": "2"}),
    # -e key=value: everything is a string.
    "comma": dict(cmdline="-e firewall_baseline_profile=web -e firewall_baseline_admin_cidrs=203.0.113.0/24,198.51.100.0/24 "
                          "-e firewall_baseline_keep_console_access=true -e firewall_baseline_fail_on_violations=false -e firewall_baseline_max_concurrency=2"),
    "space": dict(cmdline="-e firewall_baseline_profile=web -e 'firewall_baseline_admin_cidrs=\"203.0.113.0/24 198.51.100.0/24\"' "
                          "-e keep_console_access=true -e firewall_baseline_keep_console_access=yes -e firewall_baseline_fail_on_violations=false"),
}


@pytest.mark.parametrize("scope, form", [("host", "textarea"), ("fleet", "textarea"), ("host", "comma"), ("fleet", "space")])
def test_survey_strings_in_both_scopes(job, admin, scope, form):
    admin.seed_instance("web-1", blueprint="nginx")
    admin.seed_instance("web-2", blueprint="wordpress")
    options = dict(SURVEY_STRINGS[form])
    if scope == "host":
        options["inventory"] = lightsail_source(["us-east-1"])
        if "extravars" in options:
            options["extravars"] = dict(options["extravars"], **HOSTS)
        else:
            options["cmdline"] += " -e firewall_baseline_hosts=lightsail"

    run = job("survey", **options)

    assert run.status == "successful", run
    assert firewall(admin, "web-1") == firewall(admin, "web-2") == TWO_CIDRS
    assert sorted(run.set_stats["changed"]) == ["web-1", "web-2"]
    assert run.recap == ({"web-1": "changed", "web-2": "changed"} if scope == "host" else {"localhost": "changed"})


@pytest.mark.parametrize("scope, answer, status", [("host", "false", "successful"), ("fleet", "no", "successful"), ("fleet", "yes", "failed")])
def test_survey_booleans_decide_fail_on_violations(job, admin, scope, answer, status):
    admin.seed_instance("web-1")  # SSH open to the world: a violation
    options = dict(cmdline="-e firewall_baseline_fail_on_violations=%s -e firewall_baseline_admin_cidrs=%s" % (answer, OFFICE))
    if scope == "host":
        options.update(inventory=lightsail_source(["us-east-1"]), extravars=HOSTS)

    run = job("audit", "audit", **options)

    assert run.status == status, run
    assert admin.write_calls() == []
    if status == "failed":
        assert "2 policy violations on 1 of 1 instances" in run.failure_messages()


def test_a_survey_error_names_the_role_variable(job, admin):
    admin.seed_instance("web-1")
    admin.clear_calls()
    run = job("bad", inventory=static_hosts(("web-1", "web-1", "us-east-1")),
              extravars=dict(HOSTS, firewall_baseline_profile="web", firewall_baseline_admin_cidrs="203.0.113.0/24\n198.51.100.7/24"))
    assert run.status == "failed", run
    assert "firewall_baseline_admin_cidrs[1]: '198.51.100.7/24' has host bits set; did you mean '198.51.100.0/24'?" in "\n".join(run.failure_messages())
    assert admin.calls() == []


REFUSALS = {
    "apply without a profile": dict(
        cmdline="-e firewall_baseline_admin_cidrs=%s" % OFFICE,
        message="firewall_baseline_profile: an apply needs a profile chosen explicitly"),
    "a misspelt variable": dict(
        cmdline="-e firewall_baseline_profil=web",
        message="firewall_baseline_profil is not a variable of seed.lightsail.firewall_baseline; did you mean firewall_baseline_profile?"),
    "an unknown region": dict(
        cmdline="-e firewall_baseline_profile=web -e firewall_baseline_region=us-eest-1", endpoint_from_botocore=True,
        message="unknown Lightsail region(s) 'us-eest-1'"),
    "an unknown region in a list": dict(
        cmdline="-e firewall_baseline_profile=web -e firewall_baseline_regions=us-east-1,us-eest-1", endpoint_from_botocore=True,
        message="unknown Lightsail region(s) 'us-eest-1'"),
    "fleet scope on inventory hosts": dict(
        inventory=True, cmdline="-e firewall_baseline_profile=web -e firewall_baseline_hosts=lightsail -e firewall_baseline_scope=fleet",
        message="firewall_baseline_scope is fleet, but the play targets inventory hosts (web-1)"),
    "host scope on localhost": dict(
        cmdline="-e firewall_baseline_profile=web -e firewall_baseline_scope=host",
        message="firewall_baseline_scope is host, but the play targets only the controller (localhost)"),
    "localhost and inventory hosts together": dict(
        inventory=True, cmdline="-e firewall_baseline_profile=web -e firewall_baseline_hosts=all",
        message="the play targets the controller (localhost) and inventory hosts (web-1) together"),
    "a report path in a missing directory (fleet)": dict(
        cmdline="-e firewall_baseline_profile=web -e firewall_baseline_report_path=/nonexistent-h6/report.json",
        message="firewall_baseline_report_path: '/nonexistent-h6/report.json' -> /nonexistent-h6/report.json: the directory /nonexistent-h6 does not exist"),
    "a report path in a missing directory (host)": dict(
        inventory=True, cmdline="-e firewall_baseline_profile=web -e firewall_baseline_hosts=lightsail -e firewall_baseline_report_path=/nonexistent-h6/r.json",
        message="firewall_baseline_report_path: '/nonexistent-h6/r.json' -> /nonexistent-h6/r.json: the directory /nonexistent-h6 does not exist"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_every_refusal_says_why_before_any_call(job, admin, service, case):
    admin.seed_instance("web-1", blueprint="nginx")
    admin.clear_calls()
    spec = REFUSALS[case]
    options = dict(cmdline=spec["cmdline"])
    if spec.get("inventory"):
        inventory = static_hosts(("web-1", "web-1", "us-east-1"))
        inventory["all"] = {"hosts": {"localhost": {"ansible_connection": "local"}}}
        options["inventory"] = inventory
    if spec.get("endpoint_from_botocore"):
        # No endpoint_url option (AWS_URL): the region is checked against botocore's endpoint data. Any call would go to the service.
        options["env"] = {"AWS_URL": None, "AWS_ENDPOINT_URL_LIGHTSAIL": service.url, "AWS_ENDPOINT_URL": service.url}

    run = job("refused", **options)

    assert run.status == "failed", run
    assert any(spec["message"] in message for message in run.failure_messages()), (spec["message"], run.failure_messages())
    assert admin.calls() == []


@pytest.mark.parametrize("mode, cmdline, status", [
    ("harden", "-e firewall_baseline_profile=web", "failed"),
    ("harden", "-e firewall_baseline_profile=web -e firewall_baseline_allow_empty=true", "successful"),
    ("audit", "", "successful"),
])
def test_a_run_that_selects_no_instance(job, admin, mode, cmdline, status):
    admin.seed_instance("web-1")  # in us-east-1; the run looks at eu-west-1
    run = job("empty", mode, cmdline=cmdline + " -e firewall_baseline_region=eu-west-1")
    assert run.status == status, run
    assert admin.write_calls() == []
    message = "the run selected no instance in region(s) eu-west-1"
    if status == "failed":
        assert any(message in failure for failure in run.failure_messages()), run.failure_messages()
    else:
        assert any(message in warning for warning in run.warnings()), run.warnings()
    assert run.set_stats["summary"]["instances"] == 0


def test_a_relative_report_path_resolves_against_the_directory_of_ansible_playbook(job, admin, tmp_path):
    admin.seed_instance("web-1")
    project = tmp_path / "awx-project"
    (project / "reports").mkdir(parents=True)
    run = job("relative", "audit", cmdline="-e firewall_baseline_report_path=reports/baseline.json", project_dir=project)
    assert run.status == "successful", run
    written = project / "reports" / "baseline.json"
    assert json.loads(written.read_text())["report_path"] == str(written)
    assert run.result(SHOW)["msg"][-1] == "JSON report written to %s" % written


@pytest.mark.parametrize("scope", ["host", "fleet"])
def test_the_lockout_guard_knows_the_address_type(job, admin, scope):
    admin.seed_instance("v4-1", ip_address_type="ipv4")
    admin.seed_instance("ds-1", ip_address_type="dualstack")
    before = firewall(admin, "v4-1")
    admin.clear_calls()
    ipv6_only_admin = dict(firewall_baseline_profile="locked_down", firewall_baseline_admin_ipv6_cidrs=[OFFICE6], firewall_baseline_keep_console_access=False)
    options = dict(extravars=ipv6_only_admin)
    if scope == "host":
        options.update(inventory=static_hosts(("v4-1", "v4-1", "us-east-1"), ("ds-1", "ds-1", "us-east-1")), extravars=dict(ipv6_only_admin, **HOSTS))

    run = job("lockout", **options)

    assert run.status == "failed", run
    assert firewall(admin, "v4-1") == before
    messages = "\n".join(run.failure_messages())
    assert "reachable from nowhere on an ipv4 instance" in messages and "nothing was written" in messages
    # A refusal only the module can make (it needs the instance's address type) names the role's variables (issue 12).
    assert "firewall_baseline_allow_lockout: is false" in messages and "firewall_baseline_admin_ipv6_cidrs cannot reach it" in messages
    if scope == "host":
        # the dualstack instance is reachable over IPv6: accepted and written; only the IPv4-only one is refused
        assert run.recap == {"ds-1": "changed", "v4-1": "failed"}
        assert firewall(admin, "ds-1") == [api_rule("tcp", 22, ipv6=[OFFICE6])]
        assert [call["params"]["instanceName"] for call in admin.write_calls()] == ["ds-1"]
    else:
        assert admin.write_calls() == []
