"""The firewall_baseline role and the seed.lightsail.audit / harden playbooks, end to end, in both scopes."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
import sys
from pathlib import Path

import pytest
import yaml

from firewall_shapes import as_api, canonical, rule, seed, stored

OFFICE, OFFICE6 = "203.0.113.0/24", "2001:db8:1234::/48"
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
CONNECT = "lightsail-connect"
MAIL = {"protocol": "tcp", "from_port": 25, "reason": "inbound mail relay"}
VALIDATE = ("seed.lightsail.firewall_baseline : Validating arguments against arg spec 'main'"
            " - Audit or enforce a hardened firewall baseline on Lightsail instances")
SHOW = "seed.lightsail.firewall_baseline : Show the report"
STATS = "seed.lightsail.firewall_baseline : Hand the report to AWX workflows"
OUTCOME = "seed.lightsail.firewall_baseline : Give each host its outcome"
BATCH = "seed.lightsail.firewall_baseline : Compare the instances with their baselines"
SETTINGS = "seed.lightsail.firewall_baseline : Check the role's variables"
APPLY_FLEET = BATCH
WRITTEN = "JSON report written to "


def shown(run):
    """The report's title, table and summary line as "Show the report" printed them, without the line that says where
    the JSON report was written."""
    lines = run.result(SHOW)["msg"]
    return lines[:-1] if lines[-1].startswith(WRITTEN) else lines


TABLE_HEADER = ["INSTANCE", "REGION", "PLATFORM", "FOUND", "AFTER", "MISSING", "EXTRA", "VIOLATIONS", "CHANGED", "FINDINGS"]


class Run:
    """One ansible-playbook run of a playbook named by FQCN, with the json callback."""

    def __init__(self, completed):
        self.rc, self.stdout, self.stderr = completed.returncode, completed.stdout, completed.stderr
        start = self.stdout.find("{")
        assert start >= 0, "no JSON output (rc=%s)\n%s\n%s" % (self.rc, self.stdout[-3000:], self.stderr[-3000:])
        self.output = json.loads(self.stdout[start:])

    def results(self, task_name):
        found = [dict(result, _host=host) for play in self.output["plays"] for task in play["tasks"]
                 if task["task"]["name"] == task_name for host, result in task["hosts"].items()]
        assert found, "no task %r; stderr:\n%s" % (task_name, self.stderr[-3000:])
        return found

    def result(self, task_name):
        [found] = self.results(task_name)
        return found

    def task_names(self):
        return [task["task"]["name"] for play in self.output["plays"] for task in play["tasks"]]


@pytest.fixture
def playbook(ansible, tmp_path):
    """Run seed.lightsail.<name> by its FQCN, in fleet scope (localhost) or on the hosts of the seed.lightsail.lightsail inventory.

    Host scope follows from the play's hosts (firewall_baseline_scope stays auto).
    """
    def run(name, extra_vars=None, scope="fleet", check=False, diff=False, expect_failure=False, env=None):
        extra_vars = dict(extra_vars or {})
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "seed.lightsail." + name]
        if scope == "host":
            source = tmp_path / "fleet.lightsail.yml"
            source.write_text(yaml.safe_dump({"plugin": "seed.lightsail.lightsail", "regions": ["us-east-1"]}))
            command += ["-i", str(source)]
            extra_vars.update(firewall_baseline_hosts="lightsail")
        else:
            command += ["-i", "localhost,", "-c", "local"]
        vars_file = tmp_path / ("vars-%s-%s.json" % (name, scope))
        vars_file.write_text(json.dumps(extra_vars))
        command += ["-e", "@%s" % vars_file] + (["--check"] if check else []) + (["--diff"] if diff else [])
        completed = subprocess.run(command, env=ansible.environment(env), capture_output=True, text=True, timeout=600, check=False)
        result = Run(completed)
        assert (result.rc != 0) == expect_failure, "rc=%s\n%s\n%s" % (result.rc, result.stdout[-6000:], result.stderr[-3000:])
        return result
    return run


def seed_mixed_fleet(admin):
    admin.seed_instance("web-1", blueprint="nginx")  # 22, 80, 443 from everyone
    admin.seed_instance("win-1", blueprint="windows_server_2022")  # 22, 80, 3389 from everyone
    seed(admin, "db-1", [rule("tcp", 22, cidrs=[OFFICE]), rule("tcp", 5432, cidrs=[WORLD4]), rule("all", 0, 65535, ipv6=[WORLD6])])
    seed(admin, "mx-1", [rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT]), rule("tcp", 25, cidrs=[WORLD4], ipv6=[WORLD6])])


BASELINE = {"firewall_baseline_profile": "locked_down", "firewall_baseline_admin_cidrs": [OFFICE], "firewall_baseline_public_exceptions": [MAIL]}


def report_vars(tmp_path, label):
    return {"firewall_baseline_report_path": str(tmp_path / ("report-%s.json" % label))}


def read_report(tmp_path, label):
    return json.loads((tmp_path / ("report-%s.json" % label)).read_text())


def same_report(report):
    """A report without what differs between the scopes by design: the file it was written to and each entry's host."""
    return dict(report, report_path=None, instances=[dict(entry, host=None) for entry in report["instances"]])


