"""The shared argument specs take exactly the fields the parsers read (module_utils/_argument_specs.py)."""

from __future__ import annotations

from ansible_collections.seed.lightsail.plugins.module_utils._argument_specs import EXCEPTION_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._argument_specs import RULE_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._policy import EXCEPTION_FIELDS
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RULE_FIELDS


def test_a_rule_has_the_fields_parse_rule_reads():
    assert sorted(RULE_OPTIONS) == sorted(RULE_FIELDS)
    assert RULE_OPTIONS["protocol"] == {"type": "str", "required": True}
    assert all(RULE_OPTIONS[name] == {"type": "int"} for name in ("from_port", "to_port"))
    assert all(RULE_OPTIONS[name] == {"type": "list", "elements": "str"} for name in ("cidrs", "ipv6_cidrs", "cidr_list_aliases"))


def test_an_exception_has_the_fields_parse_public_exceptions_reads():
    assert sorted(EXCEPTION_OPTIONS) == sorted(EXCEPTION_FIELDS)
    assert EXCEPTION_OPTIONS["reason"] == {"type": "str", "required": True} and EXCEPTION_OPTIONS["protocol"]["required"]


def test_no_option_has_a_default_so_an_omitted_field_reaches_the_parser_as_none():
    assert not any("default" in spec for spec in list(RULE_OPTIONS.values()) + list(EXCEPTION_OPTIONS.values()))
