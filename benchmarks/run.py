"""seed.lightsail benchmarks: API calls and wall time, side by side with what a user would otherwise pick.

    make bench                                   # everything, default sizes (see --help)
    .venv/bin/python benchmarks/run.py --parts ports,profile
    .venv/bin/python benchmarks/run.py --quick   # small sizes, a minute or two: does it all still run?

Starts the test Lightsail service (tests/lightsail_service) on 127.0.0.1 in a process of its own, with --latency
seconds added to every API call, and prints markdown tables; they are also written, with the raw figures, to
.tmp/bench/latest.md and .tmp/bench/latest.json. Not part of the test gate: the call budgets are asserted,
as counts, by tests/e2e/test_call_budget.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import audit  # noqa: E402  (benchmarks/ is put on sys.path just above)
import fleet  # noqa: E402
import ports  # noqa: E402
import profile_imports  # noqa: E402
from harness import REPO_ROOT, Ansible, Service, markdown_table, scratch_dir  # noqa: E402

PARTS = ("ports", "fleet", "audit", "profile")


def _sizes(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()] if text else []


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--parts", default=",".join(PARTS), help="which benchmarks, comma-separated: %s" % ", ".join(PARTS))
    parser.add_argument("--latency", type=float, default=0.05, help="seconds the service adds to every API call")
    parser.add_argument("--page-size", type=int, default=25, help="instances per GetInstances page; the real page size is undocumented")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each single-instance operation (the time shown is the median)")
    parser.add_argument("--fleet-sizes", default="200,1000", help="fleet sizes for the role in fleet mode (and the floor)")
    parser.add_argument("--host-sizes", default="200,1000",
                        help="fleet sizes for the role by inventory host, forks 20 (and the floor)")
    parser.add_argument("--no-module-alone", dest="module_alone", action="store_false",
                        help="skip the fleet module alone (without the role's report) and the floor script run by Ansible: "
                             "in one task (fleet sizes), and once before a no-op task per host (host sizes)")
    parser.add_argument("--host-phases", default="harden,re-run,drift 10%", help="runs by inventory host, of: %s" % ", ".join(fleet.PHASES).replace("%", "%%"))
    parser.add_argument("--audit-size", type=int, default=1000, help="instances in the audited region")
    parser.add_argument("--loop-size", type=int, default=100, help="instances read by the looped info module (0: skip); one module run each")
    parser.add_argument("--profile-runs", type=int, default=5, help="fresh interpreters per import profile")
    parser.add_argument("--quick", action="store_true",
                        help="small sizes: --repeat 1 --fleet-sizes 40 --host-sizes 20 --audit-size 60 --loop-size 5 --profile-runs 2")
    parser.add_argument("--output", default=str(REPO_ROOT / ".tmp" / "bench"), help="where latest.md and latest.json go")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeat, args.fleet_sizes, args.host_sizes, args.audit_size, args.loop_size, args.profile_runs = 1, "40", "20", 60, 5, 2
    args.parts = [part.strip() for part in args.parts.split(",") if part.strip()]
    unknown = set(args.parts) - set(PARTS)
    if unknown:
        parser.error("unknown parts: %s" % ", ".join(sorted(unknown)))
    return args


def _secs(value) -> str:
    return "%.2f s" % value if value < 10 else "%.1f s" % value


def ports_table(rows) -> str:
    body = [[r["operation"], r["tool"], r["breakdown"], r["writes"], _secs(r["seconds"]), r["reported"], "yes" if r["end_state_ok"] else "NO"] for r in rows]
    return markdown_table(["operation", "tool", "API calls", "writes", "time per task (median)", "task reports", "end state as asked"], body)


def fleet_table(rows) -> str:
    body = []
    for r in rows:
        writes = "%d (expected %d)" % (r["writes"], r["expected_writes"])
        pages = "%d (ceil(n/page) = %d)" % (r["list_pages"], r["expected_pages"])
        runs = r["details"].get("module_runs_per_instance")
        runs = "%.0f" % runs if runs is not None else "1 for the region"
        body.append([r["approach"], r["instances"], r["phase"], _secs(r["seconds"]), _secs(r["floor"]["seconds"]), "%.1fx" % r["ratio"],
                     r["breakdown"], r["floor"]["breakdown"], pages, writes, runs])
    header = ["approach", "instances", "run", "wall time", "floor, run just before", "x floor", "API calls", "floor's API calls", "GetInstances calls",
              "writes", "module runs per instance"]
    return markdown_table(header, body)


def audit_table(rows) -> str:
    body = [[r["approach"], r["instances"], r["breakdown"], "%d" % r["expected_pages"], _secs(r["seconds"])] for r in rows]
    return markdown_table(["approach", "instances", "API calls", "ceil(n/page)", "wall time"], body)


def profile_table(result) -> str:
    modules = list(result)
    labels = [layer[0].split(" (")[0] for layer in result[modules[0]]["layers"]]
    body = [[label] + [_secs(result[m]["layers"][i][1]) for m in modules] for i, label in enumerate(labels)]
    body.append(["total"] + [_secs(result[m]["total"]) for m in modules])
    body.append(["of which our modules' own code (-X importtime, self)"] + ["%.1f ms" % (1000 * sum(own[1] for own in result[m]["own_self"])) for m in modules])
    return markdown_table(["layer (added on top of the rows above)"] + modules, body)


def budgets(results, page_size) -> list[tuple[str, bool, str]]:
    """The issue's goals, checked against the figures just measured."""
    checks = []
    ours = dict((r["operation"], r) for r in results.get("ports", []) if r["tool"].startswith("seed."))
    if ours:
        checks.append(("no-change run makes 1 call", ours["no change"]["calls"] == 1, ours["no change"]["breakdown"]))
        for op in ("open one rule", "close one rule", "exclusive replace"):
            r = ours[op]
            checks.append(("%s: 1 read + 1 write" % op, (r["reads"], r["writes"]) == (1, 1), r["breakdown"]))
        checks.append(("check mode makes 0 writes", ours["check mode"]["writes"] == 0, ours["check mode"]["breakdown"]))
    for r in results.get("audit", []):
        if r["approach"].startswith("info module, region"):
            checks.append(("region audit of %d instances: one call per page" % r["instances"], r["calls"] == r["expected_pages"], r["breakdown"]))
    for r in results.get("fleet", []):
        if r["key"] == "fleet":
            ok = r["list_pages"] == r["expected_pages"] and r["reads"] == r["list_pages"] and r["writes"] == r["expected_writes"]
            goal = "fleet mode, %d instances, %s: ceil(n/page) reads, writes only where a firewall differs" % (r["instances"], r["phase"])
            checks.append((goal, ok, r["breakdown"]))
            limit = 1.5 if r["instances"] >= 1000 else 3.0
            checks.append(("fleet mode, %d instances, %s: within %gx of the floor" % (r["instances"], r["phase"], limit), r["ratio"] <= limit,
                           "%.1fx (%s vs %s)" % (r["ratio"], _secs(r["seconds"]), _secs(r["floor"]["seconds"]))))
        if r["key"] == "host":
            runs = r["details"].get("module_runs")
            ok = runs == 1 and r["writes"] == r["expected_writes"] and r["reads"] <= r["expected_pages"]
            checks.append(("host scope, %d hosts, %s: one module run for all hosts, reads at most a listing, writes only where needed"
                           % (r["instances"], r["phase"]), ok, "%s module run(s), %s" % (runs, r["breakdown"])))
            limit = 3.0 if r["instances"] >= 1000 else 4.0
            checks.append(("host scope, %d hosts, %s: within %gx of the floor" % (r["instances"], r["phase"], limit), r["ratio"] <= limit,
                           "%.1fx (%s vs %s)" % (r["ratio"], _secs(r["seconds"]), _secs(r["floor"]["seconds"]))))
    return checks