def rows(table):
    """The table's rows by instance name, split into cells (FINDINGS spans the rest)."""
    return dict((line.split()[0], line.split()) for line in table[2:-1])


def test_both_scopes_audit_to_the_same_report_and_write_nothing(playbook, lightsail_admin, tmp_path):
    seed_mixed_fleet(lightsail_admin)
    before = dict((name, stored(lightsail_admin, name)) for name in ("web-1", "win-1", "db-1", "mx-1"))
    lightsail_admin.clear_calls()

    fleet = playbook("audit", dict(BASELINE, **report_vars(tmp_path, "fleet")))
    host = playbook("audit", dict(BASELINE, **report_vars(tmp_path, "host")), scope="host")

    assert lightsail_admin.write_calls() == []
    # fleet: one listing; host: the inventory's listing, then one listing by the one module run for all four hosts
    assert Counter(c["operation"] for c in lightsail_admin.calls()) == Counter({"GetInstances": 3})
    assert dict((name, stored(lightsail_admin, name)) for name in before) == before
    fleet_report, host_report = read_report(tmp_path, "fleet"), read_report(tmp_path, "host")
    assert same_report(fleet_report) == same_report(host_report)
    assert [entry["host"] for entry in host_report["instances"]] == ["db-1", "mx-1", "web-1", "win-1"]
    assert host_report["report_path"] == str(tmp_path / "report-host.json")
    entries = dict((entry["name"], entry) for entry in fleet_report["instances"])
    assert [name for name in sorted(entries) if entries[name]["compliant"]] == ["mx-1"]
    assert [f["message"] for f in entries["db-1"]["violations"]] == ["every port (all traffic) open to ::/0", "PostgreSQL (tcp 5432) open to 0.0.0.0/0"]
    assert sorted(set(f["service"] for f in entries["win-1"]["violations"])) == ["RDP", "SSH"]
    assert entries["win-1"]["platform"] == "WINDOWS" and as_api(entries["win-1"]["missing"]) == canonical([
        rule("tcp", 25, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 3389, cidrs=[OFFICE], aliases=[CONNECT])])
    assert [f["exception_reason"] for f in entries["mx-1"]["excepted"]] == [MAIL["reason"]] * 2
    assert fleet_report["summary"] == {"instances": 4, "compliant": 1, "non_compliant": 3, "drifted": 3, "with_violations": 3, "violations": 8,
                                       "excepted": 2, "changed": 0, "failed": 0, "would_change": 0, "compliant_after": 1}
    assert (fleet_report["mode"], fleet_report["profile"], fleet_report["check_mode"]) == ("audit", "locked_down", False)

    for run, scope in ((fleet, "fleet"), (host, "host")):
        assert run.result(SHOW)["msg"][-1] == WRITTEN + str(tmp_path / ("report-%s.json" % scope))
        table = shown(run)
        assert table[0] == "Audit (read only), profile locked_down, us-east-1"
        assert table[1].split() == TABLE_HEADER
        assert [line.split()[0] for line in table[2:-1]] == ["db-1", "mx-1", "web-1", "win-1"]
        # an audit has no AFTER: the firewall is as found
        assert [cells[3:5] for cells in rows(table).values()] == [["NON-COMPLIANT", "-"], ["compliant", "-"], ["NON-COMPLIANT", "-"], ["NON-COMPLIANT", "-"]]
        assert table[-1].startswith("4 instances as found: 1 compliant, 3 non-compliant")
        stats = run.result(STATS)["ansible_stats"]["data"]["firewall_baseline"]
        assert stats["summary"] == fleet_report["summary"] and stats["with_violations"] == ["db-1", "web-1", "win-1"]
    # every host has its own outcome: ok (an audit changes nothing)
    assert sorted((r["_host"], r["changed"], r.get("failed", False)) for r in host.results(OUTCOME)) == [
        ("db-1", False, False), ("mx-1", False, False), ("web-1", False, False), ("win-1", False, False)]


