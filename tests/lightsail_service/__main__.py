"""Run the fake Lightsail service: PYTHONPATH=tests python -m lightsail_service [--port 0] [--seed demo|none] ..."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from . import DEFAULT_CREDENTIALS, LightsailService, seed_demo


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lightsail_service", description="Fake AWS Lightsail API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    parser.add_argument("--seed", choices=("demo", "none"), default="none", help="initial instances")
    parser.add_argument("--page-size", type=int, default=5, help="GetInstances page size")
    parser.add_argument("--access-key", default=DEFAULT_CREDENTIALS.access_key)
    parser.add_argument("--secret-key", default=DEFAULT_CREDENTIALS.secret_key)
    parser.add_argument("--session-token", default=None)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    service = LightsailService(access_key=args.access_key, secret_key=args.secret_key,
                               session_token=args.session_token, page_size=args.page_size, port=args.port)
    if args.seed == "demo":
        seed_demo(service)
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    with service:
        # The secret is never printed: the caller chose it or uses DEFAULT_CREDENTIALS.
        print(json.dumps({"url": service.url, "access_key": args.access_key}), flush=True)
        while not stopping.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