def main(argv=None) -> int:
    args = parse_args(argv)
    os.makedirs(args.output, exist_ok=True)
    started = time.time()
    results = {}
    environment = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
        "latency": args.latency, "page_size": args.page_size, "load_average_before": os.getloadavg(),
    }
    print("seed.lightsail benchmarks: latency %.0f ms per call, GetInstances page size %d, %d CPUs, load average %.1f"
          % (args.latency * 1000, args.page_size, os.cpu_count(), os.getloadavg()[0]), flush=True)
    with Service(page_size=args.page_size, latency=args.latency) as service:
        ansible = Ansible(service, scratch_dir("run-"))
        if "ports" in args.parts:
            print("single instance, %d runs each:" % args.repeat, flush=True)
            results["ports"] = ports.run(service, ansible, repeat=args.repeat, log=_log)
        if "fleet" in args.parts:
            sizes = {"fleet": _sizes(args.fleet_sizes), "module": _sizes(args.fleet_sizes) if args.module_alone else [],
                     "floor-task": _sizes(args.fleet_sizes) if args.module_alone else [], "host": _sizes(args.host_sizes),
                     "host-floor": _sizes(args.host_sizes) if args.module_alone else []}
            if not fleet.role_exists():
                print("  roles/firewall_baseline does not exist: nothing to measure against the floor", flush=True)
                sizes = {}
            print("hardening fleets:", flush=True)
            host_phases = [phase.strip() for phase in args.host_phases.split(",") if phase.strip()]
            results["fleet"] = fleet.run(service, ansible, sizes, log=_log, host_phases=host_phases)
        if "audit" in args.parts:
            print("auditing a region of %d instances:" % args.audit_size, flush=True)
            results["audit"] = audit.run(service, ansible, args.audit_size, args.loop_size, fleet.role_exists(), log=_log)
    if "profile" in args.parts:
        print("module start-up, import layers (median of %d fresh interpreters):" % args.profile_runs, flush=True)
        results["profile"] = profile_imports.run(runs=args.profile_runs, log=_log)
    environment["load_average_after"] = os.getloadavg()
    environment["seconds"] = time.time() - started

    sections = ["# seed.lightsail benchmark run", "",
                "%s; %d CPUs; Python %s; latency %.0f ms per API call; GetInstances page size %d; load average %.1f before, %.1f after; %.0f s in all."
                % (environment["date"], environment["cpus"], environment["python"], args.latency * 1000, args.page_size,
                   environment["load_average_before"][0], environment["load_average_after"][0], environment["seconds"])]
    if "ports" in results:
        sections += ["", "## One instance", "", ports_table(results["ports"])]
    if "fleet" in results:
        sections += ["", "## Hardening a fleet", "", fleet_table(results["fleet"])]
    if "audit" in results:
        sections += ["", "## Auditing a region", "", audit_table(results["audit"])]
    if "profile" in results:
        sections += ["", "## Module start-up", "", profile_table(results["profile"])]
    checks = budgets(results, args.page_size)
    if checks:
        sections += ["", "## Budgets", "", markdown_table(["goal", "holds", "measured"], [[goal, "yes" if ok else "NO", got] for goal, ok, got in checks])]
    text = "\n".join(sections) + "\n"
    print()
    print(text)
    with open(os.path.join(args.output, "latest.md"), "w", encoding="utf-8") as handle:
        handle.write(text)
    with open(os.path.join(args.output, "latest.json"), "w", encoding="utf-8") as handle:
        json.dump({"environment": environment, "args": vars(args), "results": results}, handle, indent=1, default=str)
    print("written: %s, %s" % (os.path.join(args.output, "latest.md"), os.path.join(args.output, "latest.json")))
    return 0


def _log(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
