# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which instances of a GetInstances listing a user asked for: pure Python.

One meaning everywhere (info module, fleet module and role, inventory): an omitted filter (None)
does not filter; an explicitly empty one (``[]``, ``{}``) is an error, because it is what a
templated variable that came out empty gives, and reading it as "every instance" would widen a
fleet apply to the whole region.
"""

from collections import namedtuple

# What YAML 1.1 (the loader of playbooks and inventory files) reads as a boolean: a tag filter
# ``enabled: yes`` arrives as True, so True matches the tag value the user wrote, whichever it was.
_YAML_BOOLEAN_SPELLINGS = {True: ("true", "yes", "on"), False: ("false", "no", "off")}


class FilterError(ValueError):
    """A filter option that cannot be used, named in the message."""


class Selection(namedtuple("Selection", ["selected", "missing", "unmatched"])):
    """The instances selected; the names asked for that no instance has (missing), and the names of
    instances that exist but do not carry the tags asked for (unmatched). Both sorted."""

    __slots__ = ()

    def message(self, region, tags=None):
        """What went unselected, in words, or None when every name asked for was selected."""
        parts = []
        if self.missing:
            parts.append("no instance named %s in region %s" % (", ".join(self.missing), region))
        if len(self.unmatched) == 1:
            parts.append("instance %s exists in region %s but does not carry the tags %s" % (self.unmatched[0], region, describe_tags(tags)))
        elif self.unmatched:
            parts.append("instances %s exist in region %s but do not carry the tags %s" % (", ".join(self.unmatched), region, describe_tags(tags)))
        return "; ".join(parts) or None


def check_filters(**filters):
    """Raise FilterError for a filter given explicitly empty; ``check_filters(instance_names=[...], tags={...})``."""
    for option in sorted(filters):
        value = filters[option]
        if value is not None and len(value) == 0:
            raise FilterError(
                "%s: %r selects no instance; omit %s (or set it to null) to select every instance, or list what to select"
                % (option, value, option)
            )


def instance_tags(instance):
    """GetInstances ``tags`` (a list of key/value dicts) -> a dict."""
    return dict((tag.get("key"), tag.get("value") or "") for tag in instance.get("tags") or ())


def tag_value_matches(wanted, value):
    """Whether an instance's tag value (a string) is what a filter asks for, the way the user means it.

    An empty or null filter value matches any value. A boolean matches the spellings YAML reads as
    that boolean (``true``, ``yes``, ``on`` in any case for True); a number matches its decimal
    text (``5`` -> ``"5"``). A string compares exactly, as Lightsail's tag values are case sensitive.
    """
    if wanted is None or wanted == "":
        return True
    if isinstance(wanted, bool):
        return str(value).lower() in _YAML_BOOLEAN_SPELLINGS[wanted]
    return str(value) == str(wanted)


def tags_match(instance, tags):
    have = instance_tags(instance)
    return all(key in have and tag_value_matches(wanted, have[key]) for key, wanted in (tags or {}).items())


def instance_matches(instance, names=None, tags=None):
    """True when the instance is named in ``names`` (if given) and carries every tag in ``tags``."""
    if names is not None and instance.get("name") not in names:
        return False
    return tags_match(instance, tags)


def select_instances(instances, names=None, tags=None):
    """A GetInstances listing -> Selection. ``names`` None: no name filter; ``tags`` None or {}: no tag filter."""
    instances = list(instances)
    selected = [instance for instance in instances if instance_matches(instance, names, tags)]
    if names is None:
        return Selection(selected, [], [])
    existing = set(instance.get("name") for instance in instances)
    chosen = set(instance.get("name") for instance in selected)
    asked = set(names)
    return Selection(selected, sorted(asked - existing), sorted(asked & existing - chosen))


def describe_tags(tags):
    return ", ".join("%s=%s" % (key, _tag_text(value)) for key, value in sorted((tags or {}).items(), key=lambda item: str(item[0]))) or "(none)"


def _tag_text(value):
    if value is None or value == "":
        return "(any value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