def test_check_mode_writes_nothing_and_both_scopes_report_what_would_change(playbook, lightsail_admin, tmp_path):
    seed_mixed_fleet(lightsail_admin)
    lightsail_admin.clear_calls()

    fleet = playbook("harden", dict(BASELINE, **report_vars(tmp_path, "fleet")), check=True, diff=True)
    host = playbook("harden", dict(BASELINE, **report_vars(tmp_path, "host")), scope="host", check=True, diff=True)

    assert lightsail_admin.write_calls() == []
    assert Counter(c["operation"] for c in lightsail_admin.calls()) == Counter({"GetInstances": 3})
    fleet_report, host_report = read_report(tmp_path, "fleet"), read_report(tmp_path, "host")
    assert same_report(fleet_report) == same_report(host_report) and fleet_report["check_mode"] is True
    assert (fleet_report["summary"]["would_change"], fleet_report["summary"]["changed"]) == (3, 0)
    assert [entry["name"] for entry in fleet_report["instances"] if entry["changed"]] == ["db-1", "web-1", "win-1"]
    web = [entry for entry in fleet_report["instances"] if entry["name"] == "web-1"][0]
    assert as_api(web["ports_after"]) == canonical([rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT]), rule("tcp", 25, cidrs=[WORLD4], ipv6=[WORLD6])])
    assert [op["operation"] for op in web["operations"]] == ["PutInstancePublicPorts"]

    fleet_diff = fleet.result(APPLY_FLEET)["diff"]
    assert [d["before_header"] for d in fleet_diff] == ["db-1 (before)", "web-1 (before)", "win-1 (before)"]
    # host scope: the one batch run shows no diff of its own; each host shows its own, the same as the fleet run's
    assert "diff" not in host.result(BATCH)
    host_diffs = dict((r["_host"], r.get("diff")) for r in host.results(OUTCOME))
    assert host_diffs["mx-1"] is None
    for d in fleet_diff:
        name = d["before_header"].split()[0]
        assert (host_diffs[name]["before"], host_diffs[name]["after"]) == (d["before"], d["after"])
    assert host_diffs["web-1"] == {
        "before_header": "web-1 (before)", "after_header": "web-1 (after)",
        "before": "tcp 22: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\ntcp 80: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\ntcp 443: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\n",
        "after": "tcp 22: cidrs 203.0.113.0/24; cidr_list_aliases lightsail-connect\ntcp 25: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\n"}
    assert sorted(r["_host"] for r in host.results(OUTCOME) if r["changed"]) == ["db-1", "web-1", "win-1"]
    table = shown(host)
    assert table == shown(fleet)
    assert table[0] == "Check run of an apply: nothing was written; 3 instance(s) would change, profile locked_down, us-east-1"
    assert rows(table)["web-1"][3:9] == ["NON-COMPLIANT", "would", "be", "compliant", "2", "3"] and rows(table)["web-1"][10] == "would"
    assert rows(table)["mx-1"][3:5] == ["compliant", "unchanged"]
    assert table[-1].endswith("3 would change, 0 failed")


