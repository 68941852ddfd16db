"""Run the fake Lightsail service: PYTHONPATH=tests python -m lightsail_service [--seed demo] [--fleet N] [--print-env] ...

By default it prints one JSON line, {"url": ..., "access_key": ...}, then serves until SIGTERM or SIGINT.
With --print-env it prints shell lines instead (`export AWS_URL=...`, the credentials, AWS_REGION) that point
boto3, the AWS CLI and amazon.aws-based modules at it (`make sandbox` prints them with the venv lines).
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading

from . import DEFAULT_CREDENTIALS, DEMO_REGION, LightsailService, seed_demo
from .fleet import BLUEPRINTS

# Variables that would take precedence over the printed credentials, or send a token the service does not expect.
SHADOWING_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lightsail_service", description="Fake AWS Lightsail API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--seed", choices=("demo", "none"), default="none",
                        help="initial instances; demo: web-1, web-2, win-1, cpanel-1, db-1 in %s, two more in us-east-1" % DEMO_REGION)
    parser.add_argument("--fleet", type=int, default=0, metavar="N", help="add N instances named node-0001... (default rules)")
    parser.add_argument("--fleet-region", default=DEMO_REGION, help="region of the --fleet instances (default: %(default)s)")
    parser.add_argument("--fleet-blueprint", default="ubuntu_22_04", choices=sorted(BLUEPRINTS), metavar="BLUEPRINT",
                        help="blueprint of the --fleet instances (default: %(default)s)")
    parser.add_argument("--page-size", type=int, default=5, help="GetInstances page size")
    parser.add_argument("--access-key", default=DEFAULT_CREDENTIALS.access_key)
    parser.add_argument("--secret-key", default=DEFAULT_CREDENTIALS.secret_key)
    parser.add_argument("--session-token", default=None)
    parser.add_argument("--print-env", action="store_true",
                        help="print shell lines that point AWS clients at the service, instead of the JSON line; the secret "
                             "key is printed only when it is the built-in test key")
    args = parser.parse_args(argv)
    if args.fleet < 0:
        parser.error("--fleet must be 0 or more, not %d" % args.fleet)
    return args


def environment_lines(service: LightsailService, args: argparse.Namespace) -> list[str]:
    """The shell lines --print-env prints: a summary comment, exports, unsets. A secret the caller chose is not printed."""
    by_region: dict[str, list[str]] = {}
    for instance in service.fleet.all():
        by_region.setdefault(instance.region, []).append(instance.name)
    region = next(iter(by_region), DEMO_REGION)
    fleet = "; ".join("%s: %s" % (r, ", ".join(names) if len(names) <= 8 else "%d instances" % len(names))
                      for r, names in by_region.items()) or "no instances"
    lines = ["# The local Lightsail API at %s (%s)" % (service.url, fleet),
             "export AWS_URL=%s AWS_REGION=%s" % (shlex.quote(service.url), shlex.quote(region))]
    unset = list(SHADOWING_VARIABLES)
    if args.secret_key == DEFAULT_CREDENTIALS.secret_key:
        lines.append("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s" % (shlex.quote(args.access_key), shlex.quote(args.secret_key)))
    else:
        lines.append("export AWS_ACCESS_KEY_ID=%s  # and AWS_SECRET_ACCESS_KEY: the --secret-key given (not printed)"
                     % shlex.quote(args.access_key))
    if args.session_token:
        lines.append("# and AWS_SESSION_TOKEN: the --session-token given (not printed)")
        unset.remove("AWS_SESSION_TOKEN")
    lines.append("unset %s" % " ".join(unset))
    lines.append("# The service runs until Ctrl-C; each start serves the fleet as seeded.")
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    service = LightsailService(access_key=args.access_key, secret_key=args.secret_key,
                               session_token=args.session_token, page_size=args.page_size, port=args.port)
    if args.seed == "demo":
        seed_demo(service)
    if args.fleet:
        service.seed_fleet(args.fleet, region=args.fleet_region, blueprint=args.fleet_blueprint)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    with service:
        if args.print_env:
            print("\n".join(environment_lines(service, args)), flush=True)
        else:
            # The secret is never printed: the caller chose it or uses DEFAULT_CREDENTIALS.
            print(json.dumps({"url": service.url, "access_key": args.access_key}), flush=True)
        while not stopping.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
