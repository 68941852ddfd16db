from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ansible_collections.seed.lightsail.plugins.module_utils._baseline import PROFILES
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import BASELINE_OPTION_NAMES
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import RoleInputError
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_bool
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_choice
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_dict_list
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_int
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_list
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import check_region
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import check_regions
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import lightsail_regions
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import parse_role_options
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import unknown_variables
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError

FIELD = "firewall_baseline_x"
OFFICE, HOME, OFFICE6 = "203.0.113.0/24", "198.51.100.7", "2001:db8::/32"
REGIONS = ("eu-west-1", "us-east-1", "us-east-2", "us-west-2")


def error_of(function, *args, **kwargs):
    with pytest.raises(RuleError) as error:
        function(*args, **kwargs)
    return error.value


class TestAsList:
    @pytest.mark.parametrize("value, expected", [
        ([OFFICE, HOME], [OFFICE, HOME]),
        ((OFFICE,), [OFFICE]),
        ([], []),
        (None, []),
        ("", []),
        ("  \r\n ", []),
        ("%s,%s" % (OFFICE, HOME), [OFFICE, HOME]),
        ("%s, %s" % (OFFICE, HOME), [OFFICE, HOME]),
        ("%s %s" % (OFFICE, HOME), [OFFICE, HOME]),
        ("%s\n%s\n" % (OFFICE, HOME), [OFFICE, HOME]),
        ("%s\r\n%s\r\n" % (OFFICE, HOME), [OFFICE, HOME]),
        (" ,%s,, ,\t%s ," % (OFFICE, HOME), [OFFICE, HOME]),
        ('["%s", "%s"]' % (OFFICE, HOME), [OFFICE, HOME]),
        (OFFICE, [OFFICE]),
    ])
    def test_lists_and_strings(self, value, expected):
        assert as_list(value, FIELD) == expected

    def test_a_list_is_a_copy(self):
        given_list = [OFFICE]
        assert as_list(given_list, FIELD) is not given_list

    @pytest.mark.parametrize("value", [{"a": 1}, 5, True, 1.5, b"10.0.0.0/8"])
    def test_anything_else_names_the_field_and_the_value(self, value):
        error = error_of(as_list, value, FIELD)
        assert isinstance(error, RoleInputError) and error.where == FIELD and repr(value) in str(error)

    @pytest.mark.parametrize("value", ['["a", "b"', "[a, b]", '["a"] x'])
    def test_broken_json_is_an_error(self, value):
        error = error_of(as_list, value, FIELD)
        assert error.where == FIELD and "not valid JSON" in str(error)


TOKEN = st.text(st.characters(whitelist_categories=("L", "N"), whitelist_characters="./:-_"), min_size=1, max_size=12).filter(
    lambda text: not text.startswith("["))
SEPARATOR = st.lists(st.sampled_from([",", " ", "\n", "\r\n", "\t"]), min_size=1, max_size=3).map("".join)


@given(st.lists(TOKEN, max_size=6), st.lists(SEPARATOR, min_size=8, max_size=8), SEPARATOR, SEPARATOR)
def test_any_separated_string_gives_its_parts(tokens, separators, before, after):
    text = before * bool(tokens) + "".join(token + separators[index] for index, token in enumerate(tokens)) + after
    assert as_list(text, FIELD) == tokens


class TestAsBool:
    @pytest.mark.parametrize("value", [True, "true", "True", "TRUE", " yes ", "Yes", "on", "ON", "1", "y", "Y", "t", "T", 1, 1.0])
    def test_true(self, value):
        assert as_bool(value, FIELD) is True

    @pytest.mark.parametrize("value", [False, "false", "False", "no", "NO", "off", "Off", "0", "n", "N", "f", "F", 0, 0.0, " false\r\n"])
    def test_false(self, value):
        assert as_bool(value, FIELD) is False

    @pytest.mark.parametrize("value", ["maybe", "tru", "2", 2, -1, 0.5, [], {}, ["true"]])
    def test_anything_else_names_the_field_and_the_value(self, value):
        error = error_of(as_bool, value, FIELD)
        assert error.where == FIELD and ("%r is not a boolean" % (value,)) in str(error)

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_unset_takes_the_default(self, value):
        assert as_bool(value, FIELD, default=True) is True and as_bool(value, FIELD, default=False) is False
        assert "is required" in str(error_of(as_bool, value, FIELD))


