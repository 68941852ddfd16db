"""Every module returns exactly the keys its RETURN documents, under the documented `returned:` conditions.

RETURN is read with yaml from each module file. Per module, one playbook covers a success, check mode, a failure
part-way through the writes (a dropped connection with AWS_MAX_ATTEMPTS=1, so that the one attempt fails at once) and
failures before any write; for each case the test states which documented conditions hold. A `returned:` text the test
does not know fails it, so a new condition must be decided here. Below the top level, a dict's keys must be documented
under `contains`, and those documented without a `returned:` of their own must be there.
"""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

MODULES = Path(__file__).resolve().parents[2] / "plugins" / "modules"
OFFICE, HOME, WORLD4, WORLD6 = "203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0", "::/0"
START = [
    {"fromPort": 22, "toPort": 22, "protocol": "tcp", "cidrs": [WORLD4, OFFICE], "ipv6Cidrs": [WORLD6], "cidrListAliases": []},
    {"fromPort": 80, "toPort": 80, "protocol": "tcp", "cidrs": [WORLD4], "ipv6Cidrs": [WORLD6], "cidrListAliases": []},
]
# Keys Ansible adds to every result, and those amazon.aws's fail_json_aws adds to a failure from botocore.
FRAMEWORK_KEYS = {"action", "changed", "failed", "msg", "invocation", "warnings", "deprecations", "diff", "exception", "_host", "_run", "_ansible_no_log"}
AWS_FAILURE_KEYS = {"error", "response_metadata", "boto3_version", "botocore_version"}
ONE_ATTEMPT = {"AWS_MAX_ATTEMPTS": "1"}


def documented(module):
    """The RETURN of a module file, parsed with yaml."""
    tree = ast.parse((MODULES / ("%s.py" % module)).read_text())
    text = next(node.value.value for node in tree.body if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "RETURN")
    return yaml.safe_load(text)


def expected_keys(doc, holds):
    keys = set()
    for key, spec in doc.items():
        condition = spec.get("returned")
        assert condition in holds, "%s: 'returned: %s' is a condition this test does not know; say in `holds` when it holds" % (key, condition)
        if holds[condition]:
            keys.add(key)
    return keys


def check_contains(value, spec, where):
    """Below the top level: every key documented, and every key documented without a `returned:` present."""
    contains = spec.get("contains")
    if not contains or value is None:
        return
    items = value if spec.get("type") == "list" else [value]
    for index, item in enumerate(items):
        assert isinstance(item, dict), (where, item)
        required = set(key for key, sub in contains.items() if "returned" not in sub)
        assert set(item) <= set(contains), "%s[%d]: undocumented keys %s" % (where, index, sorted(set(item) - set(contains)))
        assert required <= set(item), "%s[%d]: documented keys missing %s" % (where, index, sorted(required - set(item)))
        for key, sub in contains.items():
            check_contains(item.get(key), sub, "%s[%d].%s" % (where, index, key))


def assert_contract(result, doc, holds, case):
    ignored = (FRAMEWORK_KEYS | (AWS_FAILURE_KEYS if result.get("failed") else set())) - set(doc)
    returned = set(result) - ignored
    expected = expected_keys(doc, holds)
    assert returned == expected, "%s: returned but not documented (or not under these conditions): %s; documented but missing: %s" % (
        case, sorted(returned - expected), sorted(expected - returned))
    for key in returned:
        check_contains(result[key], doc[key], "%s: %s" % (case, key))


def play(tasks, hosts="localhost"):
    return [{"name": "contracts", "hosts": hosts, "gather_facts": False, "tasks": tasks}]


def task(name, module, args, **keywords):
    return dict({"name": name, module: args, "ignore_errors": True}, **keywords)


# ---- lightsail_instance_ports ------------------------------------------------------------------------------------

