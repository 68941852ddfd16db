"""A pure model of how Lightsail might apply writes, under every reading the facts leave open.

Used by property tests: a plan is correct only if it reaches the desired firewall under every
combination of these switches (the test HTTP service has the same switches).
"""

from __future__ import annotations

import itertools

from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT

OPEN_EXISTING = ("merge", "replace")
CLOSE_SOURCES = ("remove_named", "whole_rule")
CLOSE_MISSING = ("noop", "error")
ALL_BEHAVIOURS = [dict(open_existing=o, close_sources=c, close_missing=m) for o, c, m in itertools.product(OPEN_EXISTING, CLOSE_SOURCES, CLOSE_MISSING)]


class RuleNotOpen(Exception):
    pass


def apply_writes(firewall, operations, open_existing, close_sources, close_missing):
    firewall = dict(firewall)
    for operation in operations:
        if operation.api_call == PUT:
            firewall = dict(operation.rules)
            continue
        for key, sources in operation.rules:
            if operation.api_call == OPEN:
                merge = open_existing == "merge" and key in firewall
                firewall[key] = firewall[key].union(sources) if merge else sources
            elif operation.api_call == CLOSE:
                if key not in firewall:
                    if close_missing == "error":
                        raise RuleNotOpen(key)
                    continue
                remaining = firewall[key].difference(sources) if close_sources == "remove_named" else None
                if remaining:
                    firewall[key] = remaining
                else:
                    del firewall[key]
    return firewall