@given(st.sampled_from(["true", "yes", "on", "1", "y", "t", "false", "no", "off", "0", "n", "f"]), st.data())
def test_any_case_of_an_ansible_boolean(word, data):
    text = "".join(data.draw(st.sampled_from([char.lower(), char.upper()])) for char in word)
    assert as_bool(text, FIELD) is (word in ("true", "yes", "on", "1", "y", "t"))


class TestAsInt:
    @pytest.mark.parametrize("value, expected", [(10, 10), ("10", 10), (" 10 ", 10), ("\t10\r\n", 10), ("-3", -3), ("+4", 4), (10.0, 10), (0, 0)])
    def test_integers(self, value, expected):
        assert as_int(value, FIELD) == expected

    @pytest.mark.parametrize("value", [True, False, "10.5", "1e3", "ten", "", None, 10.5, [10], {"a": 1}, "0x10"])
    def test_anything_else_names_the_field_and_the_value(self, value):
        error = error_of(as_int, value, FIELD)
        assert error.where == FIELD and (repr(value) in str(error) or "is required" in str(error))

    def test_minimum(self):
        assert as_int("1", FIELD, minimum=1) == 1
        assert str(error_of(as_int, "0", FIELD, minimum=1)) == "%s: 0 is less than 1" % FIELD

    def test_default(self):
        assert as_int(None, FIELD, default=10) == 10 and as_int(" ", FIELD, default=10) == 10 and as_int("3", FIELD, default=10) == 3


class TestAsDictList:
    RULES = [{"protocol": "tcp", "from_port": 25}]

    @pytest.mark.parametrize("value, expected", [
        (RULES, RULES), (tuple(RULES), RULES), (None, []), ("", []), ("[]", []), ('[{"protocol": "tcp", "from_port": 25}]', RULES),
        ('\r\n[{"protocol": "tcp",\r\n  "from_port": 25}]\r\n', RULES),
    ])
    def test_lists_of_dicts(self, value, expected):
        assert as_dict_list(value, FIELD) == expected

    @pytest.mark.parametrize("value, where, text", [
        ("protocol: tcp", FIELD, "not valid JSON"),
        ('{"protocol": "tcp"}', FIELD, "expected a list of dictionaries"),
        ({"protocol": "tcp"}, FIELD, "expected a list of dictionaries"),
        (5, FIELD, "expected a list of dictionaries"),
        ([RULES[0], "tcp/25"], FIELD + "[1]", "expected a dictionary, got 'tcp/25'"),
        ('[{"protocol": "tcp"}, 25]', FIELD + "[1]", "expected a dictionary, got 25"),
    ])
    def test_errors(self, value, where, text):
        error = error_of(as_dict_list, value, FIELD)
        assert error.where == where and text in str(error)


class TestAsChoice:
    def test_any_case(self):
        assert as_choice(" Apply ", FIELD, ("audit", "apply")) == "apply"

    def test_default(self):
        assert as_choice("", FIELD, ("audit", "apply"), default="audit") == "audit"

    def test_an_unknown_choice_names_the_closest(self):
        assert str(error_of(as_choice, "aply", FIELD, ("audit", "apply"))) == "%s: 'aply' is not one of audit, apply (did you mean apply?)" % FIELD
        assert str(error_of(as_choice, 3, FIELD, ("audit", "apply"))) == "%s: 3 is not one of audit, apply" % FIELD