PORTS = "seed.lightsail.lightsail_instance_ports"
NARROW_SSH = {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}]}
ADD_HOME = {"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [HOME]}]}


def test_lightsail_instance_ports(ansible, lightsail_admin):
    # The narrowing's Close closes the whole rule (whole_rule) and its Open is dropped: applied is not planned.
    lightsail_admin.set_behaviour(close_sources="whole_rule", close_missing="noop")
    for name in ("partial", "changes", "checked", "crowded"):
        lightsail_admin.seed_instance(name, ports=START)
    lightsail_admin.set_rules("crowded", [dict(START[0], cidrs=["10.%d.0.0/16" % i for i in range(50)], state="open")])
    lightsail_admin.drop(1, "OpenInstancePublicPorts")
    run = ansible.playbook(play([
        task("fails part-way", PORTS, dict(NARROW_SSH, instance_name="partial"), environment=ONE_ATTEMPT, diff=True),
        task("changes", PORTS, dict(ADD_HOME, instance_name="changes"), diff=True),
        task("check mode", PORTS, dict(ADD_HOME, instance_name="checked"), check_mode=True, diff=True),
        task("no such instance", PORTS, dict(ADD_HOME, instance_name="ghost")),
        task("bad input", PORTS, {"instance_name": "changes", "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": ["10.0.0.1/8"]}]}),
        task("refused plan", PORTS, {"instance_name": "crowded", "ports": [{"protocol": "tcp", "from_port": 22,
                                                                            "cidrs": ["172.16.%d.0/24" % i for i in range(20)]}]}),
    ]), expect_failure=None)
    doc = documented("lightsail_instance_ports")
    cases = {
        "fails part-way": dict(failed=True, found=True, writes_failed=True),
        "changes": dict(failed=False, found=True, writes_failed=False),
        "check mode": dict(failed=False, found=True, writes_failed=False),
        "no such instance": dict(failed=True, found=False, writes_failed=False),
        "bad input": dict(failed=True, found=False, writes_failed=False),
        "refused plan": dict(failed=True, found=True, writes_failed=False),
    }
    for case, facts in cases.items():
        result = run.result(case)
        assert bool(result.get("failed")) == facts["failed"], (case, result.get("msg"))
        assert_contract(result, doc, {"always": True, "when the instance was found": facts["found"],
                                      "failure during writes": facts["writes_failed"]}, case)

    # The failed task reports the firewall as it is (read again), not as planned: under whole_rule the Close closed SSH
    # entirely and the Open of the office was not made. Before issue 14 `ports` was absent and the diff showed the plan.
    failed = run.result("fails part-way")
    web = {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6], "cidr_list_aliases": []}
    assert failed["ports"] == [web], failed.get("ports")
    assert failed["diff"]["after"] == "tcp 80: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\n", failed["diff"]
    assert lightsail_admin.rules("partial") == [dict(START[1], state="open")]


# ---- lightsail_instance_ports_info ---------------------------------------------------------------------------------

INFO = "seed.lightsail.lightsail_instance_ports_info"


