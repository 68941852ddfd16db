"""One instance, five operations, three tools: seed.lightsail.lightsail_instance_ports, community.aws.lightsail, the AWS CLI.

Every (tool, operation) pair gets an instance of its own, seeded with START before each repetition, so one
ansible-playbook run per tool measures every operation and the service's call log is split by instanceName.
The time of an operation is the duration of its task(s) in the ansible.posix.json callback (for the CLI, the
read task plus the write task), without ansible-playbook's own start-up.
"""

from __future__ import annotations

import json

from harness import Ansible, Service, count_calls, describe, median, reads, writes

OFFICE = "203.0.113.0/24"
WORLD4, WORLD6 = "0.0.0.0/0", "::/0"


def api_rule(port, cidrs=(WORLD4,), ipv6=(WORLD6,), protocol="tcp"):
    return {"protocol": protocol, "fromPort": port, "toPort": port, "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6)}


# Ubuntu's defaults on a dual-stack instance: SSH and HTTP from everywhere.
START = [api_rule(22), api_rule(80)]
HTTPS = api_rule(443)
EXCLUSIVE = [api_rule(22, cidrs=[OFFICE], ipv6=[]), HTTPS]

# name -> (what it asks, the firewall it must leave, whether the task runs in check mode)
OPERATIONS = {
    "no change": ("allow tcp 80 from everywhere (already allowed)", START, False),
    "open one rule": ("allow tcp 443 from everywhere", START + [HTTPS], False),
    "close one rule": ("close tcp 80", START[:1], False),
    "exclusive replace": ("firewall = tcp 22 from the office + tcp 443 from everywhere", EXCLUSIVE, False),
    "check mode": ("open one rule (tcp 443) with check_mode", START, True),
}
TOOLS = ("seed.lightsail.lightsail_instance_ports", "community.aws.lightsail (public_ports)", "AWS CLI, read + compare in Jinja + write",
         "AWS CLI, write only")


def _instance(tool_index, operation):
    return "t%d-%s" % (tool_index, operation.replace(" ", "-"))


def _ours(name, operation):
    module = "seed.lightsail.lightsail_instance_ports"
    http_world = {"protocol": "tcp", "from_port": 80, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}
    https_world = {"protocol": "tcp", "from_port": 443, "cidrs": [WORLD4], "ipv6_cidrs": [WORLD6]}
    args = {
        "no change": {"ports": [http_world]},
        "open one rule": {"ports": [https_world]},
        "close one rule": {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 80}]},
        "exclusive replace": {"purge_ports": True, "ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [OFFICE]}, https_world]},
        "check mode": {"ports": [https_world]},
    }[operation]
    task = {"name": "%s | write" % name, module: dict(args, instance_name=name)}
    if OPERATIONS[operation][2]:
        task["check_mode"] = True
    return [task]


def _snake(rule):
    return {"protocol": rule["protocol"], "from_port": rule["fromPort"], "to_port": rule["toPort"], "cidrs": rule["cidrs"], "ipv6_cidrs": rule["ipv6Cidrs"]}


def _community(name, operation):
    # It has no targeted open or close: public_ports is the whole firewall (PutInstancePublicPorts), so every
    # operation is written as the complete list of rules the instance must end up with.
    desired = OPERATIONS[operation][1] if operation != "check mode" else START + [HTTPS]
    task = {
        "name": "%s | write" % name,
        "community.aws.lightsail": {
            "name": name, "state": "present", "zone": "us-east-1a", "blueprint_id": "ubuntu_22_04", "bundle_id": "nano_3_0",
            "public_ports": [_snake(rule) for rule in desired],
        },
    }
    if OPERATIONS[operation][2]:
        task["check_mode"] = True
    return [task]


def _aws(subcommand, name, *args):
    argv = ["{{ aws_cli }}", "lightsail", subcommand, "--endpoint-url", "{{ endpoint_url }}", "--output", "json", "--instance-name", name]
    return {"argv": argv + list(args)}


def _has(rule_var, rule):
    """Jinja: does the read firewall hold this rule with (at least) these sources?"""
    return ("(%s.stdout | from_json).portStates | selectattr('protocol', 'eq', '%s') | selectattr('fromPort', 'eq', %d)"
            " | selectattr('toPort', 'eq', %d) | selectattr('cidrs', 'contains', '%s') | list | length > 0"
            % (rule_var, rule["protocol"], rule["fromPort"], rule["toPort"], rule["cidrs"][0]))


# The firewall as read, as a sorted list of [protocol, from, to, cidrs, ipv6 cidrs, aliases]: what a user writes to
# compare a whole firewall in Jinja (no normalisation: 192.0.2.1 and 192.0.2.1/32 differ here, unlike in our module).
SIGNATURE = ("{%% set s = [] %%}{%% for p in (%s.stdout | from_json).portStates %%}{%% set _ = s.append([p.protocol, p.fromPort, p.toPort,"
             " p.cidrs | default([]) | sort, p.ipv6Cidrs | default([]) | sort, p.cidrListAliases | default([]) | sort]) %%}{%% endfor %%}{{ s | sort }}")


def _signature(rules):
    return sorted([r["protocol"], r["fromPort"], r["toPort"], sorted(r["cidrs"]), sorted(r["ipv6Cidrs"]), []] for r in rules)


