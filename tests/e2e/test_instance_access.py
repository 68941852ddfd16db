"""lightsail_instance_access (grants) and lightsail_access_sweep end to end, against the test service.

Time is made controllable with SEED_LIGHTSAIL_NOW (honoured by the modules with a warning, for tests only): a grant
made "at" T0 for 30m is expired for a sweep "at" T0 + 31m, without sleeping.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from firewall_shapes import as_api, canonical, rule, seed, stored

GRANT = "seed.lightsail.lightsail_instance_access"
SWEEP = "seed.lightsail.lightsail_access_sweep"
OPEN, CLOSE, TAG, UNTAG, GET = "OpenInstancePublicPorts", "CloseInstancePublicPorts", "TagResource", "UntagResource", "GetInstance"
OFFICE, HOME, CAFE = "203.0.113.0/24", "198.51.100.7/32", "192.0.2.9/32"
HOME6 = "2001:db8::7/128"
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"
T0 = "2026-11-29T00:00:00Z"
T0_PLUS_10M = "2026-11-29T00:10:00Z"
T0_PLUS_31M = "2026-11-29T00:31:00Z"
T0_PLUS_3H = "2026-11-29T03:00:00Z"
PREFIX = "seed.lightsail/grant/"
PLAYBOOKS = Path(__file__).resolve().parents[2] / "playbooks"

START = [rule("tcp", 22, cidrs=[OFFICE]), rule("tcp", 80, cidrs=[WORLD4], ipv6=[WORLD6])]

OPEN_CLOSE_BEHAVIOURS = [dict(open_existing=o, close_sources=c) for o in ("merge", "replace") for c in ("remove_named", "whole_rule")]


def at(moment):
    return {"SEED_LIGHTSAIL_NOW": moment}


def grant(ansible, grant_id, sources=(HOME,), name="web-1", duration="30m", reason="deploy 7", now=T0, check=False, diff=False, **extra):
    args = dict(instance_name=name, grant_id=grant_id, duration=duration, reason=reason, **extra)
    if sources is not None:
        args["sources"] = list(sources)
    return ansible.run_module(GRANT, args, check=check, diff=diff, env=at(now))


def revoke(ansible, grant_id, name="web-1", now=T0_PLUS_10M, check=False, diff=False):
    return ansible.run_module(GRANT, dict(instance_name=name, grant_id=grant_id, state="absent"), check=check, diff=diff, env=at(now))


def sweep(ansible, now, check=False, **args):
    return ansible.run_module(SWEEP, args, check=check, env=at(now))


def grant_tags(admin, name="web-1", region="us-east-1"):
    instance = next(i for i in admin.instances(region) if i["name"] == name)
    return {t["key"]: t["value"] for t in instance["tags"] if t["key"].startswith(PREFIX)}


def operations(admin):
    return [c["operation"] for c in admin.calls()]


def test_grant_opens_the_admin_port_records_it_and_keeps_its_budget(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START, tags={"env": "prod"})
    result = grant(ansible, "deploy-7")
    assert not result.get("failed"), result
    assert result["changed"] is True
    assert as_api(result["opened"]) == canonical([rule("tcp", 22, cidrs=[HOME])])
    assert result["already_allowed"] == [] and result["shared"] == []
    assert result["expires_at"] == "2026-11-29T00:30:00Z"
    assert result["renewed"] is False
    assert dict(result["grant"], ports=as_api(result["grant"]["ports"])) == {
        "grant_id": "deploy-7", "expires_at": "2026-11-29T00:30:00Z", "reason": "deploy 7", "expired": False, "ports": [rule("tcp", 22, cidrs=[HOME])]}
    expected = canonical([rule("tcp", 22, cidrs=[OFFICE, HOME])] + START[1:])
    assert stored(lightsail_admin, "web-1") == expected == as_api(result["ports"])
    assert as_api(result["ports_before"]) == canonical(START)
    assert grant_tags(lightsail_admin) == {PREFIX + "deploy-7": "v1 2026-11-29T00:30:00Z tcp:22:22@" + HOME, PREFIX + "deploy-7/reason": "deploy 7"}
    assert Counter(operations(lightsail_admin)) == Counter({GET: 1, TAG: 1, OPEN: 1}), "a grant: one read, one Open per rule widened, one tag write"
    assert operations(lightsail_admin) == [GET, TAG, OPEN], "the record is written before the firewall is opened"
    assert [op["operation"] for op in result["operations"]] == [TAG, OPEN]
    assert any("SEED_LIGHTSAIL_NOW" in w for w in result.get("warnings", [])), "the test clock is announced"


def test_windows_admin_port_is_rdp(ansible, lightsail_admin):
    seed(lightsail_admin, "win-1", [rule("tcp", 80, cidrs=[WORLD4])], blueprint="windows_server_2022")
    result = grant(ansible, "rdp", name="win-1", sources=[HOME, HOME6])
    assert as_api(result["opened"]) == canonical([rule("tcp", 3389, cidrs=[HOME], ipv6=[HOME6])])
    assert stored(lightsail_admin, "win-1") == canonical([rule("tcp", 80, cidrs=[WORLD4]), rule("tcp", 3389, cidrs=[HOME], ipv6=[HOME6])])


def test_regrant_extends_without_touching_the_firewall(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    grant(ansible, "deploy-7")
    firewall = stored(lightsail_admin, "web-1")
    lightsail_admin.clear_calls()

    renewed = grant(ansible, "deploy-7", duration="1h", reason="deploy 7 again", now=T0_PLUS_10M)
    assert renewed["changed"] is True and renewed["renewed"] is True
    assert renewed["expires_at"] == "2026-11-29T01:10:00Z"
    assert renewed["opened"] == []
    assert operations(lightsail_admin) == [GET, TAG], "a re-grant: one read, one tag write"
    assert stored(lightsail_admin, "web-1") == firewall
    assert grant_tags(lightsail_admin)[PREFIX + "deploy-7"] == "v1 2026-11-29T01:10:00Z tcp:22:22@" + HOME
    assert grant_tags(lightsail_admin)[PREFIX + "deploy-7/reason"] == "deploy 7 again"

    lightsail_admin.clear_calls()
    shorter = grant(ansible, "deploy-7", duration="5m", reason="deploy 7 again", now=T0_PLUS_10M)
    assert shorter["changed"] is False and shorter["expires_at"] == "2026-11-29T01:10:00Z", "a renewal never shortens a grant"
    assert operations(lightsail_admin) == [GET]


def test_regrant_for_a_source_not_allowed_is_refused(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    grant(ansible, "deploy-7")
    lightsail_admin.clear_calls()
    result = grant(ansible, "deploy-7", sources=[CAFE])
    assert result["failed"] and "deploy-7" in result["msg"] and CAFE in result["msg"] and "revoke it first" in result["msg"]
    assert operations(lightsail_admin) == [GET]


@pytest.mark.parametrize("behaviour", OPEN_CLOSE_BEHAVIOURS, ids=lambda b: "-".join(b.values()))
def test_overlapping_grants_and_revoke_under_every_behaviour(ansible, lightsail_admin, behaviour):
    lightsail_admin.set_behaviour(**behaviour)
    seed(lightsail_admin, "web-1", START)
    first = grant(ansible, "alice")
    second = grant(ansible, "bob", reason="hotfix")
    assert as_api(first["opened"]) == canonical([rule("tcp", 22, cidrs=[HOME])])
    assert second["opened"] == [] and as_api(second["shared"]) == canonical([rule("tcp", 22, cidrs=[HOME])])
    both = canonical([rule("tcp", 22, cidrs=[OFFICE, HOME])] + START[1:])
    assert stored(lightsail_admin, "web-1") == both

    lightsail_admin.clear_calls()
    gone = revoke(ansible, "alice")
    assert gone["changed"] is True and gone["closed"] == []
    assert stored(lightsail_admin, "web-1") == both, "bob still holds HOME"
    assert operations(lightsail_admin) == [GET, UNTAG]
    assert set(grant_tags(lightsail_admin)) == {PREFIX + "bob", PREFIX + "bob/reason"}

    lightsail_admin.clear_calls()
    last = revoke(ansible, "bob")
    assert as_api(last["closed"]) == canonical([rule("tcp", 22, cidrs=[HOME])])
    assert stored(lightsail_admin, "web-1") == canonical(START), "the office source, allowed before any grant, stays"
    assert grant_tags(lightsail_admin) == {}
    calls = operations(lightsail_admin)
    assert calls[0] == GET and calls[-1] == UNTAG and calls.count(CLOSE) == 1 and calls.count(OPEN) <= 1


@pytest.mark.parametrize("behaviour", OPEN_CLOSE_BEHAVIOURS, ids=lambda b: "-".join(b.values()))
def test_preexisting_sources_are_kept_and_new_rules_closed_entirely(ansible, lightsail_admin, behaviour):
    lightsail_admin.set_behaviour(**behaviour)
    seed(lightsail_admin, "web-1", START)
    result = grant(ansible, "ops", sources=[OFFICE, HOME], ports=[{"protocol": "tcp", "from_port": 22}, {"protocol": "tcp", "from_port": 8080}])
    assert as_api(result["already_allowed"]) == canonical([rule("tcp", 22, cidrs=[OFFICE])])
    assert as_api(result["opened"]) == canonical([rule("tcp", 22, cidrs=[HOME]), rule("tcp", 8080, cidrs=[OFFICE, HOME])])
    revoked = revoke(ansible, "ops")
    assert revoked["closed"] == result["opened"]
    assert stored(lightsail_admin, "web-1") == canonical(START)


def test_a_source_inside_an_allowed_block_or_the_world_is_already_allowed(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", [rule("tcp", 22, cidrs=["198.51.100.0/24"]), rule("tcp", 0, 65535, ipv6=[WORLD6])])
    result = grant(ansible, "inside", sources=[HOME, HOME6])
    assert result["opened"] == [] and result["changed"] is True
    assert as_api(result["already_allowed"]) == canonical([rule("tcp", 22, cidrs=[HOME], ipv6=[HOME6])])
    assert lightsail_admin.write_calls() == []


def test_check_mode_writes_nothing_and_tells_the_truth(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    checked = grant(ansible, "deploy-7", check=True, diff=True)
    assert operations(lightsail_admin) == [GET]
    assert stored(lightsail_admin, "web-1") == canonical(START) and grant_tags(lightsail_admin) == {}
    real = grant(ansible, "deploy-7", diff=True)
    for key in ("changed", "ports", "ports_before", "operations", "diff", "grant", "opened", "expires_at"):
        assert checked[key] == real[key], key
    assert "grant deploy-7" not in real["diff"]["before"] and "grant deploy-7: until 2026-11-29T00:30:00Z (deploy 7)" in real["diff"]["after"]

    lightsail_admin.clear_calls()
    checked_revoke = revoke(ansible, "deploy-7", check=True, diff=True)
    assert operations(lightsail_admin) == [GET]
    real_revoke = revoke(ansible, "deploy-7", diff=True)
    for key in ("changed", "ports", "operations", "diff", "closed", "grant"):
        assert checked_revoke[key] == real_revoke[key], key
    assert stored(lightsail_admin, "web-1") == canonical(START)


def test_operations_reported_are_the_calls_made(ansible, lightsail_admin):
    lightsail_admin.set_behaviour(close_sources="whole_rule")
    seed(lightsail_admin, "web-1", START)
    granted = grant(ansible, "deploy-7")
    revoked = revoke(ansible, "deploy-7")
    reported = [op["operation"] for op in granted["operations"] + revoked["operations"]]
    assert [c for c in operations(lightsail_admin) if c != GET] == reported
    assert [op["operation"] for op in revoked["operations"]] == [CLOSE, OPEN, UNTAG], "narrowing: Close, then Open of what stays, then the untag"


@pytest.mark.parametrize("args, fragment", [
    (dict(duration="30"), "duration: '30' is not a duration"),
    (dict(duration="half an hour"), "duration"),
    (dict(duration="10d"), "out of range"),
    (dict(reason="deploy, ticket 7"), "reason"),
    (dict(grant_id="has space"), "grant_id"),
    (dict(sources=None), "no sources"),
    (dict(sources=["198.51.100.7/24"]), "host bits"),
    (dict(sources=[WORLD4]), "open to 0.0.0.0/0"),
])
def test_bad_input_fails_before_any_call(ansible, lightsail_admin, args, fragment):
    seed(lightsail_admin, "web-1", START)
    params = dict(dict(grant_id="deploy-7", sources=[HOME], duration="30m", reason="deploy 7"), **args)
    result = grant(ansible, **params)
    assert result["failed"], result
    assert fragment in result["msg"], result["msg"]
    assert lightsail_admin.calls() == []
    assert lightsail_admin.write_calls() == [] and grant_tags(lightsail_admin) == {}


def test_world_grant_allowed_by_an_exception(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    result = grant(ansible, "demo", sources=[WORLD4], public_exceptions=[{"protocol": "tcp", "from_port": 22, "reason": "workshop"}])
    assert not result.get("failed"), result
    assert as_api(result["opened"]) == canonical([rule("tcp", 22, cidrs=[WORLD4])])


def test_revoking_an_unknown_grant_fails_and_names_the_recorded_ones(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    grant(ansible, "deploy-7")
    lightsail_admin.clear_calls()
    result = revoke(ansible, "deploy-8")
    assert result["failed"] and "'deploy-8' is not recorded on web-1" in result["msg"] and "deploy-7" in result["msg"]
    assert operations(lightsail_admin) == [GET]


def test_unknown_instance(ansible, lightsail_admin):
    result = grant(ansible, "deploy-7", name="nope")
    assert result["failed"] and "not found" in result["msg"]


def listing_pages(instances, page_size=5):
    return -(-instances // page_size)


@pytest.mark.parametrize("behaviour", OPEN_CLOSE_BEHAVIOURS, ids=lambda b: "-".join(b.values()))
def test_expiry_through_the_sweeper(ansible, lightsail_admin, behaviour):
    lightsail_admin.set_behaviour(**behaviour)
    seed(lightsail_admin, "web-1", START)
    seed(lightsail_admin, "web-2", START)
    for n in range(5):
        seed(lightsail_admin, "idle-%d" % n, START)
    grant(ansible, "alice", sources=[HOME])
    bob = grant(ansible, "bob", sources=[HOME, CAFE], duration="3h")
    assert as_api(bob["shared"]) == canonical([rule("tcp", 22, cidrs=[HOME])]) and as_api(bob["opened"]) == canonical([rule("tcp", 22, cidrs=[CAFE])])
    grant(ansible, "carol", name="web-2", sources=[HOME6], ports=[{"protocol": "tcp", "from_port": 22}, {"protocol": "tcp", "from_port": 443}])

    lightsail_admin.clear_calls()
    swept = sweep(ansible, T0_PLUS_31M)
    assert not swept.get("failed"), swept
    assert swept["changed"] is True
    by_instance = {item["instance_name"]: item for item in swept["swept"]}
    assert sorted(by_instance) == ["web-1", "web-2"]
    assert [g["grant_id"] for g in by_instance["web-1"]["grants"]] == ["alice"] and by_instance["web-1"]["closed"] == []
    assert as_api(by_instance["web-2"]["closed"]) == canonical([rule("tcp", 22, ipv6=[HOME6]), rule("tcp", 443, ipv6=[HOME6])])
    assert [(g["instance_name"], g["grant_id"], g["expires_at"]) for g in swept["live"]] == [("web-1", "bob", "2026-11-29T03:00:00Z")]
    assert swept["summary"] == {"instances": 7, "expired_grants": 2, "live_grants": 1, "failures": 0}
    assert stored(lightsail_admin, "web-1") == canonical([rule("tcp", 22, cidrs=[OFFICE, HOME, CAFE])] + START[1:]), "bob still holds HOME"
    assert stored(lightsail_admin, "web-2") == canonical(START)
    assert set(grant_tags(lightsail_admin, "web-1")) == {PREFIX + "bob", PREFIX + "bob/reason"} and grant_tags(lightsail_admin, "web-2") == {}
    calls = Counter(operations(lightsail_admin))
    # the listing (7 instances, 5 a page: 2 calls); web-1: one untag; web-2: tcp 22 (a narrowing: Close + Open of the office) and tcp 443
    # (closed whole), one untag
    assert calls["GetInstances"] == listing_pages(7) and calls[UNTAG] == 2 and calls[CLOSE] == 2 and calls[OPEN] <= 1
    assert set(calls) <= {"GetInstances", CLOSE, OPEN, UNTAG}

    later = sweep(ansible, T0_PLUS_3H)
    assert [g["grant_id"] for item in later["swept"] for g in item["grants"]] == ["bob"]
    assert stored(lightsail_admin, "web-1") == canonical(START), "the last grant gone, only what was there before stays"
    assert grant_tags(lightsail_admin, "web-1") == {}

    lightsail_admin.clear_calls()
    idle = sweep(ansible, T0_PLUS_3H)
    assert idle["changed"] is False and idle["swept"] == []
    assert operations(lightsail_admin) == ["GetInstances"] * listing_pages(7), "nothing expired: the listing only"


def test_sweep_check_mode_writes_nothing(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    grant(ansible, "alice")
    lightsail_admin.clear_calls()
    checked = sweep(ansible, T0_PLUS_31M, check=True)
    assert checked["changed"] is True and as_api(checked["swept"][0]["closed"]) == canonical([rule("tcp", 22, cidrs=[HOME])])
    assert operations(lightsail_admin) == ["GetInstances"]
    real = sweep(ansible, T0_PLUS_31M)
    assert real["swept"] == checked["swept"]


def test_sweep_of_several_regions(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    seed(lightsail_admin, "eu-1", START, region="eu-west-1")
    grant(ansible, "alice")
    eu = ansible.run_module(GRANT, dict(instance_name="eu-1", grant_id="eve", duration="30m", reason="eu work", sources=[HOME], region="eu-west-1"),
                            env=at(T0))
    assert eu["opened"], eu
    swept = sweep(ansible, T0_PLUS_31M, regions=["us-east-1", "eu-west-1"])
    assert sorted((item["region"], item["instance_name"]) for item in swept["swept"]) == [("eu-west-1", "eu-1"), ("us-east-1", "web-1")]
    assert stored(lightsail_admin, "eu-1", region="eu-west-1") == canonical(START) == stored(lightsail_admin, "web-1")


def test_sweep_reports_a_failed_instance_sweeps_the_others_and_fails(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START)
    seed(lightsail_admin, "web-2", START)
    grant(ansible, "alice")  # its end is a Close on web-1
    grant(ansible, "bob", name="web-2", sources=[OFFICE])  # already allowed: its end is only an untag
    lightsail_admin.server_error(n=1000, operation=CLOSE)
    lightsail_admin.clear_calls()
    swept = ansible.run_module(SWEEP, {}, env=dict(at(T0_PLUS_31M), AWS_MAX_ATTEMPTS="1"))
    assert swept["failed"] is True and swept["changed"] is True, "web-2 was swept"
    assert [(f["instance_name"]) for f in swept["failures"]] == ["web-1"] and "web-1" in swept["msg"]
    assert [(item["instance_name"], item["failed"]) for item in swept["swept"]] == [("web-1", True), ("web-2", False)]
    assert grant_tags(lightsail_admin, "web-2") == {}, "the other instance was swept"
    assert set(grant_tags(lightsail_admin, "web-1")) == {PREFIX + "alice", PREFIX + "alice/reason"}, "the record stays until its Closes succeed"
    assert UNTAG not in [c["operation"] for c in lightsail_admin.calls() if c["params"].get("resourceName") == "web-1"]

    lightsail_admin.clear_faults()
    retry = sweep(ansible, T0_PLUS_31M)
    assert not retry.get("failed"), retry
    assert stored(lightsail_admin, "web-1") == canonical(START) == stored(lightsail_admin, "web-2")
    assert grant_tags(lightsail_admin, "web-1") == {}


def test_unreadable_records_are_reported_and_left_alone(ansible, lightsail_admin, lightsail_client):
    seed(lightsail_admin, "web-1", START)
    lightsail_client.tag_resource(resourceName="web-1", tags=[{"key": PREFIX + "hand-made", "value": "open for a while"}])
    swept = sweep(ansible, T0_PLUS_31M)
    assert not swept.get("failed") and swept["changed"] is False
    assert [u["tag_key"] for u in swept["unreadable"]] == [PREFIX + "hand-made"]
    assert any("hand-made" in w for w in swept["warnings"])
    assert PREFIX + "hand-made" in grant_tags(lightsail_admin)


# ---- the playbooks, with the address from a local HTTP server -------------------------------------------

PUBLIC = "52.95.110.1"


@pytest.fixture
def address_url():
    """A local stand-in for checkip.amazonaws.com: /ip answers PUBLIC, /private a private address."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Answer(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            """Quiet."""

        def do_GET(self):  # noqa: N802
            body = {"/ip": PUBLIC + "\n", "/private": "10.1.2.3\n"}.get(self.path, "?").encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "http://127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
    server.server_close()


def test_grant_and_sweep_playbooks(ansible, lightsail_admin, address_url):
    seed(lightsail_admin, "web-1", START)
    granted = fqcn_playbook(ansible, "grant_access", dict(access_instance="web-1", access_grant_id="deploy-7", access_reason="deploy 7"),
                            T0, address_url + "/ip")
    result = granted.result("Grant or revoke")
    assert as_api(result["opened"]) == canonical([rule("tcp", 22, cidrs=[PUBLIC + "/32"])]) and result["expires_at"] == "2026-11-29T00:30:00Z"

    survey_vars = dict(access_instance="web-1", access_grant_id="survey-1", access_reason="from a survey",
                       access_sources="198.51.100.7, 2001:db8::7\n", access_duration="2h")
    survey = fqcn_playbook(ansible, "grant_access", survey_vars, T0)
    assert as_api(survey.result("Grant or revoke")["opened"]) == canonical([rule("tcp", 22, cidrs=[HOME], ipv6=[HOME6])])

    swept = fqcn_playbook(ansible, "sweep_access", dict(sweep_regions="us-east-1,"), T0_PLUS_31M)
    assert [g["grant_id"] for item in swept.result("Sweep")["swept"] for g in item["grants"]] == ["deploy-7"]

    revoked = fqcn_playbook(ansible, "grant_access", dict(access_instance="web-1", access_grant_id="survey-1", access_state="absent"), T0_PLUS_31M)
    assert as_api(revoked.result("Grant or revoke")["closed"]) == canonical([rule("tcp", 22, cidrs=[HOME], ipv6=[HOME6])])
    assert stored(lightsail_admin, "web-1") == canonical(START) and grant_tags(lightsail_admin) == {}


def test_grant_playbook_refuses_an_address_that_is_not_public(ansible, lightsail_admin, address_url):
    seed(lightsail_admin, "web-1", START)
    run = fqcn_playbook(ansible, "grant_access", dict(access_instance="web-1", access_grant_id="deploy-7", access_reason="deploy 7"),
                        T0, address_url + "/private", expect_failure=True)
    assert "10.1.2.3" in run.stdout and "not a public address" in run.stdout
    assert lightsail_admin.calls() == []


def fqcn_playbook(ansible, name, extra_vars, now, address=None, expect_failure=False):
    """Run playbooks/<name>.yml (what seed.lightsail.<name> runs), with the test clock and the address URL."""
    env = at(now)
    if address:
        env["SEED_LIGHTSAIL_PUBLIC_IP_URL"] = address
    return ansible.playbook(str(PLAYBOOKS / (name + ".yml")), extra_vars=extra_vars, env=env, expect_failure=expect_failure)


def test_sweep_writes_instances_concurrently(ansible, lightsail_admin):
    names = ["node-%d" % n for n in range(4)]
    for name in names:
        seed(lightsail_admin, name, [rule("tcp", 80, cidrs=[WORLD4])])
    run = ansible.playbook([{"name": "grants", "hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": "grant", GRANT: {"instance_name": "{{ item }}", "grant_id": "g", "duration": "30m", "reason": "r", "sources": [HOME]},
         "loop": names}]}], env=at(T0))
    assert all(r["changed"] for r in run.result("grant")["results"])
    lightsail_admin.clear_calls()
    lightsail_admin.latency(2.0)  # every call takes 2 s: one after the other, 4 Closes would span at least 6 s
    swept = sweep(ansible, T0_PLUS_31M)
    lightsail_admin.latency(0)
    assert not swept.get("failed") and len(swept["swept"]) == 4
    closes = [c["time"] for c in lightsail_admin.calls(CLOSE)]
    untags = [c["time"] for c in lightsail_admin.calls(UNTAG)]
    assert len(closes) == 4 and len(untags) == 4
    assert max(closes) - min(closes) < 2.0 and max(untags) - min(untags) < 2.0, "the instances' writes did not overlap"
    assert all(stored(lightsail_admin, name) == canonical([rule("tcp", 80, cidrs=[WORLD4])]) for name in names)


def test_a_grant_that_would_pass_fifty_tags_is_refused_before_any_write(ansible, lightsail_admin):
    seed(lightsail_admin, "web-1", START, tags={"t%02d" % n: "x" for n in range(49)})
    result = grant(ansible, "deploy-7")
    assert result["failed"] and "carries 49 tags; the grant needs 2 more" in result["msg"], result["msg"]
    assert operations(lightsail_admin) == [GET]
