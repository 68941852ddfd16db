from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._selection import FilterError
from ansible_collections.seed.lightsail.plugins.module_utils._selection import Selection
from ansible_collections.seed.lightsail.plugins.module_utils._selection import check_filters
from ansible_collections.seed.lightsail.plugins.module_utils._selection import instance_matches
from ansible_collections.seed.lightsail.plugins.module_utils._selection import select_instances
from ansible_collections.seed.lightsail.plugins.module_utils._selection import tag_value_matches


def instance(name, **tags):
    return {"name": name, "tags": [{"key": key, "value": value} for key, value in tags.items()]}


FLEET = [instance("web-1", role="web"), instance("web-2", role="web", env="prod"), instance("db-1", role="db")]


def names(instances):
    return [i["name"] for i in instances]


class TestTagValues:
    @pytest.mark.parametrize("written", ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"])
    def test_a_yaml_true_matches_the_tag_value_it_was_written_as(self, written):
        """`tags: {enabled: <written>}` reaches the filter as True; the instance's tag holds the text."""
        wanted = yaml.safe_load("enabled: %s" % written)["enabled"]
        assert wanted is True
        assert tag_value_matches(wanted, written)
        assert instance_matches(instance("a", enabled=written), tags={"enabled": wanted})

    @pytest.mark.parametrize("written", ["false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"])
    def test_a_yaml_false_matches_the_tag_value_it_was_written_as(self, written):
        wanted = yaml.safe_load("enabled: %s" % written)["enabled"]
        assert wanted is False
        assert tag_value_matches(wanted, written)

    @pytest.mark.parametrize("value", ["false", "no", "off", "1", "", "truthy", "y"])
    def test_true_does_not_match_other_values(self, value):
        assert not tag_value_matches(True, value)

    def test_numbers_match_their_decimal_text(self):
        assert tag_value_matches(yaml.safe_load("v: 5")["v"], "5")
        assert tag_value_matches(1.5, "1.5")
        assert not tag_value_matches(5, "05")

    def test_strings_compare_exactly(self):
        assert tag_value_matches("web", "web")
        assert not tag_value_matches("Web", "web")
        assert not tag_value_matches("yes", "true")  # quoted: the text, not the boolean

    @pytest.mark.parametrize("wanted", [None, ""])
    def test_an_empty_filter_value_matches_any_value(self, wanted):
        assert tag_value_matches(wanted, "anything") and tag_value_matches(wanted, "")

    @given(st.integers(min_value=0, max_value=10 ** 12))
    def test_any_yaml_integer_matches_the_text_it_was_written_as(self, number):
        written = str(number)
        assert tag_value_matches(yaml.safe_load("v: %s" % written)["v"], written)


class TestSelectInstances:
    def test_a_name_that_exists_without_the_tags_is_unmatched_not_missing(self):
        selection = select_instances(FLEET, ["web-1", "web-3"], {"role": "db"})
        assert selection == Selection([], ["web-3"], ["web-1"])
        message = selection.message("us-east-1", {"role": "db"})
        assert message == "no instance named web-3 in region us-east-1; instance web-1 exists in region us-east-1 but does not carry the tags role=db"

    def test_several_unmatched(self):
        selection = select_instances(FLEET, ["web-2", "web-1", "db-1"], {"env": "prod"})
        assert names(selection.selected) == ["web-2"] and selection.missing == []
        assert selection.unmatched == ["db-1", "web-1"]
        assert selection.message("eu-west-1", {"env": "prod"}) == (
            "instances db-1, web-1 exist in region eu-west-1 but do not carry the tags env=prod")

    def test_everything_found_means_no_message(self):
        selection = select_instances(FLEET, ["web-1", "web-1"], {"role": "web"})
        assert names(selection.selected) == ["web-1"] and selection.message("us-east-1") is None

    def test_without_names_nothing_is_missing_or_unmatched(self):
        selection = select_instances(iter(FLEET), None, {"role": "web"})
        assert names(selection.selected) == ["web-1", "web-2"] and selection.missing == selection.unmatched == []

    def test_boolean_tag_filter_selects(self):
        fleet = [instance("a", enabled="true"), instance("b", enabled="false"), instance("c")]
        assert names(select_instances(fleet, None, {"enabled": True}).selected) == ["a"]
        assert names(select_instances(fleet, None, {"enabled": False}).selected) == ["b"]

    def test_message_shows_booleans_and_any_value(self):
        assert Selection([], [], ["a"]).message("r", {"enabled": True, "env": ""}) == (
            "instance a exists in region r but does not carry the tags enabled=true, env=(any value)")


class TestCheckFilters:
    @pytest.mark.parametrize("option,value", [("instance_names", []), ("names", []), ("tags", {}), ("states", [])])
    def test_an_explicitly_empty_filter_is_an_error_naming_the_option(self, option, value):
        expected = "%s: %r selects no instance; omit %s (or set it to null) to select every instance" % (option, value, option)
        with pytest.raises(FilterError, match="^" + re.escape(expected)):
            check_filters(**{option: value})

    def test_omitted_and_given_filters_pass(self):
        check_filters(instance_names=None, tags=None)
        check_filters(instance_names=["web-1"], tags={"role": "web"}, states=["running"])
