# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the writes that were applied made of a firewall, when the firewall cannot be read again after a failure.

Pure Python. The modules read the firewall again after a failed write; only when that read fails too do they
report this computed firewall, and say so.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.seed.lightsail.plugins.module_utils._plan import CLOSE
from ansible_collections.seed.lightsail.plugins.module_utils._plan import OPEN
from ansible_collections.seed.lightsail.plugins.module_utils._plan import PUT


def firewall_after_writes(before, operations):
    """``before`` ({RuleKey: Sources}) with ``operations`` (planned Operations, applied in order) applied.

    Put: exactly its rules. Open: the rule allows exactly what the Open sent (a planned Open sends the rule's
    complete sources, so merging and replacing give the same). Close: the sources it names are removed, the rule
    closed when none is left or when the Close names none. Lightsail may close the whole rule on a Close with
    sources (undocumented), so after a Close of some of a rule's sources that is not followed by its Open, the
    rule may in fact be closed: the result is the best reading, not a certainty.
    """
    firewall = dict(before)
    for operation in operations:
        if operation.api_call == PUT:
            firewall = dict(operation.rules)
            continue
        for key, sources in operation.rules:
            if operation.api_call == OPEN:
                firewall[key] = sources
            elif operation.api_call == CLOSE:
                remaining = firewall[key].difference(sources) if key in firewall and sources else None
                if remaining:
                    firewall[key] = remaining
                else:
                    firewall.pop(key, None)
            else:
                raise ValueError("unknown operation %r" % (operation.api_call,))
    return firewall