def test_apply_per_host_then_audit_the_fleet(playbook, lightsail_admin, tmp_path):
    seed_mixed_fleet(lightsail_admin)
    web = {"firewall_baseline_profile": "web", "firewall_baseline_admin_cidrs": [OFFICE], "firewall_baseline_admin_ipv6_cidrs": [OFFICE6]}

    lightsail_admin.clear_calls()
    applied = playbook("harden", dict(web, **report_vars(tmp_path, "apply")), scope="host")

    # the inventory's listing, one listing by the one module run for all four hosts, one write per instance
    assert Counter(c["operation"] for c in lightsail_admin.calls()) == Counter({"GetInstances": 2, "PutInstancePublicPorts": 4})
    assert len(applied.results(BATCH)) == 1
    assert sorted(r["_host"] for r in applied.results(OUTCOME) if r["changed"]) == ["db-1", "mx-1", "web-1", "win-1"]
    expected_linux = [rule("tcp", 22, cidrs=[OFFICE], ipv6=[OFFICE6], aliases=[CONNECT]), rule("tcp", 80, cidrs=[WORLD4], ipv6=[WORLD6]),
                      rule("tcp", 443, cidrs=[WORLD4], ipv6=[WORLD6])]
    assert stored(lightsail_admin, "web-1") == stored(lightsail_admin, "mx-1") == canonical(expected_linux)
    assert stored(lightsail_admin, "win-1") == canonical(expected_linux[1:] + [rule("tcp", 3389, cidrs=[OFFICE], ipv6=[OFFICE6], aliases=[CONNECT])])
    # literally, in the API's shape
    assert lightsail_admin.rules("win-1") == [
        {"fromPort": 80, "toPort": 80, "protocol": "tcp", "state": "open", "cidrs": [WORLD4], "ipv6Cidrs": [WORLD6], "cidrListAliases": []},
        {"fromPort": 443, "toPort": 443, "protocol": "tcp", "state": "open", "cidrs": [WORLD4], "ipv6Cidrs": [WORLD6], "cidrListAliases": []},
        {"fromPort": 3389, "toPort": 3389, "protocol": "tcp", "state": "open", "cidrs": [OFFICE], "ipv6Cidrs": [OFFICE6], "cidrListAliases": [CONNECT]}]
    report = read_report(tmp_path, "apply")
    assert (report["summary"]["changed"], report["summary"]["compliant"], report["summary"]["compliant_after"]) == (4, 0, 4)
    table = shown(applied)
    assert table[0] == "Apply: 4 instance(s) changed, 0 failed, profile web, us-east-1"
    # as found and after the run, separately
    assert [cells[3:5] for cells in rows(table).values()] == [["NON-COMPLIANT", "compliant"]] * 4
    lightsail_admin.clear_calls()

    audit = playbook("audit", dict(web, firewall_baseline_fail_on_violations=True, **report_vars(tmp_path, "audit")))

    report = read_report(tmp_path, "audit")
    assert report["summary"]["compliant"] == 4 and report["summary"]["violations"] == 0
    assert lightsail_admin.write_calls() == [] and [c["operation"] for c in lightsail_admin.calls()] == ["GetInstances"]
    assert shown(audit)[-1].startswith("4 instances as found: 4 compliant")


def test_list_based_fleet_run_touches_only_the_named_instances(playbook, lightsail_admin, tmp_path):
    seed_mixed_fleet(lightsail_admin)
    untouched = stored(lightsail_admin, "db-1")

    playbook("harden", {"firewall_baseline_profile": "console_only", "firewall_baseline_instance_names": ["web-1", "win-1"]})

    assert stored(lightsail_admin, "web-1") == [rule("tcp", 22, aliases=[CONNECT])]
    assert stored(lightsail_admin, "win-1") == [rule("tcp", 3389, aliases=[CONNECT])]
    assert stored(lightsail_admin, "db-1") == untouched
    assert sorted(c["params"]["instanceName"] for c in lightsail_admin.write_calls()) == ["web-1", "win-1"]


LOCKOUT = ("firewall_baseline_allow_lockout: is false, and the locked_down baseline leaves tcp 22, the admin port of LINUX_UNIX instances, reachable "
           "from nowhere on a dualstack instance: set firewall_baseline_admin_cidrs or firewall_baseline_admin_ipv6_cidrs, keep "
           "firewall_baseline_keep_console_access true, or set firewall_baseline_allow_lockout to true if you mean it (and likewise on WINDOWS "
           "instances, whatever their address type; nothing was read or written)")


