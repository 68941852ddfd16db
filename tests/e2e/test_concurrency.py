"""Concurrency: several writers on one instance's firewall.

state=present and state=absent are targeted writes (one Open or Close per rule they name), so rules that other
runs add between our read and our write survive. purge_ports=true is one PutInstancePublicPorts of the whole
firewall as planned from the read: what others change in between is undone, as the module's notes say.

Two kinds of test: real concurrent runs (several hosts of one play, all on one instance, with latency added so
that every run reads before any run writes), and deterministic interleavings (a watcher changes the firewall
directly as soon as the module's read shows up in the call log, while the module's write waits out the latency).
"""

from __future__ import annotations

import threading
import time

from firewall_shapes import as_options, canonical, rule, stored

MODULE = "seed.lightsail.lightsail_instance_ports"
READ, OPEN, CLOSE = "GetInstancePortStates", "OpenInstancePublicPorts", "CloseInstancePublicPorts"
OFFICE, HOME, WORLD4, WORLD6 = "203.0.113.0/24", "198.51.100.7/32", "0.0.0.0/0", "::/0"


START = [rule("tcp", 22, cidrs=[OFFICE]), rule("tcp", 80, cidrs=[WORLD4], ipv6=[WORLD6]), rule("tcp", 3306, cidrs=[WORLD4])]
START_TEXT = "tcp 22: cidrs 203.0.113.0/24\ntcp 80: cidrs 0.0.0.0/0; ipv6_cidrs ::/0\ntcp 3306: cidrs 0.0.0.0/0\n"

# ---- real concurrent runs --------------------------------------------------------------------------------------

# Each writer (a host of the play) changes a different rule of the same instance.
WRITERS = {
    "writer-1": {"ports": [{"protocol": "tcp", "from_port": 443, "cidrs": [WORLD4]}]},
    "writer-2": {"ports": [{"protocol": "udp", "from_port": 53, "cidrs": [OFFICE]}]},
    "writer-3": {"ports": [{"protocol": "icmp", "from_port": 8, "cidrs": [HOME]}]},
    "writer-4": {"ports": [{"protocol": "tcp", "from_port": 8000, "to_port": 8100, "ipv6_cidrs": ["2001:db8::/32"]}]},
    "writer-5": {"state": "absent", "ports": [{"protocol": "tcp", "from_port": 3306}]},
}
AFTER_ALL_WRITERS = START[:2] + [rule("tcp", 443, cidrs=[WORLD4]), rule("udp", 53, cidrs=[OFFICE]), rule("icmp", 8, -1, cidrs=[HOME]),
                                 rule("tcp", 8000, 8100, ipv6=["2001:db8::/32"])]


def test_concurrent_runs_on_one_instance_lose_no_rule(ansible, lightsail_admin):
    lightsail_admin.seed_instance("shared", ports=START)
    # Replacing sources on Open is the reading most likely to lose something; each call takes 3 s, so every run
    # reads before any run writes (asserted below from the call log).
    lightsail_admin.set_behaviour(open_existing="replace", close_sources="whole_rule")
    lightsail_admin.latency(3.0)
    inventory = {"all": {"hosts": {name: {"ansible_connection": "local", "case_args": args} for name, args in WRITERS.items()}}}
    task = {"name": "write", MODULE: {"instance_name": "shared", "state": "{{ case_args.state | default('present') }}", "ports": "{{ case_args.ports }}"}}
    run = ansible.playbook([{"name": "writers", "hosts": "all", "gather_facts": False, "tasks": [task]}], inventory=inventory, args=["--forks", "5"])
    lightsail_admin.latency(0)

    calls = lightsail_admin.calls()
    operations = [c["operation"] for c in calls]
    assert sorted(operations) == sorted([READ] * 5 + [OPEN] * 4 + [CLOSE]), operations
    first_write = min(i for i, op in enumerate(operations) if op != READ)
    assert operations[:first_write].count(READ) >= 2, "the runs did not overlap (%s), so the test proves nothing" % operations
    assert all(r["changed"] and not r.get("failed") for r in run.results("write"))
    assert stored(lightsail_admin, "shared") == canonical(AFTER_ALL_WRITERS)


# ---- deterministic interleavings -------------------------------------------------------------------------------

class Intruder:
    """Changes instances' rules directly (as another tool would) right after the module has read them.

    The module's write then arrives while the service holds every call for the configured latency, so the change
    always lands between the module's read and its write.
    """

    def __init__(self, admin, changes):
        self.admin, self.changes, self.done = admin, dict(changes), []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join(timeout=10)

    def _watch(self):
        while not self._stop.is_set() and len(self.done) < len(self.changes):
            read = set(c["params"]["instanceName"] for c in self.admin.calls(READ))
            for name in sorted(set(self.changes) & read - set(self.done)):
                self.admin.set_rules(name, self.changes[name](self.admin.rules(name)))
                self.done.append(name)
            time.sleep(0.05)


