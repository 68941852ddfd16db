# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The firewall_baseline role's variables as users give them: survey answers, ``-e key=value`` strings
or real YAML types, normalised for the baseline core. Pure Python, for the controller (an action plugin
or filters).

AWX surveys and ``-e key=value`` deliver strings: a list arrives as comma-, space- or newline-separated
text (a textarea answer may end its lines with CRLF), a boolean as ``false`` or ``no``, an integer as
``10``. Everything here accepts those and the real types alike, and every error is a RuleError whose
text starts with the role variable at fault (``firewall_baseline_admin_cidrs[1]: ...``).
"""

import difflib
import json
import re

from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE
from ansible.module_utils.parsing.convert_bool import BOOLEANS_TRUE

from ansible_collections.seed.lightsail.plugins.module_utils._baseline import PROFILES
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import _REGION_NAME
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import InventoryError
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import _region_hint
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import regions_to_query
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError

ROLE_PREFIX = "firewall_baseline_"
# The options of the baseline core (parse_baseline_options), as parse_role_options returns them.
BASELINE_OPTION_NAMES = ("profile", "admin_cidrs", "admin_ipv6_cidrs", "keep_console_access", "extra_rules", "public_exceptions", "public_ipv6",
                         "allow_lockout")
SOURCE_LISTS = ("cidrs", "ipv6_cidrs", "cidr_list_aliases")
_LIST_SEPARATORS = re.compile(r"[\s,]+")
_INTEGER = re.compile(r"^[+-]?\d+$")


class RoleInputError(RuleError):
    """A role variable that cannot be used as given: ``where`` is the variable (with index), the text says why."""


def _is_unset(value):
    return value is None or (isinstance(value, str) and not value.strip())


def as_list(value, field):
    """A list stays a list (a tuple becomes one); None or '' -> []; a string -> its parts.

    A string is split on commas, whitespace and newlines (CRLF too), empty parts dropped; a string
    that starts with ``[`` is read as a JSON list (``-e 'x=["a", "b"]'`` arrives as text). Anything
    else is an error naming the field and the value.
    """
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = _json(text, field, "list")
            if not isinstance(parsed, list):
                raise RoleInputError(field, "expected a list, got %r" % (value,))
            return parsed
        return [part for part in _LIST_SEPARATORS.split(text) if part]
    raise RoleInputError(field, "expected a list or a comma-, space- or newline-separated string, got %r" % (value,))


def as_bool(value, field, default=None):
    """What Ansible accepts as a boolean (true/false, yes/no, on/off, 1/0, y/n, t/f in any case, 0/1, bools) -> bool.

    None or '' is ``default`` when one is given, else an error; anything else is an error naming the
    field and the value.
    """
    if _is_unset(value):
        if default is None:
            raise RoleInputError(field, "is required: true or false")
        return default
    if isinstance(value, bool):
        return value
    key = value.strip().lower() if isinstance(value, str) else value
    try:
        if key in BOOLEANS_TRUE:
            return True
        if key in BOOLEANS_FALSE:
            return False
    except TypeError:  # unhashable: a list or a dict
        pass
    raise RoleInputError(field, "%r is not a boolean; use true or false (yes/no, on/off and 1/0 work too)" % (value,))


def as_int(value, field, minimum=None, default=None):
    """An int, a whole float, or a string of digits (' 10 ') -> int, at least ``minimum``; booleans are refused.

    None or '' is ``default`` when one is given, else an error; errors name the field and the value.
    """
    if _is_unset(value):
        if default is None:
            raise RoleInputError(field, "is required: an integer")
        return default
    if isinstance(value, bool):
        result = None
    elif isinstance(value, int):
        result = value
    elif isinstance(value, float) and value.is_integer():
        result = int(value)
    elif isinstance(value, str) and _INTEGER.match(value.strip()):
        result = int(value.strip())
    else:
        result = None
    if result is None:
        raise RoleInputError(field, "%r is not an integer" % (value,))
    if minimum is not None and result < minimum:
        raise RoleInputError(field, "%d is less than %d" % (result, minimum))
    return result


def as_dict_list(value, field):
    """A list of dictionaries; also a JSON text of one (what a survey can carry). None or '' -> []."""
    if _is_unset(value):
        return []
    if isinstance(value, str):
        value = _json(value.strip(), field, "list of dictionaries")
    if not isinstance(value, (list, tuple)):
        raise RoleInputError(field, "expected a list of dictionaries, got %r" % (value,))
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise RoleInputError("%s[%d]" % (field, index), "expected a dictionary, got %r" % (item,))
    return list(value)


def as_choice(value, field, choices, default=None):
    """One of ``choices`` (any case, surrounding spaces ignored); None or '' is ``default`` when one is given."""
    if _is_unset(value) and default is not None:
        return default
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in choices:
        raise RoleInputError(field, "%r is not one of %s%s" % (value, ", ".join(choices), _did_you_mean(text, choices)))
    return text


def _json(text, field, what):
    try:
        return json.loads(text)
    except ValueError as error:
        raise RoleInputError(field, "expected a %s; %r is not valid JSON (%s)" % (what, text, error))


def _did_you_mean(text, choices):
    close = difflib.get_close_matches(text, choices, n=1) if text else []
    return " (did you mean %s?)" % close[0] if close else ""


def unknown_variables(names, known, prefix=ROLE_PREFIX):
    """[(name, closest known name or None)] for every name with ``prefix`` that is not in ``known``, sorted.

    ``names`` are the variables visible to a host; ``known`` the role's variables, including those
    the role sets itself (its report fact, registered results), which the caller must pass.
    """
    known = set(known)
    suffixes = dict((name[len(prefix):], name) for name in known if name.startswith(prefix))
    found = []
    for name in sorted(set(name for name in names if isinstance(name, str))):
        if not name.startswith(prefix) or name in known:
            continue
        close = difflib.get_close_matches(name[len(prefix):], list(suffixes), n=1)
        found.append((name, suffixes[close[0]] if close else None))
    return found


def check_region(region, known_regions, endpoint_url=None, field=ROLE_PREFIX + "region"):
    """A region name -> itself, stripped; '' or None -> '' (the caller then uses AWS_REGION or the AWS config).

    With ``endpoint_url`` any name shaped like a region (us-east-1) is fine: a private or test
    endpoint may serve any. Otherwise a name that is not in ``known_regions`` is an error naming the
    field, the value and the closest known regions (no check when ``known_regions`` is empty).
    """
    if _is_unset(region):
        return ""
    if not isinstance(region, str):
        raise RoleInputError(field, "expected a region name such as us-east-1, got %r" % (region,))
    text = region.strip()
    known_regions = tuple(known_regions or ())
    if endpoint_url:
        if not _REGION_NAME.match(text):
            raise RoleInputError(field, "%r is not a region name; a region name looks like us-east-1" % (region,))
        return text
    try:
        regions_to_query([text], None, known_regions)
    except InventoryError:
        known = sorted(set(known_regions))
        close = difflib.get_close_matches(text, known, n=3)
        closest = " (closest: %s)" % ", ".join(close) if close else ""
        raise RoleInputError(field, "unknown Lightsail region %r%s; %s" % (region, closest, _region_hint([text], known)))
    return text


def check_regions(value, known_regions, endpoint_url=None, field=ROLE_PREFIX + "regions"):
    """A list of regions (or a string of them) -> the regions checked by check_region, each once, in order."""
    regions = []
    for index, region in enumerate(as_list(value, field)):
        region = check_region(region, known_regions, endpoint_url, "%s[%d]" % (field, index))
        if region and region not in regions:
            regions.append(region)
    return regions


def parse_role_options(raw, prefix=ROLE_PREFIX, require_profile=False):
    """The role's raw baseline variables -> the dict of options parse_baseline_options takes, normalised.

    ``raw`` maps the role variables (``firewall_baseline_admin_cidrs``; the bare option names work
    too) to what the user gave: survey or ``-e`` strings, or real types. A missing variable or None
    takes the role's default; a missing profile is ``locked_down``, unless ``require_profile`` (an
    apply), when it is an error. The result has exactly BASELINE_OPTION_NAMES as keys and plain
    values (lists of strings and dictionaries, booleans), so it can be passed on as module
    arguments; parse_baseline_options(result) gives the same options again. Every error is a
    RuleError naming the role variable (``firewall_baseline_admin_cidrs[1]: ...``).
    """
    def given(name):
        return raw.get(prefix + name) if prefix + name in raw else raw.get(name)

    def field(name):
        return prefix + name

    profile = given("profile")
    if _is_unset(profile):
        if require_profile:
            raise RoleInputError(field("profile"), "an apply needs a profile chosen explicitly (%s)" % ", ".join(PROFILES))
        profile = "locked_down"
    profile = as_choice(profile, field("profile"), PROFILES)
    options = {
        "profile": profile,
        "admin_cidrs": as_list(given("admin_cidrs"), field("admin_cidrs")),
        "admin_ipv6_cidrs": as_list(given("admin_ipv6_cidrs"), field("admin_ipv6_cidrs")),
        "keep_console_access": as_bool(given("keep_console_access"), field("keep_console_access"), default=True),
        "extra_rules": [_rule_lists(rule, "%s[%d]" % (field("extra_rules"), index))
                        for index, rule in enumerate(as_dict_list(given("extra_rules"), field("extra_rules")))],
        "public_exceptions": [dict(exception) for exception in as_dict_list(given("public_exceptions"), field("public_exceptions"))],
        "public_ipv6": as_bool(given("public_ipv6"), field("public_ipv6"), default=True),
        "allow_lockout": as_bool(given("allow_lockout"), field("allow_lockout"), default=False),
    }
    parsed = parse_baseline_options(options, field_prefix=prefix)
    options.update(admin_cidrs=list(parsed.admin_cidrs), admin_ipv6_cidrs=list(parsed.admin_ipv6_cidrs))
    return options


def _rule_lists(rule, where):
    """An extra rule with its source lists given as strings made lists (a JSON survey answer may have ``"cidrs": "a, b"``)."""
    rule = dict(rule)
    for name in SOURCE_LISTS:
        if isinstance(rule.get(name), str):
            rule[name] = as_list(rule[name], "%s.%s" % (where, name))
    return rule
