# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Argument specs shared by several modules: one rule, one public exception."""

# The argument spec of one rule, shared by every module that takes rules (the shape rules.parse_rule reads).
RULE_OPTIONS = dict(
    protocol=dict(type="str", required=True),
    from_port=dict(type="int"),
    to_port=dict(type="int"),
    cidrs=dict(type="list", elements="str"),
    ipv6_cidrs=dict(type="list", elements="str"),
    cidr_list_aliases=dict(type="list", elements="str"),
)
# The argument spec of one public exception (the shape policy.parse_public_exceptions reads).
EXCEPTION_OPTIONS = dict(
    protocol=dict(type="str", required=True),
    from_port=dict(type="int"),
    to_port=dict(type="int"),
    reason=dict(type="str", required=True),
)
