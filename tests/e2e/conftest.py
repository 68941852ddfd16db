"""End-to-end harness: ansible-playbook -> our modules -> boto3 -> HTTP -> the test Lightsail service.

Fixtures:
  ansible          an AnsibleRunner bound to this test's Lightsail service
  collections_dir  an ANSIBLE_COLLECTIONS_PATH where seed.lightsail is this working tree
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ansible_env import JSON_CALLBACK, ansible_environment

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent


@pytest.fixture(scope="session")
def collections_dir(tmp_path_factory):
    """A collections path in which seed/lightsail links to this working tree (edits are seen at once)."""
    root = tmp_path_factory.mktemp("collections")
    (root / "ansible_collections" / "seed").mkdir(parents=True)
    (root / "ansible_collections" / "seed" / "lightsail").symlink_to(REPO_ROOT, target_is_directory=True)
    return root


class PlaybookRun:
    """What one ansible-playbook run printed, parsed from the ansible.posix.json callback."""

    def __init__(self, completed, callback):
        self.rc = completed.returncode
        self.stdout = completed.stdout
        self.stderr = completed.stderr
        self.output = None
        if callback == "json":
            start = self.stdout.find("{")
            if start < 0:
                raise AssertionError("no JSON output (rc=%s)\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout, self.stderr))
            self.output = json.loads(self.stdout[start:])

    def tasks(self):
        for play in self.output["plays"]:
            yield from play["tasks"]

    def results(self, task_name):
        """Per-host results of every task with this name, in play order: a list of dicts."""
        found = [dict(result, _host=host) for task in self.tasks() if task["task"]["name"] == task_name for host, result in task["hosts"].items()]
        if not found:
            names = sorted({task["task"]["name"] for task in self.tasks()})
            raise AssertionError("no task named %r; tasks run: %s\nstderr:\n%s" % (task_name, names, self.stderr))
        return found

    def result(self, task_name):
        """The one result of a task run on one host."""
        found = self.results(task_name)
        assert len(found) == 1, "task %r ran %d times" % (task_name, len(found))
        return found[0]

    @property
    def stats(self):
        return self.output["stats"]


class AnsibleRunner:
    """Runs playbooks and single modules against one Lightsail service."""

    def __init__(self, tmp_path, collections_dir, service_env):
        self.tmp_path = tmp_path
        self.collections_dir = collections_dir
        self.service_env = dict(service_env)
        self._count = 0

    def environment(self, env=None, callback="json"):
        """The subprocess environment: no AWS settings from outside, the service's credentials, our collection."""
        return ansible_environment(self.tmp_path, self.collections_dir, self.service_env, JSON_CALLBACK if callback == "json" else None, env)

    def _write(self, name, content):
        self._count += 1
        path = self.tmp_path / ("%02d-%s" % (self._count, name))
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False))
        return path

    def playbook(self, playbook, extra_vars=None, check=False, diff=False, inventory=None, env=None, verbosity=0, callback="json",
                 expect_failure=False, args=()):
        """Run a playbook (a path, YAML text, or a list of plays) and return a PlaybookRun."""
        if isinstance(playbook, (str, Path)) and Path(str(playbook)).suffix in (".yml", ".yaml") and "\n" not in str(playbook):
            path = Path(str(playbook))
        else:
            path = self._write("playbook.yml", playbook)
        command = [str(BIN_DIR / "ansible-playbook"), str(path)]
        if inventory is not None:
            inventory_path = inventory if isinstance(inventory, Path) else self._write("inventory.yml", inventory)
            command += ["-i", str(inventory_path)]
        else:
            command += ["-i", "localhost,", "-c", "local"]
        if extra_vars:
            command += ["-e", "@%s" % self._write("vars.json", json.dumps(extra_vars))]
        if check:
            command.append("--check")
        if diff:
            command.append("--diff")
        if verbosity:
            command.append("-" + "v" * verbosity)
        command += list(args)
        completed = subprocess.run(command, env=self.environment(env, callback), capture_output=True, text=True, timeout=600, check=False)
        run = PlaybookRun(completed, callback)
        if expect_failure is not None:
            failed = run.rc != 0
            assert failed == expect_failure, "rc=%s\nstdout:\n%s\nstderr:\n%s" % (run.rc, run.stdout[-6000:], run.stderr[-4000:])
        return run

    def run_module(self, module, args=None, check=False, diff=False, env=None, verbosity=0, module_defaults=None):
        """Run one module on localhost and return its result dict (failures are returned, not raised)."""
        task = {"name": "module under test", module: args or {}, "ignore_errors": True}
        play = {"name": "run %s" % module, "hosts": "localhost", "gather_facts": False, "tasks": [task]}
        if module_defaults:
            play["module_defaults"] = module_defaults
        run = self.playbook([play], check=check, diff=diff, env=env, verbosity=verbosity, expect_failure=None)
        result = run.result("module under test")
        result["_run"] = run
        return result


@pytest.fixture
def ansible(tmp_path, collections_dir, lightsail_env):
    return AnsibleRunner(tmp_path, collections_dir, lightsail_env)
