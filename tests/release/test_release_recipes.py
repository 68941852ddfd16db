"""Every playbook of docs/recipes.md runs as written against the test Lightsail service.

For each recipe (a `## ` section of the page): its YAML playbooks run (the firewall must end up as the
recipe says), then run again (nothing may change: the recipes are idempotent). The restore, which the
page says to try with --check first, also runs in check mode (no write may reach the service). The
page and the collection cannot drift apart: a renamed option, a wrong return key or a recipe that does
not converge fails here. Every other playbook example of the guide passes --syntax-check.

Run by tools/release_check.sh (stage `recipes`); plain `pytest tests/release` works too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_env import JSON_CALLBACK, ansible_environment

REPO_ROOT = Path(__file__).resolve().parents[2]
RECIPES = REPO_ROOT / "docs" / "recipes.md"
BIN_DIR = Path(sys.executable).parent
REGION = "eu-west-1"
WORLD = (["0.0.0.0/0"], ["::/0"], [])


def recipe_playbooks():
    """{section title: [playbook text, ...]} for every ```yaml block of the page that is a playbook."""
    sections, title = {}, None
    for block in re.split(r"^(## .*)$", RECIPES.read_text(), flags=re.M):
        if block.startswith("## "):
            title = block[3:].strip()
            continue
        for code in re.findall(r"^```yaml\n(.*?)^```", block, flags=re.M | re.S):
            plays = yaml.safe_load(code)
            if isinstance(plays, list) and plays and all(isinstance(p, dict) and ("hosts" in p or "ansible.builtin.import_playbook" in p) for p in plays):
                sections.setdefault(title, []).append(code)
    return sections


PLAYBOOKS = recipe_playbooks()


def rules(admin, name):
    """{(protocol, from, to): (cidrs, ipv6_cidrs, aliases)} as the service stores them."""
    return {(r["protocol"], r["fromPort"], r["toPort"]): (sorted(r["cidrs"]), sorted(r["ipv6Cidrs"]), sorted(r["cidrListAliases"]))
            for r in admin.rules(name, region=REGION)}


@pytest.fixture
def fleet(lightsail_admin):
    """eu-west-1: web-1 (Ubuntu defaults: 22 and 80 from everyone), db-1 (plus MySQL from everyone), win-1."""
    lightsail_admin.seed_instance("web-1", region=REGION, tags={"role": "web"})
    lightsail_admin.seed_instance("db-1", region=REGION, extra_ports=[
        {"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": ["::/0"], "cidrListAliases": []}])
    lightsail_admin.seed_instance("win-1", region=REGION, blueprint="windows_server_2022")
    return lightsail_admin


class Runner:
    """ansible-playbook against the service, the collection being this working tree."""

    def __init__(self, tmp_path, env):
        self.tmp_path = tmp_path
        collections = tmp_path / "collections" / "ansible_collections" / "seed"
        collections.mkdir(parents=True)
        (collections / "lightsail").symlink_to(REPO_ROOT, target_is_directory=True)
        amazon = Path(os.environ["ANSIBLE_COLLECTIONS_PATH"].split(os.pathsep)[0])  # the live tree (root conftest.py)
        # the recipes name their region themselves
        self.env = ansible_environment(tmp_path, os.pathsep.join([str(tmp_path / "collections"), str(amazon)]), env, JSON_CALLBACK,
                                       dict(ANSIBLE_PIPELINING="true", AWS_REGION=None, AWS_DEFAULT_REGION=None))

    def run(self, index, text, check=False):
        """Run one playbook (written next to the others, so playbook_dir is shared); return its stats."""
        path = self.tmp_path / ("recipe-%d.yml" % index)
        path.write_text(text)
        command = [str(BIN_DIR / "ansible-playbook"), str(path), "-i", "localhost,", "-c", "local", "--diff"]
        if check:
            command.append("--check")
        done = subprocess.run(command, env=self.env, capture_output=True, text=True, timeout=300, check=False, cwd=self.tmp_path)
        assert done.returncode == 0, "recipe playbook failed (rc=%d, check=%s)\n%s\n--- stdout\n%s\n--- stderr\n%s" % (
            done.returncode, check, text, done.stdout[-6000:], done.stderr[-3000:])
        return json.loads(done.stdout[done.stdout.index("{"):])["stats"]


def test_the_page_has_the_recipes():
    assert set(PLAYBOOKS) >= {"Restrict SSH to an office", "Open a web server", "Allow ping", "Keep browser SSH working",
                              "Export and restore a firewall", "Audit a region"}, sorted(PLAYBOOKS)


EXPECTED = {
    # recipe -> {instance: {rule: sources}} that must hold afterwards (other rules: see the test)
    "Restrict SSH to an office": {"web-1": {("tcp", 22, 22): (["203.0.113.0/24"], ["2001:db8:1234::/48"], ["lightsail-connect"]),
                                            ("tcp", 80, 80): WORLD}},
    "Open a web server": {"web-1": {("tcp", 22, 22): WORLD, ("tcp", 80, 80): WORLD, ("tcp", 443, 443): WORLD}},
    "Allow ping": {"web-1": {("tcp", 22, 22): WORLD, ("tcp", 80, 80): WORLD,
                             ("icmp", 8, -1): (["198.51.100.7/32", "198.51.100.8/32"], [], []),
                             ("icmpv6", 128, -1): ([], ["2001:db8:5::7/128"], [])}},
    "Keep browser SSH working": {"web-1": {("tcp", 22, 22): (["0.0.0.0/0"], ["::/0"], ["lightsail-connect"]), ("tcp", 80, 80): WORLD}},
}


@pytest.mark.parametrize("title", sorted(PLAYBOOKS))
def test_recipe(title, fleet, lightsail_env, tmp_path):
    runner = Runner(tmp_path, lightsail_env)
    before = {name: rules(fleet, name) for name in ("web-1", "db-1", "win-1")}
    playbooks = PLAYBOOKS[title]

    if title == "Export and restore a firewall":
        export, restore = playbooks
        runner.run(0, export)
        saved = json.loads((tmp_path / "firewalls-eu-west-1.json").read_text())
        assert sorted(saved) == ["db-1", "web-1", "win-1"]
        # Someone changes web-1 and db-1 after the export ...
        fleet.set_rules("web-1", [{"protocol": "tcp", "fromPort": 8080, "toPort": 8080, "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": [],
                                   "cidrListAliases": [], "state": "open"}], region=REGION)
        fleet.set_rules("db-1", [], region=REGION)
        fleet.clear_calls()
        runner.run(1, restore, check=True)
        assert fleet.write_calls() == [], "check mode wrote"
        runner.run(1, restore)
        # ... and the restore puts every firewall back exactly.
        assert {name: rules(fleet, name) for name in before} == before
        stats = runner.run(1, restore)
        assert stats["localhost"]["changed"] == 0, "the restore is not idempotent"
        return

    for index, text in enumerate(playbooks):
        runner.run(index, text)
    after = {name: rules(fleet, name) for name in before}
    for index, text in enumerate(playbooks):
        fleet.clear_calls()
        stats = runner.run(index, text)
        assert stats["localhost"]["changed"] == 0 and fleet.write_calls() == [], "recipe %r is not idempotent" % title

    if title == "Audit a region":
        assert after == before, "an audit wrote to a firewall"
        return
    for name, expected in EXPECTED[title].items():
        assert after[name] == expected, "%s: %s" % (name, after[name])
    untouched = {"web-1", "db-1", "win-1"} - set(EXPECTED[title]) - ({"win-1"} if title == "Keep browser SSH working" else set())
    for name in untouched:
        assert after[name] == before[name], "%s changed" % name
    if title == "Keep browser SSH working":
        assert after["win-1"][("tcp", 3389, 3389)][2] == ["lightsail-connect"]


GUIDE_PAGES = ("concepts.md", "recipes.md", "awx.md", "index.md", "access.md")


def test_guide_yaml_is_valid(tmp_path):
    """Every YAML example of the guide parses; the playbooks among them pass ansible-playbook --syntax-check."""
    playbooks = []
    for page in GUIDE_PAGES:
        text = (REPO_ROOT / "docs" / page).read_text()
        for number, code in enumerate(re.findall(r"^```yaml\n(.*?)^```", text, flags=re.M | re.S), 1):
            data = yaml.safe_load(code)  # raises on invalid YAML
            if isinstance(data, list) and data and all(isinstance(p, dict) and ("hosts" in p or "ansible.builtin.import_playbook" in p) for p in data):
                path = tmp_path / ("%s-%d.yml" % (page[:-3], number))
                path.write_text(code)
                playbooks.append(str(path))
    assert len(playbooks) >= 10, playbooks
    runner = Runner(tmp_path, dict(os.environ))
    # One ansible-playbook for all of them: it checks every file named on its command line.
    done = subprocess.run([str(BIN_DIR / "ansible-playbook"), "--syntax-check", "-i", "localhost,"] + playbooks,
                          env=dict(runner.env, ANSIBLE_STDOUT_CALLBACK="default"), capture_output=True, text=True, timeout=300,
                          check=False, cwd=tmp_path)
    assert done.returncode == 0, "--syntax-check failed\n%s%s" % (done.stdout, done.stderr)
