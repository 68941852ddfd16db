"""The floor: a raw boto3 script with a thread pool, no Ansible, no checks beyond what the job needs.

    python benchmarks/floor.py harden --baseline '[{"protocol": "tcp", "fromPort": 22, ...}]' [--threads 20]
    python benchmarks/floor.py audit-per-instance --names-file names.json [--threads 20]

harden: the same reads and writes as the fleet module: GetInstances page by page (each page needs the token of
the one before, so the listing is sequential), compare each instance's public rules with the baseline, then one
PutInstancePublicPorts per instance that differs, --threads at a time.

audit-per-instance: one GetInstancePortStates per named instance, --threads at a time: what auditing costs
without a listing that carries the rules.

Endpoint, region and credentials come from the environment (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY). Prints one JSON line: calls made, instances written, seconds (from after the imports).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config


def rule_key(rule: dict) -> tuple:
    protocol = "all" if str(rule["protocol"]).lower() in ("all", "-1") else str(rule["protocol"]).lower()
    return (protocol, rule["fromPort"], rule["toPort"], frozenset(rule.get("cidrs") or ()), frozenset(rule.get("ipv6Cidrs") or ()),
            frozenset(rule.get("cidrListAliases") or ()))


def public_rules(instance: dict) -> set:
    ports = (instance.get("networking") or {}).get("ports") or []
    return {rule_key(p) for p in ports if (p.get("accessType") or "public").lower() == "public"}


def make_client(threads: int):
    config = Config(max_pool_connections=max(10, threads), retries={"mode": "standard", "max_attempts": 5})
    return boto3.session.Session().client("lightsail", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_URL"), config=config)


def harden(client, baseline: list[dict], threads: int) -> dict:
    wanted = {rule_key(r) for r in baseline}
    calls, differing, token = 0, [], None
    while True:
        page = client.get_instances(**({"pageToken": token} if token else {}))
        calls += 1
        differing += [i["name"] for i in page.get("instances", []) if public_rules(i) != wanted]
        token = page.get("nextPageToken")
        if not token:
            break

    def put(name):
        client.put_instance_public_ports(instanceName=name, portInfos=baseline)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(put, differing))
    return {"calls": calls + len(differing), "list_calls": calls, "written": len(differing)}


def audit_per_instance(client, names: list[str], threads: int) -> dict:
    def read(name):
        return client.get_instance_port_states(instanceName=name)["portStates"]

    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = list(pool.map(read, names))
    return {"calls": len(names), "instances": len(results), "rules": sum(len(r) for r in results)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("job", choices=("harden", "audit-per-instance"))
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--baseline", help="harden: the baseline firewall as a JSON list of portInfos")
    parser.add_argument("--names-file", help="audit-per-instance: a JSON list of instance names")
    args = parser.parse_args(argv)
    client = make_client(args.threads)
    started = time.monotonic()
    if args.job == "harden":
        result = harden(client, json.loads(args.baseline), args.threads)
    else:
        with open(args.names_file, encoding="utf-8") as handle:
            result = audit_per_instance(client, json.load(handle), args.threads)
    result["seconds"] = time.monotonic() - started
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
