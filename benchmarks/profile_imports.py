"""Where a module run's start-up goes, layer by layer, and whether any import of ours is slow.

Layers, imported one after the other in a fresh interpreter (ansible_collections.* as plain packages, as in an
AnsiballZ payload), each timed with perf_counter, so each figure is what that layer adds on top of the ones before
(its standard-library imports included):

  ansible.module_utils.basic                  what every module pays
  boto3 (and botocore)                        the SDK
  amazon.aws module_utils                     AnsibleAWSModule, retries, error handling
  seed.lightsail module_utils                 ours, pure Python and the boto3 adapter
  the module itself
  a Lightsail client                          what AnsibleAWSModule.client() adds: a session, endpoints, the service model

Medians of --runs fresh interpreters. `python -X importtime` then lists the self time of each of our own modules.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from harness import collections_root

MODULES = ("lightsail_instance_ports", "lightsail_instance_ports_info", "lightsail_firewall_baseline")
OURS = "ansible_collections.seed.lightsail.plugins"
AMAZON = "ansible_collections.amazon.aws.plugins.module_utils"
LAYERS = (
    ("ansible.module_utils.basic", ["ansible.module_utils.basic"]),
    ("boto3 + botocore", ["botocore.session", "botocore.client", "boto3"]),
    ("amazon.aws module_utils", ["%s.%s" % (AMAZON, m) for m in ("botocore", "modules", "retries", "errors", "exceptions", "common")]),
    ("seed.lightsail module_utils",
     ["%s.module_utils.%s" % (OURS, m) for m in ("rules", "plan", "transformations", "instance_facts", "selection", "policy", "baseline",
                                                 "compliance", "errors", "argument_specs", "base", "lightsail", "plan_execution")]),
)
CHILD = r"""
import importlib, json, sys, time
layers = json.loads(sys.argv[1])
out = []
for label, names in layers:
    t = time.perf_counter()
    for name in names:
        importlib.import_module(name)
    out.append([label, time.perf_counter() - t])
t = time.perf_counter()
import boto3
boto3.session.Session().client("lightsail", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
out.append(["a Lightsail client", time.perf_counter() - t])
print(json.dumps(out))
"""


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([collections_root()] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    return env


def layers(module: str, env: dict) -> list:
    spec = [list(layer) for layer in LAYERS] + [["the module (%s)" % module, ["%s.modules.%s" % (OURS, module)]]]
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec)], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def own_self_times(module: str, env: dict) -> dict:
    """{our module name: self import time in seconds} from python -X importtime."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import %s.modules.%s" % (OURS, module)], env=env, capture_output=True, text=True,
                         check=True)
    found = {}
    for line in out.stderr.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            self_us, _cumulative, name = [part.strip() for part in line[len("import time:"):].split("|")]
            if name.startswith("ansible_collections.seed"):
                found[name] = int(self_us) / 1e6
    return found


def run(runs: int = 5, log=print) -> dict:
    env = _env()
    for module in MODULES:  # bytecode caches warm before measuring
        subprocess.run([sys.executable, "-c", "import %s.modules.%s" % (OURS, module)], env=env, check=True, capture_output=True)
    result = {}
    for module in MODULES:
        samples = [layers(module, env) for unused in range(runs)]
        labels = [layer[0] for layer in samples[0]]
        medians = [(label, statistics.median(sample[i][1] for sample in samples)) for i, label in enumerate(labels)]
        own_samples = [own_self_times(module, env) for unused in range(runs)]
        own = dict((name, statistics.median(s.get(name, 0.0) for s in own_samples)) for name in own_samples[0])
        result[module] = {"layers": medians, "total": sum(layer[1] for layer in medians), "own_self": sorted(own.items(), key=lambda kv: -kv[1])}
        log("  %-30s %s" % (module, ", ".join("%s %.3fs" % (label.split(" (")[0], value) for label, value in medians)))
        log("  %-30s our modules' self import time: %.4fs in total, slowest %s %.4fs"
            % ("", sum(own.values()), result[module]["own_self"][0][0].rsplit(".", 1)[1], result[module]["own_self"][0][1]))
    return result