class TestUnknownVariables:
    KNOWN = ["firewall_baseline_profile", "firewall_baseline_admin_cidrs", "firewall_baseline_region", "firewall_baseline_report"]

    def test_a_misspelt_variable_names_the_closest(self):
        """Issue 12: -e firewall_baseline_profil=web silently fell back to the default profile."""
        assert unknown_variables(["firewall_baseline_profil", "firewall_baseline_profile"], self.KNOWN) == [
            ("firewall_baseline_profil", "firewall_baseline_profile")]

    def test_nothing_close(self):
        assert unknown_variables(["firewall_baseline_zzzzzzzzzz"], self.KNOWN) == [("firewall_baseline_zzzzzzzzzz", None)]

    def test_other_variables_and_known_ones_are_left_alone(self):
        names = ["lightsail_region", "inventory_hostname", "baseline_profil", "firewall_baseline_report", "firewall_baseline_region", 42]
        assert unknown_variables(names, self.KNOWN) == []

    def test_sorted_and_each_once(self):
        names = ["firewall_baseline_regoin", "firewall_baseline_admin_cidr", "firewall_baseline_regoin"]
        assert unknown_variables(names, self.KNOWN) == [
            ("firewall_baseline_admin_cidr", "firewall_baseline_admin_cidrs"), ("firewall_baseline_regoin", "firewall_baseline_region")]

    def test_another_prefix(self):
        assert unknown_variables(["x_profil"], ["x_profile"], prefix="x_") == [("x_profil", "x_profile")]


class TestRegions:
    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_empty_means_the_environment(self, value):
        assert check_region(value, REGIONS) == ""

    def test_a_known_region(self):
        assert check_region(" us-east-1 ", REGIONS) == "us-east-1"

    def test_an_unknown_region_names_the_field_the_value_and_the_closest(self):
        error = error_of(check_region, "us-east-9", REGIONS)
        assert error.where == "firewall_baseline_region"
        assert str(error).startswith("firewall_baseline_region: unknown Lightsail region 'us-east-9' (closest: ")
        closest = str(error).split("(closest: ")[1].split(")")[0].split(", ")
        assert closest[:2] in (["us-east-1", "us-east-2"], ["us-east-2", "us-east-1"])
        assert "Lightsail regions known to the installed botocore: eu-west-1, us-east-1, us-east-2, us-west-2" in str(error)

    def test_a_name_that_is_no_region_at_all(self):
        assert "a region name looks like us-east-1" in str(error_of(check_region, "virginia", REGIONS, field="r"))

    def test_an_endpoint_allows_any_region_name(self):
        assert check_region("xx-local-1", REGIONS, endpoint_url="http://127.0.0.1:9999") == "xx-local-1"
        error = error_of(check_region, "local", REGIONS, endpoint_url="http://127.0.0.1:9999")
        assert error.where == "firewall_baseline_region" and "'local' is not a region name" in str(error)

    def test_no_known_regions_means_no_check(self):
        assert check_region("us-east-9", ()) == "us-east-9"

    @pytest.mark.parametrize("value", [["us-east-1"], 1, {"a": "b"}])
    def test_not_a_string(self, value):
        assert error_of(check_region, value, REGIONS).where == "firewall_baseline_region"

    def test_several_regions(self):
        assert check_regions("us-east-1, eu-west-1\nus-east-1", REGIONS) == ["us-east-1", "eu-west-1"]
        assert check_regions(["us-west-2"], REGIONS) == ["us-west-2"]
        assert check_regions(None, REGIONS) == []
        assert error_of(check_regions, ["us-east-1", "eu-west-9"], REGIONS).where == "firewall_baseline_regions[1]"

    def test_lightsail_regions_come_from_botocore(self):
        import botocore.session
        session = botocore.session.Session()
        regions = lightsail_regions()
        assert isinstance(regions, tuple) and list(regions) == sorted(set(regions))
        assert "us-east-1" in regions and "eu-west-1" in regions
        assert set(regions) == set(r for p in session.get_available_partitions() for r in session.get_available_regions("lightsail", p))

    def test_lightsail_regions_without_botocore(self, monkeypatch):
        lightsail_regions.cache_clear()
        monkeypatch.setitem(sys.modules, "botocore", None)
        monkeypatch.setitem(sys.modules, "botocore.session", None)
        try:
            assert lightsail_regions() == ()
        finally:
            lightsail_regions.cache_clear()


