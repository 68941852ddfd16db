"""Hardening a fleet: the role in fleet mode, the role by inventory host, and the boto3 floor, side by side.

For each size, three runs, each on a freshly seeded fleet set to the state the run starts from:

  harden      every instance has Ubuntu's defaults (tcp 22 and 80 from everywhere): a write for every instance
  re-run      every instance is already at the baseline: nothing to write
  drift 10%   every tenth instance is back at the defaults: writes for those only

Every measured run is paired with a run of the floor (benchmarks/floor.py: boto3, 20 threads) made just before
it, from the same state, so the ratio compares two runs made under the same machine load. Wall time is the whole
command (ansible-playbook with the default stdout callback, or python floor.py), start-up included. After every run, every instance's public
firewall must be exactly the baseline, or the benchmark fails.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

from harness import REPO_ROOT, TIMING_CALLBACK, Ansible, Service, count_calls, describe, reads, writes

ADMIN_CIDR = "203.0.113.0/24"
# locked_down on Linux/Unix with admin_cidrs [ADMIN_CIDR] and keep_console_access (the default).
BASELINE = [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": [ADMIN_CIDR], "ipv6Cidrs": [], "cidrListAliases": ["lightsail-connect"]}]
DEFAULTS = [{"protocol": "tcp", "fromPort": p, "toPort": p, "cidrs": ["0.0.0.0/0"], "ipv6Cidrs": ["::/0"], "cidrListAliases": []} for p in (22, 80)]
THREADS = 20
PHASES = ("harden", "re-run", "drift 10%")
FLOOR_ARGV = [sys.executable, str(Path(__file__).with_name("floor.py")), "harden", "--threads", str(THREADS), "--baseline", json.dumps(BASELINE)]
ROLE_VARS = {
    "firewall_baseline_mode": "apply",
    "firewall_baseline_profile": "locked_down",
    "firewall_baseline_admin_cidrs": [ADMIN_CIDR],
}


def _key(rule):
    return (rule["protocol"], rule["fromPort"], rule["toPort"], tuple(sorted(rule.get("cidrs") or ())), tuple(sorted(rule.get("ipv6Cidrs") or ())),
            tuple(sorted(rule.get("cidrListAliases") or ())))


def check_end_state(service: Service, count: int) -> None:
    wanted = sorted(_key(r) for r in BASELINE)
    instances = service.admin.instances(region="us-east-1")
    wrong = [i["name"] for i in instances if sorted(_key(r) for r in _public_rules(i)) != wanted]
    if len(instances) != count or wrong:
        raise AssertionError("after the run %d of %d instances are not at the baseline (e.g. %s)" % (len(wrong), len(instances), wrong[:3]))


def _public_rules(instance):
    return [r for r in instance.get("rules", []) if r.get("accessType", "public") == "public"]


def prepare(service: Service, count: int, phase: str) -> tuple[list[str], int]:
    """A fresh fleet in the state the phase starts from; returns its names and the writes the phase needs.

    harden: every instance has Ubuntu's defaults. re-run: every instance is at the baseline. drift 10%: every
    tenth instance has the defaults, the others the baseline. (set_rules is the admin interface: not an API call.)
    """
    service.reset()
    names = service.admin.seed_fleet(count, prefix="node")
    if phase == "harden":
        return names, count
    drifted = set(names[::10]) if phase.startswith("drift") else set()
    for name in names:
        if name not in drifted:
            service.admin.set_rules(name, BASELINE)
    return names, len(drifted)


class Approach:
    name = ""
    key = ""

    def __init__(self, service: Service, ansible: Ansible) -> None:
        self.service, self.ansible = service, ansible

    def run(self, count: int, names: list[str]) -> tuple[float, dict]:
        raise NotImplementedError

    def timed_play(self, play: dict) -> float:
        """Wall time of ansible-playbook running one localhost play (no facts), with the timing callback."""
        play = dict({"name": "harden", "hosts": "localhost", "gather_facts": False}, **play)
        return self.ansible.run([play], timeout=3600, callback=TIMING_CALLBACK).check().wall


class Floor(Approach):
    name = "boto3 script, 20 threads (floor)"
    key = "floor"

    def run(self, count, names):
        started = time.monotonic()
        out = subprocess.run(FLOOR_ARGV, env=self.service.env(), capture_output=True, text=True, timeout=3600, check=True)
        return time.monotonic() - started, json.loads(out.stdout.strip().splitlines()[-1])


class FloorTask(Approach):
    """The floor script run by ansible-playbook in one ansible.builtin.command task: the least any playbook can take.

    Its time over the floor's is ansible-playbook's start-up and one task's: what every Ansible approach pays.
    """

    name = "floor.py in one ansible.builtin.command task"
    key = "floor-task"

    def run(self, count, names):
        return self.timed_play({"tasks": [{"name": "harden", "ansible.builtin.command": {"argv": FLOOR_ARGV}, "changed_when": True}]}), {}


class RoleFleet(Approach):
    name = "role, fleet mode (max_concurrency 20)"
    key = "fleet"

    def run(self, count, names):
        role_vars = dict(ROLE_VARS, firewall_baseline_scope="fleet", firewall_baseline_max_concurrency=THREADS)
        return self.timed_play({"vars": role_vars, "roles": ["seed.lightsail.firewall_baseline"]}), {}


class FleetModule(Approach):
    """The module the role's fleet mode runs, alone: what the role's report tasks add is the difference."""

    name = "fleet module alone, one task (max_concurrency 20)"
    key = "module"

    def run(self, count, names):
        task = {"name": "harden", "seed.lightsail.lightsail_firewall_baseline": {
            "mode": "apply", "baseline": "locked_down", "admin_cidrs": [ADMIN_CIDR], "max_concurrency": THREADS}}
        return self.timed_play({"tasks": [task]}), {}


class RoleHost(Approach):
    name = "role, by inventory host (forks 20)"
    key = "host"

    def inventory(self, names):
        path = self.ansible.workdir / ("inventory-%d.json" % len(names))
        if not path.exists():
            hosts = dict((name, None) for name in names)
            path.write_text(json.dumps({"all": {"hosts": hosts, "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}))
        return path

    def run(self, count, names):
        play = [{"name": "harden", "hosts": "all", "gather_facts": False, "vars": dict(ROLE_VARS, firewall_baseline_scope="host"),
                 "roles": ["seed.lightsail.firewall_baseline"]}]
        playbook = self.ansible.run(play, inventory=self.inventory(names), forks=THREADS, timeout=7200, callback=TIMING_CALLBACK).check()
        module_runs = sum(1 for task in MODULE_TASKS for line in playbook.host_lines(task) if not line.startswith("skipping"))
        return playbook.wall, {"module_runs": module_runs}


class HostFloorTask(RoleHost):
    """The floor script once, then a no-op task per host: the least any play can take that gives every host its own line
    in the recap. Its time over the floor's is ansible-core's per-host cost, which no role can go below."""

    name = "floor.py once, then a no-op task per host (forks 20)"
    key = "host-floor"

    def run(self, count, names):
        tasks = [{"name": "harden", "ansible.builtin.command": {"argv": FLOOR_ARGV}, "run_once": True, "delegate_to": "localhost", "changed_when": True},
                 {"name": "each host's outcome", "ansible.builtin.debug": {"msg": "done"}}]
        play = [{"name": "harden", "hosts": "all", "gather_facts": False, "tasks": tasks}]
        return self.ansible.run(play, inventory=self.inventory(names), forks=THREADS, timeout=7200, callback=TIMING_CALLBACK).check().wall, {}


# The role's task that runs a module in host scope: once for all the play's hosts.
MODULE_TASKS = ("Compare the instances with their baselines",)

APPROACHES = {"fleet": RoleFleet, "module": FleetModule, "floor-task": FloorTask, "host": RoleHost, "host-floor": HostFloorTask}
HOST_KEYS = ("host", "host-floor")


def _measure(service: Service, approach: Approach, count: int, phase: str) -> dict:
    names, expected_writes = prepare(service, count, phase)
    service.admin.clear_calls()
    wall, details = approach.run(count, names)
    calls = count_calls(service.admin.calls())
    check_end_state(service, count)
    return {
        "approach": approach.name, "key": approach.key, "instances": count, "phase": phase, "seconds": wall,
        "calls": sum(calls.values()), "reads": reads(calls), "writes": writes(calls), "breakdown": describe(calls),
        "list_pages": calls["GetInstances"], "expected_pages": math.ceil(count / service.page_size),
        "expected_writes": expected_writes, "details": details,
    }


def run(service: Service, ansible: Ansible, sizes: dict, log=print, host_phases=PHASES) -> list[dict]:
    """sizes: {approach key ("fleet", "host"): [instance counts]}; host_phases: the phases run by inventory host.

    Each measured run is paired with a floor run made just before it, on the same size and starting state, so that
    the ratio compares runs made under the same load. Returns one row per (approach, size, phase), with its floor.
    """
    rows = []
    floor = Floor(service, ansible)
    for key, counts in sizes.items():
        approach = APPROACHES[key](service, ansible)
        for count in counts:
            for phase in PHASES:
                if key in HOST_KEYS and phase not in host_phases:
                    continue
                base = _measure(service, floor, count, phase)
                row = _measure(service, approach, count, phase)
                row["floor"] = base
                row["ratio"] = row["seconds"] / base["seconds"]
                rows.append(row)
                log("  %-40s %5d %-10s %7.1fs  %-32s floor %5.1fs  %-28s %.1fx"
                    % (approach.name, count, phase, row["seconds"], row["breakdown"], base["seconds"], base["breakdown"], row["ratio"]))
    return rows


def role_exists() -> bool:
    return (REPO_ROOT / "roles" / "firewall_baseline" / "tasks" / "main.yml").exists()