def _cli(name, operation, read=True):
    var = "read_" + name.replace("-", "_")
    tasks = []
    if read:
        tasks.append({"name": "%s | read" % name, "ansible.builtin.command": _aws("get-instance-port-states", name),
                      "register": var, "changed_when": False, "check_mode": False})
    port_info = json.dumps(dict(HTTPS, cidrListAliases=[]))
    if operation == "no change":
        write = _aws("open-instance-public-ports", name, "--port-info", json.dumps(dict(START[1], cidrListAliases=[])))
        when = "not (%s)" % _has(var, START[1])
    elif operation in ("open one rule", "check mode"):
        write = _aws("open-instance-public-ports", name, "--port-info", port_info)
        when = "not (%s)" % _has(var, HTTPS)
    elif operation == "close one rule":
        write = _aws("close-instance-public-ports", name, "--port-info", json.dumps(dict(START[1], cidrListAliases=[])))
        when = _has(var, START[1])
    else:
        write = _aws("put-instance-public-ports", name, "--port-infos", json.dumps([dict(r, cidrListAliases=[]) for r in EXCLUSIVE]))
        when = "(%s | from_yaml) != %s" % ("current_firewall", json.dumps(_signature(EXCLUSIVE)))
    task = {"name": "%s | write" % name, "ansible.builtin.command": write}
    if read:
        task["when"] = when
        if operation == "exclusive replace":
            task["vars"] = {"current_firewall": SIGNATURE % var}
    if OPERATIONS[operation][2]:
        task["check_mode"] = True
    tasks.append(task)
    return tasks


def _tasks(tool_index, operation, name=None):
    name = name or _instance(tool_index, operation)
    if tool_index == 0:
        return _ours(name, operation)
    if tool_index == 1:
        return _community(name, operation)
    return _cli(name, operation, read=tool_index == 2)


def run(service: Service, ansible: Ansible, repeat: int = 3, log=print) -> list[dict]:
    """Measure every (tool, operation); returns one row per pair."""
    service.reset()
    for tool_index in range(len(TOOLS)):
        service.admin.seed_instance(_instance(tool_index, "warm-up"), ports=START)
        for operation in OPERATIONS:
            service.admin.seed_instance(_instance(tool_index, operation), ports=START)
    aws_cli = str(ansible.service.env()["PATH"].split(":")[0]) + "/aws"
    rows = []
    for tool_index, tool in enumerate(TOOLS):
        # A first task on an instance of its own, not counted: ansible-playbook builds and caches each module's
        # AnsiballZ payload on its first use, which would otherwise be charged to whichever operation came first.
        tasks = [dict(task, name="warm-up: " + task["name"]) for task in _tasks(tool_index, "no change", _instance(tool_index, "warm-up"))]
        tasks += [task for operation in OPERATIONS for task in _tasks(tool_index, operation)]
        play = [{"name": tool, "hosts": "localhost", "gather_facts": False, "tasks": tasks,
                 "vars": {"aws_cli": aws_cli, "endpoint_url": service.url}}]
        samples = {operation: [] for operation in OPERATIONS}
        counts, outcome = {}, {}
        for rep in range(repeat):
            for operation in ("warm-up",) + tuple(OPERATIONS):
                service.admin.set_rules(_instance(tool_index, operation), START)
            service.admin.clear_calls()
            playbook = ansible.run(play).check()
            calls = service.admin.calls()
            for operation, (unused_asks, expected, unused_check) in OPERATIONS.items():
                name = _instance(tool_index, operation)
                mine = count_calls([c for c in calls if (c.get("params") or {}).get("instanceName") == name])
                if rep and mine != counts[operation]:
                    raise AssertionError("%s / %s: calls differ between repetitions: %s vs %s" % (tool, operation, mine, counts[operation]))
                counts[operation] = mine
                names = [t["name"] for t in _tasks(tool_index, operation)]
                samples[operation].append(sum(playbook.task_seconds(n) for n in names))
                result = playbook.result(names[-1])
                got = sorted(_signature(_firewall(service, name)))
                outcome[operation] = {"reported": _reported(result), "end_state_ok": got == sorted(_signature(expected))}
        for operation in OPERATIONS:
            rows.append({
                "tool": tool, "operation": operation, "asks": OPERATIONS[operation][0],
                "calls": sum(counts[operation].values()), "reads": reads(counts[operation]), "writes": writes(counts[operation]),
                "breakdown": describe(counts[operation]), "seconds": median(samples[operation]), "samples": samples[operation],
                **outcome[operation],
            })
            log("  %-45s %-18s %-38s %6.2fs %s" % (tool, operation, rows[-1]["breakdown"], rows[-1]["seconds"], outcome[operation]["reported"]))
    return rows


def _reported(result):
    """What the user sees: changed, ok, or why the write task was skipped."""
    if result.get("skipped"):
        if "false_condition" in result:
            return "ok (write skipped by its when)"
        return "skipped: %s" % result.get("msg", result.get("skip_reason", ""))
    return "changed" if result.get("changed") else "ok"


def _firewall(service, name):
    return [{"protocol": r["protocol"], "fromPort": r["fromPort"], "toPort": r["toPort"], "cidrs": r.get("cidrs") or [],
             "ipv6Cidrs": r.get("ipv6Cidrs") or []} for r in service.admin.rules(name)]
