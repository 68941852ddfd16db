"""role_settings: the firewall_baseline role's variables -> the batch module's options (fixes found by the role's e2e tests)."""

from __future__ import annotations

import pytest

from ansible_collections.seed.lightsail.plugins.module_utils.role_settings import RoleSettingsError
from ansible_collections.seed.lightsail.plugins.module_utils.role_settings import role_settings

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