@pytest.mark.parametrize("scope", ["fleet", "host"])
def test_the_lockout_guard_refuses_before_any_call_naming_the_role_variables(playbook, lightsail_admin, scope):
    seed_mixed_fleet(lightsail_admin)
    lightsail_admin.clear_calls()
    run = playbook("harden", {"firewall_baseline_profile": "locked_down", "firewall_baseline_keep_console_access": False}, scope=scope,
                   expect_failure=True)
    refused = run.results(SETTINGS)
    assert sorted(r["_host"] for r in refused if LOCKOUT in r["msg"]) == (["localhost"] if scope == "fleet" else ["db-1", "mx-1", "web-1", "win-1"])
    # no instance can pass, whatever its platform and address type: refused before the module run (host scope: the inventory's listing only)
    assert [c["operation"] for c in lightsail_admin.calls()] == ([] if scope == "fleet" else ["GetInstances"])


@pytest.mark.parametrize("scope", ["fleet", "host"])
def test_an_exception_opens_its_port_and_excuses_it(playbook, lightsail_admin, tmp_path, scope):
    seed(lightsail_admin, "mx-1", [rule("tcp", 22, cidrs=[WORLD4])])
    playbook("harden", dict(BASELINE, **report_vars(tmp_path, "apply")), scope=scope)
    assert stored(lightsail_admin, "mx-1") == canonical([rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT]), rule("tcp", 25, cidrs=[WORLD4], ipv6=[WORLD6])])
    [entry] = read_report(tmp_path, "apply")["instances"]
    assert [f["message"] for f in entry["violations"]] == ["SSH (tcp 22) open to 0.0.0.0/0"] and entry["excepted"] == []

    playbook("audit", dict(BASELINE, firewall_baseline_fail_on_violations=True, **report_vars(tmp_path, "audit")), scope=scope)
    [entry] = read_report(tmp_path, "audit")["instances"]
    assert entry["compliant"] and [(f["service"], f["exception_reason"]) for f in entry["excepted"]] == [("SMTP", MAIL["reason"])] * 2


@pytest.mark.parametrize("extra_vars, task, message", [
    ({"firewall_baseline_public_exceptions": [{"protocol": "tcp", "from_port": 25}]}, VALIDATE, "missing required arguments: reason"),
    ({"firewall_baseline_extra_rules": [{"from_port": 22, "cidrs": [OFFICE]}]}, VALIDATE, "missing required arguments: protocol"),
    ({"firewall_baseline_max_concurrency": "many"}, VALIDATE, "firewall_baseline_max_concurrency"),
    ({"firewall_baseline_mode": "enforce"}, VALIDATE, "value of firewall_baseline_mode must be one of"),
    ({"firewall_baseline_scope": "everything"}, VALIDATE, "value of firewall_baseline_scope must be one of"),
    ({"firewall_baseline_profile": "paranoid"}, SETTINGS, "firewall_baseline_profile: 'paranoid' is not one of locked_down"),
    ({"firewall_baseline_admn_cidrs": [OFFICE]}, SETTINGS,
     "firewall_baseline_admn_cidrs is not a variable of seed.lightsail.firewall_baseline; did you mean firewall_baseline_admin_cidrs?"),
    ({"firewall_baseline_keep_console_access": "maybe"}, VALIDATE, "firewall_baseline_keep_console_access"),
])
def test_bad_variables_fail_before_any_call(ansible, lightsail_admin, tmp_path, extra_vars, task, message):
    lightsail_admin.seed_instance("web-1")
    lightsail_admin.clear_calls()
    play = [{"name": "baseline", "hosts": "localhost", "gather_facts": False,
             "roles": [{"role": "seed.lightsail.firewall_baseline", "vars": extra_vars}]}]
    run = ansible.playbook(play, expect_failure=True)
    result = run.result(task)
    assert result["failed"] and message in result["msg"], result["msg"]
    assert lightsail_admin.calls() == []


def test_a_bad_cidr_fails_per_host_before_any_call_naming_the_variable(playbook, lightsail_admin):
    lightsail_admin.seed_instance("web-1")
    lightsail_admin.clear_calls()
    run = playbook("audit", {"firewall_baseline_admin_cidrs": ["203.0.113.7/24"]}, scope="host", expect_failure=True)
    assert "firewall_baseline_admin_cidrs[0]: '203.0.113.7/24' has host bits set; did you mean '203.0.113.0/24'?" in run.result(SETTINGS)["msg"]
    assert [c["operation"] for c in lightsail_admin.calls()] == ["GetInstances"]  # the inventory's listing only