SURVEY = {
    "firewall_baseline_profile": "web",
    "firewall_baseline_admin_cidrs": "%s\r\n%s\r\n" % (OFFICE, HOME),
    "firewall_baseline_admin_ipv6_cidrs": "2001:DB8::/32",
    "firewall_baseline_keep_console_access": "false",
    "firewall_baseline_extra_rules": '[{"protocol": "udp", "from_port": "51820", "cidrs": "10.0.0.0/8, 192.168.0.0/16"}]',
    "firewall_baseline_public_exceptions": '[{"protocol": "tcp", "from_port": 25, "reason": "mail relay"}]',
    "firewall_baseline_public_ipv6": "no",
    "firewall_baseline_allow_lockout": "0",
}
TYPED = {
    "firewall_baseline_profile": "web",
    "firewall_baseline_admin_cidrs": [OFFICE, HOME],
    "firewall_baseline_admin_ipv6_cidrs": [OFFICE6],
    "firewall_baseline_keep_console_access": False,
    "firewall_baseline_extra_rules": [{"protocol": "udp", "from_port": 51820, "cidrs": ["10.0.0.0/8", "192.168.0.0/16"]}],
    "firewall_baseline_public_exceptions": [{"protocol": "tcp", "from_port": 25, "reason": "mail relay"}],
    "firewall_baseline_public_ipv6": False,
    "firewall_baseline_allow_lockout": False,
}


class TestParseRoleOptions:
    def test_survey_strings(self):
        options = parse_role_options(SURVEY)
        assert options == {
            "profile": "web",
            "admin_cidrs": [OFFICE, HOME + "/32"],
            "admin_ipv6_cidrs": [OFFICE6],
            "keep_console_access": False,
            "extra_rules": [{"protocol": "udp", "from_port": "51820", "cidrs": ["10.0.0.0/8", "192.168.0.0/16"]}],
            "public_exceptions": [{"protocol": "tcp", "from_port": 25, "reason": "mail relay"}],
            "public_ipv6": False,
            "allow_lockout": False,
        }
        assert tuple(options) == BASELINE_OPTION_NAMES

    def test_strings_and_real_types_give_the_same_baseline(self):
        assert parse_baseline_options(parse_role_options(SURVEY)) == parse_baseline_options(parse_role_options(TYPED))

    def test_the_result_parses_to_the_same_options_again(self):
        options = parse_role_options(TYPED)
        assert parse_role_options(options, prefix="") == options

    def test_defaults_are_the_roles(self):
        assert parse_role_options({}) == {
            "profile": "locked_down", "admin_cidrs": [], "admin_ipv6_cidrs": [], "keep_console_access": True, "extra_rules": [],
            "public_exceptions": [], "public_ipv6": True, "allow_lockout": False,
        }

    def test_bare_option_names_work_too(self):
        assert parse_role_options({"profile": "console_only"})["profile"] == "console_only"
        assert parse_role_options({"profile": "web", "firewall_baseline_profile": "custom"})["profile"] == "custom"

    def test_profile_any_case(self):
        assert parse_role_options({"firewall_baseline_profile": " Web_HTTPS_Only "})["profile"] == "web_https_only"

    @pytest.mark.parametrize("profile", [None, "", "  "])
    def test_an_apply_needs_a_profile_chosen_explicitly(self, profile):
        """Issue 12: harden without a profile silently applied locked_down and closed 80 and 443."""
        error = error_of(parse_role_options, {"firewall_baseline_profile": profile}, require_profile=True)
        assert str(error) == ("firewall_baseline_profile: an apply needs a profile chosen explicitly "
                              "(locked_down, console_only, web, web_https_only, custom)")
        assert parse_role_options({"firewall_baseline_profile": profile})["profile"] == "locked_down"

    def test_an_explicit_profile_passes_an_apply(self):
        for profile in PROFILES:
            assert parse_role_options({"firewall_baseline_profile": profile}, require_profile=True)["profile"] == profile

    @pytest.mark.parametrize("raw, text", [
        ({"firewall_baseline_admin_cidrs": "%s, 10.0.0.300" % OFFICE}, "firewall_baseline_admin_cidrs[1]: '10.0.0.300' is not an IPv4 address or CIDR"),
        ({"firewall_baseline_admin_cidrs": [OFFICE6]}, "firewall_baseline_admin_cidrs[0]: '2001:db8::/32' is an IPv6 block"),
        ({"firewall_baseline_admin_ipv6_cidrs": "2001:db8::1/32"}, "firewall_baseline_admin_ipv6_cidrs[0]: '2001:db8::1/32' has host bits set"),
        ({"firewall_baseline_admin_cidrs": {"a": 1}}, "firewall_baseline_admin_cidrs: expected a list"),
        ({"firewall_baseline_profile": "webb"}, "firewall_baseline_profile: 'webb' is not one of locked_down, console_only, web, web_https_only, "
                                                "custom (did you mean web?)"),
        ({"firewall_baseline_keep_console_access": "maybe"}, "firewall_baseline_keep_console_access: 'maybe' is not a boolean"),
        ({"firewall_baseline_public_ipv6": "2"}, "firewall_baseline_public_ipv6: '2' is not a boolean"),
        ({"firewall_baseline_allow_lockout": "yess"}, "firewall_baseline_allow_lockout: 'yess' is not a boolean"),
        ({"firewall_baseline_extra_rules": "tcp 80"}, "firewall_baseline_extra_rules: expected a list of dictionaries; 'tcp 80' is not valid JSON"),
        ({"firewall_baseline_extra_rules": '[{"protocol": "tcp", "from_port": 80}]'}, "firewall_baseline_extra_rules[0] (tcp 80): no sources"),
        ({"firewall_baseline_extra_rules": '[{"protocol": "tcp", "from_port": 80, "cidrs": "x"}]'},
         "firewall_baseline_extra_rules[0] (tcp 80).cidrs[0]: 'x' is not an IPv4 address"),
        ({"firewall_baseline_extra_rules": '[{"protocol": "tcp", "from_port": 80, "cidrs": 5}]'},
         "firewall_baseline_extra_rules[0] (tcp 80).cidrs: expected a list, got 5"),
        ({"firewall_baseline_public_exceptions": '[{"protocol": "tcp", "from_port": 25}]'}, "firewall_baseline_public_exceptions[0].reason: is required"),
        ({"firewall_baseline_public_exceptions": [{"protocol": "tcp", "from_port": "x", "reason": "r"}]},
         "firewall_baseline_public_exceptions[0].from_port: 'x' is not an integer"),
        ({"firewall_baseline_profile": "console_only", "firewall_baseline_admin_cidrs": OFFICE}, "firewall_baseline_admin_cidrs: 203.0.113.0/24: console_only"),
    ])
    def test_errors_name_the_role_variable(self, raw, text):
        assert str(error_of(parse_role_options, raw)).startswith(text)

    def test_another_prefix(self):
        assert error_of(parse_role_options, {"fb_admin_cidrs": "x"}, prefix="fb_").where == "fb_admin_cidrs[0]"


