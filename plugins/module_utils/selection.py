# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which instances of a GetInstances listing a user asked for: pure Python."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def instance_tags(instance):
    """GetInstances ``tags`` (a list of key/value dicts) -> a dict."""
    return dict((tag.get("key"), tag.get("value") or "") for tag in instance.get("tags") or ())


def instance_matches(instance, names=None, tags=None):
    """True when the instance is named in ``names`` (if given) and carries every tag in ``tags``.

    A tag asked for with an empty value matches any value.
    """
    if names is not None and instance.get("name") not in names:
        return False
    if tags:
        have = instance_tags(instance)
        for key, value in tags.items():
            if key not in have or (value not in (None, "") and have[key] != str(value)):
                return False
    return True
