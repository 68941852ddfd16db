"""The role's variables as users set them (role_settings.py): scope, report path, survey strings, unknown names."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import PREFIX
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import ROLE_VARIABLES
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import RoleSettingsError
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import effective_scope
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import report_path
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import role_settings
from ansible_collections.seed.lightsail.plugins.module_utils._role_settings import with_host_defaults

ROLE = Path(__file__).resolve().parents[4] / "roles" / "firewall_baseline"


def test_the_known_variables_are_the_argument_spec_and_the_defaults():
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    assert sorted(spec) == sorted(PREFIX + name for name in ROLE_VARIABLES)
    assert sorted(defaults) == sorted(spec)


class TestScope:
    def test_the_plays_hosts_decide(self):
        assert effective_scope("auto", ["localhost"]) == "fleet"
        assert effective_scope(None, ["web-1", "db-1"]) == "host"
        assert effective_scope("host", ["web-1"]) == "host" and effective_scope("FLEET", ["localhost"]) == "fleet"

    def test_fleet_on_inventory_hosts_is_an_error_not_a_silent_choice(self):
        with pytest.raises(RoleSettingsError, match="firewall_baseline_scope is fleet, but the play targets inventory hosts \\(web-1\\)"):
            effective_scope("fleet", ["web-1"])

    def test_host_on_localhost_and_mixed_plays_are_errors(self):
        with pytest.raises(RoleSettingsError, match="targets only the controller"):
            effective_scope("host", ["localhost"])
        with pytest.raises(RoleSettingsError, match="the controller \\(localhost\\) and inventory hosts \\(web-1\\) together"):
            effective_scope("auto", ["localhost", "web-1"])
        with pytest.raises(RoleSettingsError, match="'region' is not one of auto, fleet, host"):
            effective_scope("region", ["localhost"])


class TestReportPath:
    def test_relative_paths_resolve_against_the_start_directory(self, tmp_path):
        (tmp_path / "out").mkdir()
        assert report_path("out/r.json", cwd=str(tmp_path)) == str(tmp_path / "out" / "r.json")
        assert report_path("", cwd=str(tmp_path)) == "" and report_path(None) == ""

    def test_a_missing_directory_or_a_directory_is_refused(self, tmp_path):
        with pytest.raises(RoleSettingsError, match="firewall_baseline_report_path: 'nope/r.json' -> .* does not exist"):
            report_path("nope/r.json", cwd=str(tmp_path))
        with pytest.raises(RoleSettingsError, match="is a directory"):
            report_path(str(tmp_path))


class TestSettings:
    def test_survey_strings_in_host_scope(self):
        settings = role_settings({"profile": "web", "admin_cidrs": "203.0.113.0/24\r\n198.51.100.7", "keep_console_access": "false",
                                  "allow_lockout": "no", "instance_name": " web-1 ", "region": "eu-west-1", "max_concurrency": " 20 "},
                                 mode="apply", scope="host", host="web-1.example")
        assert settings["target"]["admin_cidrs"] == ["203.0.113.0/24", "198.51.100.7/32"]
        assert settings["target"]["keep_console_access"] is False and settings["target"]["baseline"] == "web"
        assert (settings["target"]["instance_name"], settings["target"]["host"], settings["target"]["region"]) == ("web-1", "web-1.example", "eu-west-1")
        assert settings["run"]["max_concurrency"] == 20 and settings["run"]["mode"] == "apply"

    def test_fleet_scope_regions_names_and_tags(self):
        settings = role_settings({"regions": "eu-west-1, us-east-1", "instance_names": "web-1 web-2", "tags": "role=web", "fail_on_violations": "true"})
        select = settings["select"]
        assert select["regions"] == ["eu-west-1", "us-east-1"] and select["instance_names"] == ["web-1", "web-2"] and select["tags"] == {"role": "web"}
        assert select["baseline"] == "locked_down" and settings["run"]["fail_on_violations"] is True
        assert role_settings({"region": "eu-west-1", "instance_names": ""})["select"]["instance_names"] is None
        with pytest.raises(RoleSettingsError, match=r"firewall_baseline_instance_names: \[\] selects no instance"):
            role_settings({"instance_names": []})

    def test_an_apply_needs_a_profile_chosen_explicitly(self):
        with pytest.raises(RoleSettingsError, match="firewall_baseline_profile: an apply needs a profile chosen explicitly"):
            role_settings({"admin_cidrs": ["203.0.113.0/24"]}, mode="apply")

    def test_errors_name_the_role_variable_and_index(self):
        with pytest.raises(RoleSettingsError, match=r"firewall_baseline_admin_cidrs\[1\]"):
            role_settings({"admin_cidrs": "203.0.113.0/24,10.0.0.300"})
        with pytest.raises(RoleSettingsError, match="firewall_baseline_max_concurrency"):
            role_settings({"max_concurrency": "0"})
        with pytest.raises(RoleSettingsError, match="firewall_baseline_region .* and firewall_baseline_regions .* disagree"):
            role_settings({"region": "eu-west-1", "regions": ["us-east-1"]})
        with pytest.raises(RoleSettingsError, match="firewall_baseline_instance_name: empty"):
            role_settings({"instance_name": " "}, scope="host", host="h")

    def test_a_misspelt_variable_names_the_closest_known_one(self):
        with pytest.raises(RoleSettingsError, match="firewall_baseline_profil is not a variable of seed.lightsail.firewall_baseline; "
                                                    "did you mean firewall_baseline_profile"):
            role_settings({}, variables=["firewall_baseline_profil", "firewall_baseline_mode"])
        role_settings({}, variables=[PREFIX + name for name in ROLE_VARIABLES] + ["firewall_baseline_run", "other_variable"])


class TestRegions:
    KNOWN = ("eu-west-1", "us-east-1")

    def test_an_unknown_region_names_the_variable_and_the_closest(self):
        with pytest.raises(RoleSettingsError, match=r"firewall_baseline_regions\[1\]: unknown Lightsail region 'us-eest-1' \(closest: us-east-1"):
            role_settings({"regions": "eu-west-1,us-eest-1"}, known_regions=self.KNOWN)
        with pytest.raises(RoleSettingsError, match="firewall_baseline_region: unknown Lightsail region 'mars-1'"):
            role_settings({"instance_name": "web-1", "region": "mars-1"}, scope="host", host="web-1", known_regions=self.KNOWN)

    def test_another_endpoint_accepts_any_region_name(self):
        settings = role_settings({"region": "xx-local-1"}, known_regions=self.KNOWN, endpoint_url="http://127.0.0.1:1")
        assert settings["select"]["regions"] == ["xx-local-1"]


OFFICE6 = "2001:db8:1234::/48"


def refusal(raw, **kwargs):
    with pytest.raises(RoleSettingsError) as caught:
        role_settings(raw, **kwargs)
    return str(caught.value)


class TestFleetRegions:
    def test_no_region_is_an_empty_list_so_the_module_uses_aws_region(self):
        assert role_settings({"profile": "web"}, mode="apply", scope="fleet")["select"]["regions"] == []

    def test_one_region_or_several(self):
        assert role_settings({"region": "eu-west-1"}, scope="fleet")["select"]["regions"] == ["eu-west-1"]
        assert role_settings({"regions": "eu-west-1, us-east-1"}, scope="fleet")["select"]["regions"] == ["eu-west-1", "us-east-1"]


class TestBaselineRefusedOnEveryInstance:
    @pytest.mark.parametrize("scope", ["fleet", "host"])
    def test_no_path_in_on_any_platform_is_refused_naming_the_role_variables(self, scope):
        message = refusal({"profile": "locked_down", "keep_console_access": "false", "instance_name": "web-1"}, mode="apply", scope=scope)
        assert message.startswith("firewall_baseline_allow_lockout: is false, and the locked_down baseline leaves tcp 22")
        assert "set firewall_baseline_admin_cidrs or firewall_baseline_admin_ipv6_cidrs" in message
        assert message.endswith("(and likewise on WINDOWS instances, whatever their address type; nothing was read or written)")

    def test_a_world_open_admin_port_is_refused_naming_the_role_variable(self):
        message = refusal({"profile": "web", "admin_cidrs": "0.0.0.0/0"}, mode="audit", scope="fleet")
        assert message.startswith("firewall_baseline_public_exceptions: the web baseline would expose SSH (tcp 22) open to 0.0.0.0/0")

    def test_different_refusals_per_platform_are_all_named(self):
        raw = {"profile": "locked_down", "keep_console_access": False,
               "extra_rules": [{"protocol": "tcp", "from_port": 3389, "cidrs": ["0.0.0.0/0"]}]}
        message = refusal(raw, mode="apply", scope="fleet")
        assert message.startswith("firewall_baseline_allow_lockout: is false")
        assert "; firewall_baseline_public_exceptions: the locked_down baseline would expose RDP (tcp 3389) open to 0.0.0.0/0" in message

    @pytest.mark.parametrize("raw", [
        # IPv6 only: a path in on dualstack and IPv6 instances; the module refuses IPv4-only instances, which only it can see
        {"admin_ipv6_cidrs": [OFFICE6]},
        # a path in on Linux/Unix only: the module refuses Windows instances
        {"extra_rules": [{"protocol": "tcp", "from_port": 22, "cidrs": ["203.0.113.0/24"]}]},
    ])
    def test_a_baseline_that_some_instance_may_take_is_left_to_the_module(self, raw):
        settings = role_settings(dict(raw, profile="locked_down", keep_console_access=False), mode="apply", scope="fleet")
        assert settings["select"]["baseline"] == "locked_down" and settings["select"]["keep_console_access"] is False


class TestHostDefaults:
    HOST = {"lightsail_region": "eu-west-1", "lightsail_name": "web-1", "inventory_hostname": "web-1.example"}

    def host_value(self, variables):
        asked = []

        def value(name):
            asked.append(name)
            return variables.get(name)
        return value, asked

    def test_unset_region_and_instance_name_come_from_the_host(self):
        value, asked = self.host_value(self.HOST)
        raw = with_host_defaults({"region": None, "profile": "web"}, value)
        assert raw == {"region": "eu-west-1", "instance_name": "web-1", "profile": "web"}
        assert asked == ["lightsail_region", "lightsail_name"]

    def test_without_lightsail_variables_the_inventory_name_and_no_region(self):
        value, asked = self.host_value({"inventory_hostname": "web-1.example"})
        assert with_host_defaults({}, value) == {"region": "", "instance_name": "web-1.example"}
        assert asked == ["lightsail_region", "lightsail_name", "inventory_hostname"]

    def test_values_set_by_the_user_win_and_the_host_is_not_asked(self):
        value, asked = self.host_value(self.HOST)
        # An explicit empty string stays: the region then comes from AWS_REGION, and an empty instance name is refused.
        assert with_host_defaults({"region": "", "instance_name": ""}, value) == {"region": "", "instance_name": ""}
        assert with_host_defaults({"region": "us-east-1", "instance_name": "db-1"}, value) == {"region": "us-east-1", "instance_name": "db-1"}
        assert asked == []


def test_the_roles_defaults_and_argument_spec_hold_no_templates():
    # ansible-core templates the argument spec and the role's variables in every host's worker, once per per-host task: a
    # template there is a Jinja compile (and, with a filter, a scan of the filter plugins) per host and per task.
    defaults = (ROLE / "defaults" / "main.yml").read_text()
    spec = (ROLE / "meta" / "argument_specs.yml").read_text()
    assert "{{" not in defaults and "{%" not in defaults
    assert "{{" not in spec and "{%" not in spec


def test_the_roles_per_host_tasks_take_no_templates_and_no_conditions():
    # Every template in a task that runs per host is compiled again in each host's worker; the run_once tasks run once.
    tasks = yaml.safe_load((ROLE / "tasks" / "main.yml").read_text())
    per_host = [task for task in tasks if not task.get("run_once")]
    assert [task["name"] for task in per_host] == ["Check the role's variables", "Give each host its outcome"]
    for task in per_host:
        assert "when" not in task and "{{" not in yaml.safe_dump(task), task["name"]