@pytest.mark.parametrize("scope, failed_hosts", [("fleet", ["localhost"]), ("host", ["web-1"])])
def test_fail_on_violations_fails_after_writing_the_report(playbook, lightsail_admin, tmp_path, scope, failed_hosts):
    lightsail_admin.seed_instance("web-1")
    seed(lightsail_admin, "ok-1", [rule("tcp", 22, cidrs=[OFFICE], aliases=[CONNECT])])
    run = playbook("audit", dict(firewall_baseline_admin_cidrs=[OFFICE], firewall_baseline_fail_on_violations=True, **report_vars(tmp_path, scope)),
                   scope=scope, expect_failure=True)
    assert read_report(tmp_path, scope)["summary"]["violations"] == 2
    failed = sorted(host for host, stats in run.output["stats"].items() if stats["failures"])
    assert failed == failed_hosts


@pytest.mark.parametrize("name, mode", [("audit", "apply"), ("harden", "audit")])
def test_each_playbook_keeps_to_its_mode(playbook, lightsail_admin, name, mode):
    lightsail_admin.seed_instance("web-1")
    lightsail_admin.clear_calls()
    run = playbook(name, {"firewall_baseline_mode": mode, "firewall_baseline_admin_cidrs": [OFFICE]}, expect_failure=True)
    assert "seed.lightsail.audit" in run.stdout and lightsail_admin.calls() == []


@pytest.mark.parametrize("scope", ["fleet", "host"])
def test_a_failed_write_is_reported_and_fails_only_its_host(playbook, lightsail_admin, tmp_path, scope):
    for name in ("web-1", "web-2", "web-3"):
        lightsail_admin.seed_instance(name)
    lightsail_admin.drop(1, operation="PutInstancePublicPorts")

    run = playbook("harden", dict(firewall_baseline_profile="locked_down", firewall_baseline_admin_cidrs=[OFFICE], **report_vars(tmp_path, scope)),
                   scope=scope, expect_failure=True, env={"AWS_MAX_ATTEMPTS": "1", "AWS_RETRY_MODE": "standard"})

    report = read_report(tmp_path, scope)
    [failed] = [entry for entry in report["instances"] if entry["failed"]]
    assert failed["error"] and failed["failed_operation"]["operation"] == "PutInstancePublicPorts" and failed["ports_after"] is None
    assert report["summary"]["failed"] == 1 and report["summary"]["changed"] == 2
    stats = run.result(STATS)["ansible_stats"]["data"]["firewall_baseline"]
    assert stats["failed"] == [failed["name"]] and len(stats["changed"]) == 2
    assert rows(shown(run))[failed["name"]][3:5] == ["NON-COMPLIANT", "FAILED"]
    failed_hosts = sorted(host for host, stats in run.output["stats"].items() if stats["failures"])
    assert failed_hosts == ([failed["name"]] if scope == "host" else ["localhost"])


@pytest.mark.parametrize("how", ["roles", "include_role public"])
def test_the_report_is_there_for_the_tasks_after_the_role(ansible, lightsail_admin, how):
    seed_mixed_fleet(lightsail_admin)
    role_vars = dict(BASELINE, firewall_baseline_mode="audit")
    play = {"name": "audit", "hosts": "localhost", "gather_facts": False}
    if how == "roles":
        play.update(vars=role_vars, roles=["seed.lightsail.firewall_baseline"], tasks=[])
    else:
        play["tasks"] = [{"name": "audit", "ansible.builtin.include_role": {"name": "seed.lightsail.firewall_baseline", "public": True}, "vars": role_vars}]
    play["tasks"].append({"name": "after the role", "ansible.builtin.debug": {"msg": {
        "summary": "{{ firewall_baseline_report.summary }}", "names": "{{ firewall_baseline_report.instances | map(attribute='name') }}",
        "mode": "{{ firewall_baseline_report.mode }}", "profile": "{{ firewall_baseline_report.profile }}"}}})
    report = ansible.playbook([play]).result("after the role")["msg"]
    assert report["names"] == ["db-1", "mx-1", "web-1", "win-1"]
    assert (report["mode"], report["profile"], report["summary"]["instances"], report["summary"]["compliant"]) == ("audit", "locked_down", 4, 1)