def test_lightsail_instance_ports_info(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1", ports=START)
    lightsail_admin.drop(1, "GetInstances")
    run = ansible.playbook(play([
        task("listing fails", INFO, {}, environment=ONE_ATTEMPT),
        task("one instance", INFO, {"instance_name": "web-1"}),
        task("one instance, check mode", INFO, {"instance_name": "web-1"}, check_mode=True),
        task("region by names", INFO, {"names": ["web-1", "ghost"]}),
        task("region", INFO, {}, check_mode=True),
        task("no such instance", INFO, {"instance_name": "ghost"}),
    ]), expect_failure=None)
    doc = documented("lightsail_instance_ports_info")
    cases = {
        "listing fails": dict(failed=True, one=False, names=False),
        "one instance": dict(failed=False, one=True, names=False),
        "one instance, check mode": dict(failed=False, one=True, names=False),
        "region by names": dict(failed=False, one=False, names=True),
        "region": dict(failed=False, one=False, names=False),
        "no such instance": dict(failed=True, one=True, names=False),
    }
    for case, facts in cases.items():
        result = run.result(case)
        assert bool(result.get("failed")) == facts["failed"], (case, result.get("msg"))
        ok = not facts["failed"]
        assert_contract(result, doc, {"always": True, "success": ok, "on success, when O(instance_name) is given": ok and facts["one"],
                                      "on success, when O(names) is given": ok and facts["names"]}, case)
        for instance in result.get("instances") or ():
            assert ("arn" in instance) == (not facts["one"]), (case, "the listing's keys are returned when listing a region only")


# ---- lightsail_firewall_baseline -----------------------------------------------------------------------------------

FLEET = "seed.lightsail.lightsail_firewall_baseline"


def test_lightsail_firewall_baseline(ansible, lightsail_admin):
    for name in ("web-1", "web-2"):
        lightsail_admin.seed_instance(name, ports=START)
    lightsail_admin.drop(1, "PutInstancePublicPorts")
    options = {"admin_cidrs": [OFFICE]}
    targets = {"targets": [{"instance_name": "web-1", "host": "web-1"}, {"instance_name": "ghost", "host": "ghost"}]}
    run = ansible.playbook(play([
        task("writes fail", FLEET, dict(options, mode="apply", instance_names=["web-2"]), environment=ONE_ATTEMPT, diff=True),
        task("audit", FLEET, options),
        task("apply, check mode", FLEET, dict(options, mode="apply", **targets), check_mode=True, diff=True),
        task("apply", FLEET, dict(options, mode="apply", instance_names=["web-1"]), diff=True),
        task("bad option", FLEET, dict(options, max_concurrency=0)),
        task("unknown name", FLEET, dict(options, instance_names=["ghost"])),
    ]), expect_failure=None)
    doc = documented("lightsail_firewall_baseline")
    cases = {  # failed, options valid, planned, region-driven, unselected names
        "writes fail": (True, True, True, True, False),
        "audit": (False, True, True, True, False),
        "apply, check mode": (True, True, True, False, False),  # the ghost target fails alone
        "apply": (False, True, True, True, False),
        "bad option": (True, False, False, True, False),
        "unknown name": (True, True, False, True, True),
    }
    for case, (failed, valid, planned, region_driven, unselected) in cases.items():
        result = run.result(case)
        assert bool(result.get("failed")) == failed, (case, result.get("msg"))
        assert_contract(result, doc, {"always": True, "when the options were valid": valid, "when the instances were planned": planned,
                                      "in a region-driven run whose instances were planned": planned and region_driven,
                                      "on that failure": unselected}, case)
    failed_write = run.result("writes fail")["instances"][0]
    assert failed_write["failed"] and failed_write["failed_operation"]["operation"] == "PutInstancePublicPorts", failed_write
    # The Put was not made (dropped, and a fresh read shows it was not applied): the diff's after is the firewall as found,
    # not the planned baseline (before issue 14 it showed the plan).
    [diff] = run.result("writes fail")["diff"]
    assert diff["after"] == diff["before"] == "tcp 22: cidrs 0.0.0.0/0 203.0.113.0/24; ipv6_cidrs ::/0\ntcp 80: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\n", diff


# ---- lightsail_instance_access -------------------------------------------------------------------------------------

GRANT = "seed.lightsail.lightsail_instance_access"


def test_lightsail_instance_access(ansible, lightsail_admin):
    for name in ("granted", "checked", "revoked"):
        lightsail_admin.seed_instance(name, ports=START)
    lightsail_admin.drop(1, "CloseInstancePublicPorts")
    # tcp 8080 is not open yet: the grant opens it, and the revoke closes it.
    grant = {"grant_id": "deploy-7", "duration": "30m", "reason": "deploy 7", "sources": [HOME], "ports": [{"protocol": "tcp", "from_port": 8080}]}
    run = ansible.playbook(play([
        task("grant", GRANT, dict(grant, instance_name="granted"), diff=True),
        task("grant, check mode", GRANT, dict(grant, instance_name="checked"), check_mode=True, diff=True),
        task("grant to revoke", GRANT, dict(grant, instance_name="revoked")),
        task("revoke fails part-way", GRANT, {"instance_name": "revoked", "grant_id": "deploy-7", "state": "absent"},
             environment=ONE_ATTEMPT, diff=True),
        task("revoke", GRANT, {"instance_name": "granted", "grant_id": "deploy-7", "state": "absent"}, diff=True),
        task("revoke unknown grant", GRANT, {"instance_name": "granted", "grant_id": "nope", "state": "absent"}),
        task("no such instance", GRANT, dict(grant, instance_name="ghost")),
        task("bad grant id", GRANT, dict(grant, instance_name="granted", grant_id="no spaces")),
    ]), expect_failure=None)
    doc = documented("lightsail_instance_access")
    cases = {  # failed, instance found, present and planned, absent and grant found, firewall write failed
        "grant": (False, True, True, False, False),
        "grant, check mode": (False, True, True, False, False),
        "grant to revoke": (False, True, True, False, False),
        "revoke fails part-way": (True, True, False, True, True),
        "revoke": (False, True, False, True, False),
        "revoke unknown grant": (True, True, False, False, False),
        "no such instance": (True, False, False, False, False),
        "bad grant id": (True, False, False, False, False),
    }
    for case, (failed, found, planned, revoking, write_failed) in cases.items():
        result = run.result(case)
        assert bool(result.get("failed")) == failed, (case, result.get("msg"))
        assert_contract(result, doc, {"always": True, "when the instance was found": found,
                                      "when the instance was found and the grant could be planned": planned or revoking,
                                      "when O(state=present) and the grant could be planned": planned,
                                      "when O(state=absent) and the grant was found": revoking,
                                      "when a firewall write fails": write_failed}, case)

    # The Close was dropped: tcp 8080 is still open to HOME, the grant still recorded, and ports and the diff say so.
    failed = run.result("revoke fails part-way")
    assert {"protocol": "tcp", "from_port": 8080, "to_port": 8080, "cidrs": [HOME], "ipv6_cidrs": [], "cidr_list_aliases": []} in failed["ports"]
    assert failed["diff"]["after"] == failed["diff"]["before"], failed["diff"]
    assert "tcp 8080: cidrs 198.51.100.7/32\n" in failed["diff"]["after"] and "grant deploy-7: until" in failed["diff"]["after"]


# ---- lightsail_access_sweep ----------------------------------------------------------------------------------------

SWEEP = "seed.lightsail.lightsail_access_sweep"


def test_lightsail_access_sweep(ansible, lightsail_admin):
    lightsail_admin.seed_instance("web-1", ports=START)
    lightsail_admin.drop(1, "GetInstances")
    run = ansible.playbook(play([
        task("listing fails", SWEEP, {}, environment=ONE_ATTEMPT),
        task("sweep", SWEEP, {}),
        task("sweep, check mode", SWEEP, {}, check_mode=True),
        task("bad option", SWEEP, {"max_concurrency": 0}),
    ]), expect_failure=None)
    doc = documented("lightsail_access_sweep")
    for case, failed, valid in (("listing fails", True, True), ("sweep", False, True), ("sweep, check mode", False, True),
                                ("bad option", True, False)):
        result = run.result(case)
        assert bool(result.get("failed")) == failed, (case, result.get("msg"))
        assert_contract(result, doc, {"always": True, "when the options were valid": valid}, case)


# ---- firewall_baseline_result (an action: no API call) -------------------------------------------------------------

ENTRY = {"name": "web-1", "host": "web-1", "region": "us-east-1", "platform": "LINUX_UNIX", "compliant": False, "compliant_after": True,
         "missing": [], "extra": [], "violations": [], "excepted": [], "changed": True, "failed": False,
         "ports_before": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": [WORLD4], "ipv6_cidrs": [], "cidr_list_aliases": []}],
         "ports_after": [{"protocol": "tcp", "from_port": 22, "to_port": 22, "cidrs": [OFFICE], "ipv6_cidrs": [], "cidr_list_aliases": []}]}


def test_firewall_baseline_result(ansible):
    failed = dict(ENTRY, name="web-2", host="web-2", failed=True, error="boom", compliant_after=None, ports_after=None)
    run_result = {"mode": "apply", "check_mode": False, "instances": [ENTRY, failed]}
    inventory = {"all": {"hosts": {name: {"ansible_connection": "local"} for name in ("web-1", "web-2", "web-3")}}}
    tasks = [{"name": "register", "ansible.builtin.set_fact": {"baseline_run": run_result}},
             task("outcome", "seed.lightsail.firewall_baseline_result", {"run": "baseline_run"}, diff=True),
             task("outcome, check mode", "seed.lightsail.firewall_baseline_result", {"run": "baseline_run"}, check_mode=True)]
    run = ansible.playbook(play(tasks, hosts="all"), inventory=inventory, expect_failure=None)
    doc = documented("firewall_baseline_result")
    for case in ("outcome", "outcome, check mode"):
        for result in run.results(case):
            has_entry = result["_host"] != "web-3"
            assert bool(result.get("failed")) == (result["_host"] != "web-1"), (case, result)
            assert_contract(result, doc, {"always": True, "when the run has an entry for the host": has_entry}, "%s %s" % (case, result["_host"]))
