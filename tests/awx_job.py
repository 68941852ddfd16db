"""Jobs as AWX runs them: ansible-runner, credentials only in the environment (with a session token), extra vars as
surveys give them, an inventory directory with a seed.lightsail.lightsail source (or static hosts) and group_vars /
host_vars. Shared by the end-to-end tests of the firewall_baseline role.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import ansible_runner
import yaml

TOKEN = "seed-test-session-token-0123456789"
# Task names as ansible-runner events carry them (event_data.task, without the role's name).
SHOW = "Show the report"
STATS = "Hand the report to AWX workflows"

OUTCOME = "Give each host its outcome"
WRITTEN = "JSON report written to "
BATCH = "Compare the instances with their baselines"


def shown(run):
    """The report's title, table and summary line as the task "Show the report" printed them, without the line that
    says where the JSON report was written."""
    lines = run.result(SHOW)["msg"]
    return lines[:-1] if lines[-1].startswith(WRITTEN) else lines


def sorted_firewall(port_states):
    """An instance's stored rules (the API's portStates shape) in a fixed order: by protocol and ports, sources sorted.

    Only the order changes, so tests compare it with literal firewalls in the API's shape.
    """
    return sorted(({"protocol": r["protocol"], "fromPort": r["fromPort"], "toPort": r["toPort"], "cidrs": sorted(r.get("cidrs") or []),
                    "ipv6Cidrs": sorted(r.get("ipv6Cidrs") or []), "cidrListAliases": sorted(r.get("cidrListAliases") or [])}
                   for r in port_states), key=lambda r: (r["protocol"], r["fromPort"], r["toPort"]))


def api_rule(protocol, port, cidrs=(), ipv6=(), aliases=(), to_port=None):
    """One rule written literally in the API's shape (fromPort, toPort, ipv6Cidrs, cidrListAliases)."""
    return {"protocol": protocol, "fromPort": port, "toPort": port if to_port is None else to_port, "cidrs": list(cidrs),
            "ipv6Cidrs": list(ipv6), "cidrListAliases": list(aliases)}


class Job:
    """One finished ansible-runner job: status, recap per host, set_stats, task results per host, output."""

    def __init__(self, runner, private_data_dir):
        self.runner = runner
        self.status = runner.status
        self.rc = runner.rc
        self.private_data_dir = private_data_dir
        self.events = list(runner.events)
        runner.stdout.seek(0)
        self.stdout = runner.stdout.read()

    def __repr__(self):
        return "Job(status=%s, rc=%s)\n%s" % (self.status, self.rc, self.stdout[-8000:])

    @property
    def recap(self):
        """{host: 'ok' | 'changed' | 'failed'} from the play recap."""
        [stats] = [event["event_data"] for event in self.events if event.get("event") == "playbook_on_stats"]
        hosts = set(stats.get("ok") or {}) | set(stats.get("changed") or {}) | set(stats.get("failures") or {})
        return dict((host, "failed" if (stats.get("failures") or {}).get(host) else "changed" if (stats.get("changed") or {}).get(host)
                     else "ok") for host in sorted(hosts))

    @property
    def set_stats(self):
        [stats] = [event["event_data"] for event in self.events if event.get("event") == "playbook_on_stats"]
        return (stats.get("artifact_data") or {}).get("firewall_baseline")

    def results(self, task):
        """{host: res} of every runner_on_ok / runner_on_failed event of the task with this name."""
        found = dict((event["event_data"]["host"], dict(event["event_data"]["res"], _event=event["event"])) for event in self.events
                     if event.get("event") in ("runner_on_ok", "runner_on_failed", "runner_on_skipped")
                     and event["event_data"].get("task") == task)
        assert found, "no result of task %r in\n%s" % (task, self.stdout[-8000:])
        return found

    def result(self, task):
        found = self.results(task)
        assert len(found) == 1, (task, sorted(found))
        return next(iter(found.values()))

    def ran(self, task):
        return any((event.get("event_data") or {}).get("task") == task for event in self.events)

    def warnings(self):
        return [warning for event in self.events for warning in ((event.get("event_data") or {}).get("res") or {}).get("warnings") or ()]

    def failure_messages(self):
        return [event["event_data"]["res"].get("msg", "") for event in self.events if event.get("event") == "runner_on_failed"]


