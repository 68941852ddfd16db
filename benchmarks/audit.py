"""Auditing a region: one paginated listing against one call per instance.

  info module, region mode        seed.lightsail.lightsail_instance_ports_info without instance_name: one task
  role, fleet mode, audit         the role with firewall_baseline_mode=audit: the same listing plus the report
  boto3, 20 threads, per instance GetInstancePortStates for every instance (benchmarks/floor.py audit-per-instance)
  info module looped per instance lightsail_instance_ports_info with instance_name in a loop: one module run per instance
                                  (its own, smaller, size: each iteration is a whole module run)

Wall time is the whole command (ansible-playbook with the default stdout callback), start-up included.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from pathlib import Path

from harness import TIMING_CALLBACK, Ansible, Service, count_calls, describe, reads, writes

INFO = "seed.lightsail.lightsail_instance_ports_info"


def _measure(service: Service, label: str, count: int, action) -> dict:
    service.admin.clear_calls()
    seconds, checked = action()
    calls = count_calls(service.admin.calls())
    if checked != count:
        raise AssertionError("%s reported %s instances, not %d" % (label, checked, count))
    if writes(calls):
        raise AssertionError("%s wrote during an audit: %s" % (label, describe(calls)))
    return {"approach": label, "instances": count, "seconds": seconds, "calls": sum(calls.values()), "reads": reads(calls),
            "breakdown": describe(calls), "reported": checked, "expected_pages": math.ceil(count / service.page_size)}


def run(service: Service, ansible: Ansible, count: int, loop_count: int, with_role: bool, log=print) -> list[dict]:
    service.reset()
    names = service.admin.seed_fleet(count, prefix="node")
    rows = []

    def info_region():
        tasks = [{"name": "read the region", INFO: {}, "register": "audit"},
                 {"name": "count", "ansible.builtin.debug": {"msg": "instances={{ audit.instances | length }}"}}]
        playbook = ansible.run([{"name": "audit", "hosts": "localhost", "gather_facts": False, "tasks": tasks}], callback=TIMING_CALLBACK).check()
        return playbook.wall, int(playbook.debug_value("instances"))

    rows.append(_measure(service, "info module, region mode (1 task)", count, info_region))

    if with_role:
        def role_audit():
            play = [{"name": "audit", "hosts": "localhost", "gather_facts": False,
                     "vars": {"firewall_baseline_mode": "audit", "firewall_baseline_scope": "fleet", "firewall_baseline_admin_cidrs": ["203.0.113.0/24"]},
                     "roles": ["seed.lightsail.firewall_baseline"],
                     "post_tasks": [{"name": "count", "ansible.builtin.debug": {"msg": "instances={{ firewall_baseline_report.summary.instances }}"}}]}]
            playbook = ansible.run(play, callback=TIMING_CALLBACK).check()
            return playbook.wall, int(playbook.debug_value("instances"))

        rows.append(_measure(service, "role, fleet mode, audit", count, role_audit))

    def boto3_per_instance():
        names_file = ansible.write("names.json", json.dumps(names))
        command = [sys.executable, str(Path(__file__).with_name("floor.py")), "audit-per-instance", "--threads", "20", "--names-file", str(names_file)]
        started = time.monotonic()
        out = subprocess.run(command, env=service.env(), capture_output=True, text=True, timeout=3600, check=True)
        return time.monotonic() - started, json.loads(out.stdout.strip().splitlines()[-1])["instances"]

    rows.append(_measure(service, "boto3 GetInstancePortStates per instance, 20 threads", count, boto3_per_instance))

    if loop_count:
        def info_loop():
            task = {"name": "read each instance", INFO: {"instance_name": "{{ item }}"}, "loop": names[:loop_count], "register": "audit"}
            play = [{"name": "audit", "hosts": "localhost", "gather_facts": False, "tasks": [task]}]
            playbook = ansible.run(play, timeout=3600, callback=TIMING_CALLBACK).check()
            return playbook.wall, len([line for line in playbook.host_lines("read each instance") if line.startswith("ok")])

        rows.append(_measure(service, "info module looped with instance_name", loop_count, info_loop))
    for row in rows:
        log("  %-55s %5d %7.1fs  %s" % (row["approach"], row["instances"], row["seconds"], row["breakdown"]))
    return rows