CIDRS4 = st.lists(st.sampled_from([OFFICE, HOME, "10.0.0.0/8", "192.0.2.1/32"]), max_size=3, unique=True)
CIDRS6 = st.lists(st.sampled_from([OFFICE6, "2001:db8:1::/48", "fd00::/8"]), max_size=3, unique=True)
SPELLINGS = {True: ["true", "yes", "on", "1", "y", "t", "True", "YES"], False: ["false", "no", "off", "0", "n", "f", "False", "NO"]}


@given(st.sampled_from(PROFILES[:1] + PROFILES[2:]), CIDRS4, CIDRS6, st.booleans(), st.booleans(), st.booleans(),
       st.sampled_from([",", " ", "\n", "\r\n", ", "]), st.data())
def test_survey_text_means_what_the_typed_values_mean(profile, cidrs, cidrs6, console, public_ipv6, allow_lockout, separator, data):
    typed = {"profile": profile, "admin_cidrs": cidrs, "admin_ipv6_cidrs": cidrs6, "keep_console_access": console,
             "public_ipv6": public_ipv6, "allow_lockout": allow_lockout}
    text = {"profile": profile.upper(), "admin_cidrs": separator.join(cidrs), "admin_ipv6_cidrs": separator.join(cidrs6)}
    for name in ("keep_console_access", "public_ipv6", "allow_lockout"):
        text[name] = data.draw(st.sampled_from(SPELLINGS[typed[name]]))
    survey = dict(("firewall_baseline_" + name, value) for name, value in text.items())
    assert parse_role_options(survey) == parse_role_options(typed, prefix="")
