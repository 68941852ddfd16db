from __future__ import annotations

import pytest

from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import read_instance_facts
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import HOSTVAR_PREFIX
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import QUERY_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import InventoryError
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import choose_hostname
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import host_variables
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import instance_selected
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import inventory_hosts
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import query_fingerprint
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import region_error_message
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import regions_to_query

from .api_instances import api_instance

KNOWN = ["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]


def host_facts(instance):
    return read_instance_facts(instance)[0]


def hostnames_of(hosts):
    return [hostname for hostname, variables in hosts]


class TestRegionsToQuery:
    def test_given_regions_in_order_each_once(self):
        assert regions_to_query(["eu-west-1", "us-east-1", "eu-west-1"], "us-west-2", KNOWN) == ["eu-west-1", "us-east-1"]

    def test_empty_regions_mean_the_default_region(self):
        assert regions_to_query([], "us-west-2", KNOWN) == ["us-west-2"]
        assert regions_to_query(None, "us-west-2", KNOWN) == ["us-west-2"]

    def test_no_region_at_all_is_an_error_saying_where_to_set_one(self):
        with pytest.raises(InventoryError, match="no region.*regions option.*AWS_REGION"):
            regions_to_query([], None, KNOWN)

    def test_unknown_region_is_an_error_naming_it_and_listing_the_known_ones(self):
        with pytest.raises(InventoryError) as raised:
            regions_to_query(["us-east-1", "eu-central-9"], None, KNOWN)
        message = str(raised.value)
        assert "'eu-central-9'" in message and "'us-east-1'" not in message
        assert "ap-south-1, eu-west-1, us-east-1, us-west-2" in message
        assert "newer botocore" in message

    def test_misspelt_region_gets_a_hint_about_the_form(self):
        with pytest.raises(InventoryError, match="'us-east1'.*looks like us-east-1"):
            regions_to_query(["us-east1"], None, KNOWN)

    def test_unknown_default_region_is_an_error_too(self):
        with pytest.raises(InventoryError, match="'mars-north-1'"):
            regions_to_query([], "mars-north-1", KNOWN)

    def test_without_a_known_list_any_region_goes(self):
        assert regions_to_query(["xx-new-1"], None, []) == ["xx-new-1"]


class TestInstanceSelected:
    def test_no_filters_select_everything(self):
        assert instance_selected(api_instance(), None, None, None)
        assert instance_selected(api_instance())

    def test_an_empty_name_list_is_no_name(self):
        """The plugin refuses explicitly empty filters before listing (selection.check_filters); read literally, [] names none."""
        assert not instance_selected(api_instance(), names=[])

    def test_boolean_and_number_tags(self):
        instance = api_instance(tags={"enabled": "true", "tier": "2"})
        assert instance_selected(instance, tags={"enabled": True, "tier": 2})
        assert not instance_selected(instance, tags={"enabled": False})

    def test_names(self):
        assert instance_selected(api_instance("web-1"), names=["web-1", "web-2"])
        assert not instance_selected(api_instance("db-1"), names=["web-1", "web-2"])

    def test_tags_all_must_match_and_an_empty_value_matches_any(self):
        instance = api_instance(tags={"role": "web", "env": "prod"})
        assert instance_selected(instance, tags={"role": "web"})
        assert instance_selected(instance, tags={"role": "web", "env": ""})
        assert not instance_selected(instance, tags={"role": "web", "env": "test"})
        assert not instance_selected(instance, tags={"owner": ""})

    def test_states_ignore_case(self):
        assert instance_selected(api_instance(state="stopped"), states=["Stopped", "running"])
        assert not instance_selected(api_instance(state="stopped"), states=["running"])

    def test_filters_combine(self):
        instance = api_instance("web-1", state="running", tags={"role": "web"})
        assert instance_selected(instance, ["web-1"], {"role": "web"}, ["running"])
        assert not instance_selected(instance, ["web-1"], {"role": "db"}, ["running"])


class TestHostnames:
    facts = {"name": "web-1", "public_ip_address": "3.80.0.1", "private_ip_address": "172.26.0.1"}

    @pytest.mark.parametrize("preferences, expected", [
        (["name"], "web-1"),
        (["public_ip_address", "name"], "3.80.0.1"),
        (["private_ip_address"], "172.26.0.1"),
    ])
    def test_first_preference_with_a_value(self, preferences, expected):
        assert choose_hostname(self.facts, preferences) == expected

    def test_falls_back_when_the_first_has_no_value(self):
        stopped = dict(self.facts, public_ip_address=None)
        assert choose_hostname(stopped, ["public_ip_address", "name"]) == "web-1"
        assert choose_hostname(stopped, ["public_ip_address"]) is None

    def test_unknown_source_is_an_error(self):
        with pytest.raises(InventoryError, match="hostnames: unknown source 'dns_name'"):
            choose_hostname(self.facts, ["dns_name"])


class TestHostVariables:
    def test_every_fact_under_the_prefix_and_ansible_host_the_public_address(self):
        facts = host_facts(api_instance(tags={"role": "web"}))
        variables = host_variables(facts)
        assert HOSTVAR_PREFIX == "lightsail_"
        assert variables["ansible_host"] == "3.80.0.1"
        assert variables["lightsail_tags"] == {"role": "web"}
        assert variables["lightsail_ports"] == []
        assert set(variables) == set("lightsail_" + key for key in facts) | {"ansible_host"}

    def test_no_reserved_variable_names(self):
        """Plain `name` and `tags` make ansible-core warn on every run."""
        variables = host_variables(host_facts(api_instance()))
        assert "name" not in variables and "tags" not in variables

    def test_private_address_as_ansible_host(self):
        assert host_variables(host_facts(api_instance()), "private_ip_address")["ansible_host"] == "172.26.0.1"

    def test_ansible_host_left_unset_without_the_address(self):
        variables = host_variables(host_facts(api_instance(public_ip=None)))
        assert "ansible_host" not in variables

    def test_unknown_ansible_host_source_is_an_error(self):
        with pytest.raises(InventoryError, match="ansible_host_source"):
            host_variables({}, "ipv6_address")

    def test_facts_are_not_changed(self):
        facts = host_facts(api_instance())
        before = dict(facts)
        host_variables(facts)
        assert facts == before


class TestInventoryHosts:
    def test_hosts_in_the_order_given(self):
        facts = [host_facts(api_instance(name)) for name in ("b", "a")]
        hosts, unnamed = inventory_hosts(facts)
        assert hostnames_of(hosts) == ["b", "a"] and unnamed == []

    def test_instances_without_any_hostname_are_returned_apart(self):
        facts = [host_facts(api_instance("up")), host_facts(api_instance("down", public_ip=None))]
        hosts, unnamed = inventory_hosts(facts, ["public_ip_address"])
        assert hostnames_of(hosts) == ["3.80.0.1"]
        assert [f["name"] for f in unnamed] == ["down"]

    def test_the_same_name_in_two_regions_is_an_error_naming_both(self):
        facts = [host_facts(api_instance("web-1", "us-east-1")), host_facts(api_instance("web-1", "eu-west-1", public_ip="3.80.0.2"))]
        with pytest.raises(InventoryError) as raised:
            inventory_hosts(facts)
        message = str(raised.value)
        assert "'web-1'" in message and "web-1 in us-east-1" in message and "web-1 in eu-west-1" in message
        assert "public_ip_address" in message

    def test_a_unique_other_hostname_resolves_the_clash(self):
        facts = [host_facts(api_instance("web-1", "us-east-1")), host_facts(api_instance("web-1", "eu-west-1", public_ip="3.80.0.2"))]
        hosts, unnamed = inventory_hosts(facts, ["public_ip_address"])
        assert hostnames_of(hosts) == ["3.80.0.1", "3.80.0.2"] and unnamed == []

    def test_private_addresses_clash_across_regions(self):
        facts = [host_facts(api_instance("a", "us-east-1")), host_facts(api_instance("b", "eu-west-1"))]
        with pytest.raises(InventoryError, match="'172.26.0.1' is shared by instance a in us-east-1 and instance b in eu-west-1"):
            inventory_hosts(facts, ["private_ip_address"])


class TestRegionErrorMessage:
    def test_names_the_region_and_keeps_the_detail(self):
        message = region_error_message("eu-west-1", "ServiceException", "An error occurred (ServiceException)")
        assert message == "Failed to list Lightsail instances in region eu-west-1: An error occurred (ServiceException)"

    def test_permission_error_says_what_to_allow(self):
        message = region_error_message("ap-south-1", "AccessDeniedException", "denied")
        assert "region ap-south-1" in message and "lightsail:GetInstances" in message and "remove ap-south-1 from regions" in message

    @pytest.mark.parametrize("code", ["UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "UnauthenticatedException"])
    def test_credential_error_says_what_to_check(self, code):
        message = region_error_message("us-east-1", code, "refused")
        assert "region us-east-1" in message and "AWS_ACCESS_KEY_ID" in message and "region enabled" in message

    def test_no_code_no_hint(self):
        assert region_error_message("us-east-1", None, "Unable to locate credentials").endswith("Unable to locate credentials")


class TestQueryFingerprint:
    BASE = {"access_key": "AKIAEXAMPLE", "profile": None, "assume_role_arn": None, "endpoint_url": None, "region": "us-east-1",
            "regions": ["us-east-1"], "instance_names": None, "tags": None, "states": None}
    OTHER = {"access_key": "AKIAOTHER", "profile": "prod", "assume_role_arn": "arn:aws:iam::210987654321:role/audit",
             "endpoint_url": "http://127.0.0.1:1", "region": "eu-west-1", "regions": ["eu-west-1"], "instance_names": ["web-1"],
             "tags": {"role": "web"}, "states": ["running"]}

    @pytest.mark.parametrize("option", QUERY_OPTIONS)
    def test_each_option_that_decides_the_listing_changes_it(self, option):
        assert query_fingerprint(dict(self.BASE, **{option: self.OTHER[option]})) != query_fingerprint(self.BASE)

    def test_assume_role_arn_is_one_of_them(self):
        """Another role is another account: before, only the role changed and the cache returned the previous account's hosts."""
        assert "assume_role_arn" in QUERY_OPTIONS

    def test_the_same_options_give_the_same_fingerprint(self):
        assert query_fingerprint(dict(self.BASE)) == query_fingerprint(self.BASE)
        assert query_fingerprint(dict(self.BASE, tags={"b": "2", "a": "1"})) == query_fingerprint(dict(self.BASE, tags={"a": "1", "b": "2"}))