def adding(extra):
    return lambda rules: rules + [extra]


def adding_source(port, cidr):
    def change(rules):
        for entry in rules:
            if entry["fromPort"] == port:
                entry["cidrs"] = entry["cidrs"] + [cidr]
        return rules
    return change


def removing_source(port, cidr):
    def change(rules):
        for entry in rules:
            if entry["fromPort"] == port:
                entry["cidrs"] = [item for item in entry["cidrs"] if item != cidr]
        return rules
    return change


def closing(port):
    return lambda rules: [entry for entry in rules if entry["fromPort"] != port]


DNS = rule("udp", 53, cidrs=[OFFICE])
OTHERS_SOURCE = "10.9.0.0/16"
# instance: (task args, what someone else does between our read and our write, the firewall afterwards)
INTERLEAVINGS = {
    "present-add": ({"ports": [{"protocol": "tcp", "from_port": 8080, "cidrs": [HOME]}]}, adding(DNS),
                    START + [rule("tcp", 8080, cidrs=[HOME]), DNS]),
    "absent-close": ({"state": "absent", "ports": [{"protocol": "tcp", "from_port": 3306}]}, adding(DNS),
                     START[:2] + [DNS]),
    # Documented: purge_ports makes the firewall exactly the list, from one Put planned on the read. A rule opened
    # by someone else in between is closed, one closed by someone else in between is opened again.
    "purge-closes-theirs": ({"purge_ports": True, "ports": as_options(START[:2])}, adding(DNS), START[:2]),
    "purge-reopens-ours": ({"purge_ports": True, "ports": as_options(START[:2] + [rule("tcp", 443, cidrs=[WORLD4])])}, closing(80),
                           START[:2] + [rule("tcp", 443, cidrs=[WORLD4])]),
    # The same rule: Open sends the rule's complete sources. Lightsail merging them keeps the source someone else
    # added in between (see test_same_rule_under_replace for the other reading).
    "same-rule-merge": ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [HOME]}]}, adding_source(22, OTHERS_SOURCE),
                        [rule("tcp", 22, cidrs=[OFFICE, HOME, OTHERS_SOURCE])] + START[1:]),
    # The same rule, the other way round: someone else removes a source between our read and our Open. The Open
    # re-sends it (it sends the rule's complete sources as read), so the removal is undone, also when Lightsail merges.
    "add-undoes-removal": ({"ports": [{"protocol": "tcp", "from_port": 22, "cidrs": [HOME]}]}, removing_source(22, OFFICE),
                           [rule("tcp", 22, cidrs=[OFFICE, HOME])] + START[1:]),
}


def test_changes_between_read_and_write(ansible, lightsail_admin):
    for name in list(INTERLEAVINGS) + ["same-rule-replace"]:
        lightsail_admin.seed_instance(name, ports=START)
    lightsail_admin.latency(1.0)
    replace = {"name": "Lightsail replaces sources on Open from here on", "ansible.builtin.uri": {
        "url": lightsail_admin.url + "/_admin/behaviour", "method": "POST", "body_format": "json", "body": {"open_existing": "replace"}, "use_proxy": False}}
    tasks = [{"name": name, MODULE: dict(args, instance_name=name)} for name, (args, _change, _expected) in INTERLEAVINGS.items()]
    tasks += [replace, {"name": "same-rule-replace", MODULE: dict(INTERLEAVINGS["same-rule-merge"][0], instance_name="same-rule-replace")}]
    changes = dict((name, case[1]) for name, case in INTERLEAVINGS.items())
    changes["same-rule-replace"] = INTERLEAVINGS["same-rule-merge"][1]
    with Intruder(lightsail_admin, changes) as intruder:
        run = ansible.playbook([{"name": "interleavings", "hosts": "localhost", "gather_facts": False, "tasks": tasks}], diff=True)
    lightsail_admin.latency(0)
    assert sorted(intruder.done) == sorted(changes)

    for name, (_args, _change, expected) in INTERLEAVINGS.items():
        result = run.result(name)
        assert result["diff"]["before"] == START_TEXT, "%s: the module read before the other change" % name
        assert stored(lightsail_admin, name) == canonical(expected), name

    # Documented limitation: when Lightsail replaces a rule's sources on Open, a source someone else adds to the
    # same rule between our read and our Open is lost (Open must send the complete sources to be right either way).
    replaced = run.result("same-rule-replace")
    assert replaced["diff"]["before"] == START_TEXT
    assert stored(lightsail_admin, "same-rule-replace") == canonical([rule("tcp", 22, cidrs=[OFFICE, HOME])] + START[1:])