def lightsail_source(regions, keyed_groups=None):
    """A seed.lightsail.lightsail inventory source: every instance of the regions in the group lightsail."""
    source = {"plugin": "seed.lightsail.lightsail", "regions": list(regions)}
    if keyed_groups:
        source["keyed_groups"] = keyed_groups
    return source


def run_job(private_data_dir, service_env, collections_dir, playbook="harden", inventory=None, group_vars=None, host_vars=None,
            extravars=None, cmdline="", limit=None, env=None, project_dir=None):
    """Run seed.lightsail.<playbook> (or playbook text) as an AWX job and return the Job.

    ``inventory``: a seed.lightsail.lightsail source dict (written as fleet.lightsail.yml), a static YAML inventory
    dict, or None for localhost. ``cmdline``: extra ansible-playbook arguments as AWX passes them (``-e key=value``,
    ``--check --diff``). The job's credentials are AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in
    the environment only. ``project_dir`` is where the playbook is (AWX runs ansible-playbook from the project).
    """
    private_data_dir = Path(private_data_dir)
    private_data_dir.mkdir(parents=True, exist_ok=True)
    project = Path(project_dir) if project_dir else private_data_dir / "project"
    project.mkdir(parents=True, exist_ok=True)
    if "\n" in playbook:
        text = playbook
    else:
        text = "- name: The collection's playbook\n  ansible.builtin.import_playbook: seed.lightsail.%s\n" % playbook
    (project / "site.yml").write_text(text)
    inventory_arg = "localhost ansible_connection=local"
    if inventory is not None:
        directory = private_data_dir / "inventory"
        directory.mkdir(parents=True, exist_ok=True)
        name = "fleet.lightsail.yml" if inventory.get("plugin") else "hosts.yml"
        (directory / name).write_text(yaml.safe_dump(inventory, sort_keys=False))
        for kind, files in (("group_vars", group_vars), ("host_vars", host_vars)):
            for target, variables in (files or {}).items():
                (directory / kind).mkdir(exist_ok=True)
                (directory / kind / ("%s.yml" % target)).write_text(yaml.safe_dump(variables, sort_keys=False))
        inventory_arg = str(directory)
    envvars = dict((key, value) for key, value in service_env.items() if key.startswith("AWS_"))
    envvars.update(
        AWS_SESSION_TOKEN=TOKEN,
        ANSIBLE_COLLECTIONS_PATH=str(collections_dir),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
        ANSIBLE_LOCALHOST_WARNING="false",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="false",
        ANSIBLE_DEPRECATION_WARNINGS="false",
        ANSIBLE_NOCOLOR="1",
        PATH="%s%s%s" % (os.path.dirname(sys.executable), os.pathsep, os.environ.get("PATH", "")),
    )
    envvars.update(env or {})
    removed = [key for key, value in envvars.items() if value is None]
    envvars = dict((key, value) for key, value in envvars.items() if value is not None)
    arguments = cmdline
    if limit:
        arguments += " --limit %s" % shlex.quote(limit)
    saved = dict((key, os.environ.pop(key)) for key in removed if key in os.environ)
    try:
        runner = ansible_runner.run(private_data_dir=str(private_data_dir), project_dir=str(project), playbook="site.yml", inventory=inventory_arg,
                                    envvars=envvars, extravars=extravars or None, cmdline=arguments.strip() or None, quiet=True)
    finally:
        os.environ.update(saved)
    return Job(runner, private_data_dir)


def no_secrets(job, service):
    return TOKEN not in job.stdout and service.credentials.secret_key not in job.stdout
