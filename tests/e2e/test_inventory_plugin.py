"""The seed.lightsail.lightsail inventory plugin end to end: ansible-inventory -> plugin -> boto3 -> HTTP -> test service."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from ansible import constants as C
from ansible.plugins.loader import inventory_loader
from ansible.release import __version__ as ansible_core_version

from ansible_collections.seed.lightsail.plugins.inventory import lightsail as plugin_module
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import firewall_from_port_states

PLUGIN = "seed.lightsail.lightsail"
LIST = "GetInstances"
BIN_DIR = Path(sys.executable).parent
# The ansible-core of this interpreter's venv, which is also the one that runs ansible-inventory (BIN_DIR).
CORE = tuple(int(part) for part in ansible_core_version.split(".")[:2])


def wrapped_pattern(text):
    """A regex for text as ansible-core before 2.19 prints it inside a warning: wrapped at 79 columns by textwrap,
    which turns a space into a line break, or breaks a line after a hyphen (us-\neast-1)."""
    return "".join("[ \n]" if char == " " else "-\n?" if char == "-" else re.escape(char) for char in text)


def shows(stderr, text):
    """ansible-inventory's stderr shows text. Before 2.19 an inventory source's error is a wrapped warning
    ("* Failed to parse ... with auto plugin: <error>"); from 2.19 on it is printed on one line."""
    if CORE >= (2, 19):
        return text in stderr
    return re.search(wrapped_pattern(text), stderr) is not None


def plain(value):
    """--list output without ansible-core's {"__ansible_unsafe": ...} wrappers (every string from a plugin is untrusted)."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return dict((key, plain(item)) for key, item in value.items())
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


class InventoryRun:
    """One ansible-inventory run; ``data`` is the parsed --list output when there is one."""

    def __init__(self, completed):
        self.rc, self.stdout, self.stderr = completed.returncode, completed.stdout, completed.stderr
        self.data = plain(json.loads(self.stdout)) if self.rc == 0 and self.stdout.lstrip().startswith("{") else None

    def __repr__(self):
        return "InventoryRun(rc=%s)\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout[-4000:], self.stderr[-4000:])

    @property
    def hostvars(self):
        return self.data["_meta"]["hostvars"]

    def group(self, name):
        """The hosts of a group, sorted; [] when the group does not exist."""
        return sorted(self.data.get(name, {}).get("hosts", []))


def source_path(tmp_path, name="demo.lightsail.yml"):
    """Where the inventory fixture writes its source (the cache key depends on the path)."""
    return tmp_path / name


@pytest.fixture
def inventory(ansible, tmp_path):
    """Write a plugin config and run ansible-inventory on it; an unparsable source fails the run."""

    def run(config, *args, name="demo.lightsail.yml", env=None):
        path = source_path(tmp_path, name)
        path.write_text(yaml.safe_dump(dict({"plugin": PLUGIN}, **config), sort_keys=False))
        command = [str(BIN_DIR / "ansible-inventory"), "-i", str(path)] + list(args or ["--list"])
        environment = ansible.environment(dict({"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true", "ANSIBLE_DEPRECATION_WARNINGS": "true"}, **(env or {})),
                                          callback=None)
        return InventoryRun(subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300, check=False))

    return run


def list_calls(admin):
    return admin.calls(operation=LIST)


def calls_per_region(admin):
    counts = {}
    for call in list_calls(admin):
        counts[call["region"]] = counts.get(call["region"], 0) + 1
    return counts


def plugin_examples():
    return list(yaml.safe_load_all(plugin_module.EXAMPLES))


def test_wrapped_pattern_finds_a_wrapped_warning_and_only_that():
    """The matcher used before 2.19, against ansible-core 2.17/2.18's own wrapping (Display.warning: textwrap, 79 columns)."""
    message = "host name 'web-1' is shared by instance web-1 in us-east-1 and instance web-1 in eu-west-1"
    for prefix in ("", "[WARNING]:  * Failed to parse /tmp/a/demo.lightsail.yml with auto plugin: ", "x" * 40 + "-y "):
        wrapped = "\n".join(textwrap.wrap(prefix + message + "; choose other hostnames", 79))
        assert message not in wrapped  # 89 characters: always broken somewhere
        assert re.search(wrapped_pattern(message), wrapped), wrapped
    for other in ("host name 'web-1' is shared by instance web-1 in us-east-1 and instance web-2 in eu-west-1",
                  "unknown Lightsail region(s) 'us-east1'", "host name web-1"):
        assert not re.search(wrapped_pattern(other), "\n".join(textwrap.wrap(message, 79)))


class TestListing:
    def test_hosts_of_several_regions_one_call_per_page(self, inventory, lightsail_admin):
        lightsail_admin.set_behaviour(page_size=5)
        lightsail_admin.seed_fleet(12, region="us-east-1", prefix="use")
        lightsail_admin.seed_fleet(3, region="eu-west-1", prefix="euw")
        lightsail_admin.seed_fleet(5, region="ap-south-1", prefix="aps")
        lightsail_admin.clear_calls()

        run = inventory({"regions": ["us-east-1", "eu-west-1", "ap-south-1"]})

        assert run.rc == 0, run
        assert len(run.group("lightsail")) == 20
        assert {run.hostvars[host]["lightsail_region"] for host in run.group("lightsail")} == {"us-east-1", "eu-west-1", "ap-south-1"}
        # 12 instances in pages of 5 -> 3 calls; 3 -> 1; exactly 5 -> 1 (no empty extra page).
        assert calls_per_region(lightsail_admin) == {"us-east-1": 3, "eu-west-1": 1, "ap-south-1": 1}
        us_calls = [call for call in list_calls(lightsail_admin) if call["region"] == "us-east-1"]
        assert "pageToken" not in (us_calls[0]["params"] or {})
        assert all(call["params"].get("pageToken") for call in us_calls[1:])
        assert all(call["result"] == "ok" for call in list_calls(lightsail_admin))

    def test_default_region_comes_from_the_environment(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("here", region="us-east-1")
        lightsail_admin.seed_instance("there", region="eu-west-1")
        lightsail_admin.clear_calls()

        run = inventory({})

        assert run.rc == 0, run
        assert run.group("lightsail") == ["here"]
        assert calls_per_region(lightsail_admin) == {"us-east-1": 1}

    def test_graph(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("web-1", tags={"role": "web"})
        run = inventory({"keyed_groups": [{"key": "lightsail_tags", "prefix": "tag"}]}, "--graph")
        assert run.rc == 0, run
        assert "@lightsail:" in run.stdout and "@tag_role_web:" in run.stdout and "web-1" in run.stdout

    def test_empty_region_gives_an_empty_group(self, inventory, lightsail_admin):
        run = inventory({"regions": ["eu-west-1"]})
        assert run.rc == 0, run
        assert run.group("lightsail") == []
        assert calls_per_region(lightsail_admin) == {"eu-west-1": 1}

    def test_throttling_is_retried(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("web-1")
        lightsail_admin.throttle(2, operation=LIST)
        run = inventory({"regions": ["us-east-1"]})
        assert run.rc == 0, run
        assert run.group("lightsail") == ["web-1"]


class TestHostVariables:
    def test_variables_of_a_host(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("db-1", blueprint="ubuntu_22_04", tags={"role": "db", "env": "prod"},
                                      extra_ports=[{"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrs": ["192.0.2.44"]}])
        lightsail_admin.seed_instance("win-1", blueprint="windows_server_2022", ip_address_type="ipv4", region="eu-west-1")

        run = inventory({"regions": ["us-east-1", "eu-west-1"]})

        assert run.rc == 0, run
        db, win = run.hostvars["db-1"], run.hostvars["win-1"]
        assert db["lightsail_name"] == "db-1"
        assert db["lightsail_region"] == "us-east-1" and db["lightsail_availability_zone"].startswith("us-east-1")
        assert db["lightsail_platform"] == "LINUX_UNIX" and win["lightsail_platform"] == "WINDOWS"
        assert db["lightsail_tags"] == {"role": "db", "env": "prod"} and win["lightsail_tags"] == {}
        assert db["lightsail_state"] == "running"
        assert db["lightsail_blueprint_id"] == "ubuntu_22_04" and db["lightsail_bundle_id"]
        assert db["lightsail_arn"].startswith("arn:aws:lightsail:us-east-1:")
        assert db["ansible_host"] == db["lightsail_public_ip_address"]
        assert db["lightsail_private_ip_address"] and db["lightsail_ipv6_addresses"]
        assert win["lightsail_ip_address_type"] == "ipv4" and win["lightsail_ipv6_addresses"] == []
        assert "name" not in db and "tags" not in db
        # The rules as the firewall reads them, normalised (192.0.2.44 -> /32), in the modules' shape.
        assert db["lightsail_ports"] == firewall_to_list(firewall_from_port_states(lightsail_admin.rules("db-1")))
        assert {"protocol": "tcp", "from_port": 3306, "to_port": 3306, "cidrs": ["192.0.2.44/32"], "ipv6_cidrs": [],
                "cidr_list_aliases": []} in db["lightsail_ports"]
        assert [rule["from_port"] for rule in win["lightsail_ports"]] == [22, 80, 3389]
        assert not shows(run.stderr, "reserved name") and "DEPRECATION" not in run.stderr, run.stderr

    def test_private_entries_are_apart_from_ports(self, inventory, lightsail_admin):
        private_entry = {"protocol": "tcp", "fromPort": 0, "toPort": 65535, "accessType": "private", "accessFrom": "Custom", "commonName": "Amazon VPC"}
        lightsail_admin.seed_instance("web-1", extra_ports=[private_entry])
        run = inventory({"regions": ["us-east-1"]})
        assert run.rc == 0, run
        variables = run.hostvars["web-1"]
        assert [rule["from_port"] for rule in variables["lightsail_ports"]] == [22, 80]
        assert len(variables["lightsail_private_ports"]) == 1
        assert variables["lightsail_private_ports"][0]["from_port"] == 0

    def test_ports_feed_the_ports_module_unchanged(self, ansible, tmp_path, lightsail_admin):
        """A host's lightsail_ports, given back to lightsail_instance_ports with purge, changes nothing."""
        dns_rule = {"protocol": "udp", "fromPort": 53, "toPort": 53, "cidrs": ["192.0.2.44"], "ipv6Cidrs": ["2001:db8::/32"],
                    "cidrListAliases": ["lightsail-connect"]}
        lightsail_admin.seed_instance("web-1", extra_ports=[dns_rule])
        lightsail_admin.seed_instance("web-2", region="eu-west-1", blueprint="windows_server_2022")
        source = tmp_path / "fleet.lightsail.yml"
        source.write_text(yaml.safe_dump({"plugin": PLUGIN, "regions": ["us-east-1", "eu-west-1"]}))
        play = {
            "hosts": "lightsail", "gather_facts": False, "connection": "local",
            "tasks": [{
                "name": "reapply",
                "seed.lightsail.lightsail_instance_ports": {
                    "instance_name": "{{ lightsail_name }}", "region": "{{ lightsail_region }}",
                    "ports": "{{ lightsail_ports }}", "purge_ports": True,
                },
            }],
        }
        lightsail_admin.clear_calls()

        run = ansible.playbook([play], inventory=source)

        assert sorted(result["_host"] for result in run.results("reapply")) == ["web-1", "web-2"]
        assert [result["changed"] for result in run.results("reapply")] == [False, False]
        assert lightsail_admin.write_calls() == []

    def test_private_address_as_ansible_host(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("web-1")
        run = inventory({"ansible_host_source": "private_ip_address"})
        assert run.rc == 0, run
        assert run.hostvars["web-1"]["ansible_host"] == run.hostvars["web-1"]["lightsail_private_ip_address"]


class TestConstructed:
    def test_the_documented_example(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("web-1", tags={"role": "web", "env": "prod"}, ip_address_type="ipv4")
        lightsail_admin.seed_instance("win-1", blueprint="windows_server_2022")
        lightsail_admin.seed_instance("db-1", tags={"role": "db"}, region="eu-west-1",
                                      ports=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": ["203.0.113.0/24"]}])
        example = plugin_examples()[0]
        example.pop("plugin")

        run = inventory(example)

        assert run.rc == 0, run
        assert run.group("region_us_east_1") == ["web-1", "win-1"] and run.group("region_eu_west_1") == ["db-1"]
        assert run.group("platform_LINUX_UNIX") == ["db-1", "web-1"] and run.group("platform_WINDOWS") == ["win-1"]
        assert run.group("tag_role_web") == ["web-1"] and run.group("tag_env_prod") == ["web-1"] and run.group("tag_role_db") == ["db-1"]
        assert run.group("role_web") == ["web-1"] and run.group("role_db") == ["db-1"]
        assert run.group("ssh_open_to_world") == ["web-1", "win-1"]
        # compose: IPv6 where there is one, else the public IPv4 address
        assert run.hostvars["win-1"]["ansible_host"] == run.hostvars["win-1"]["lightsail_ipv6_addresses"][0]
        assert run.hostvars["web-1"]["ansible_host"] == run.hostvars["web-1"]["lightsail_public_ip_address"]

    def test_compose_and_strict(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("web-1")
        run = inventory({"compose": {"rdp": "lightsail_platform == 'WINDOWS'", "env": "lightsail_tags.env"}})
        assert run.rc == 0, run
        assert run.hostvars["web-1"]["rdp"] is False and "env" not in run.hostvars["web-1"]

        strict = inventory({"strict": True, "compose": {"env": "lightsail_tags.env"}})
        assert strict.rc != 0 and "env" in strict.stderr

    def test_use_extra_vars(self, inventory, lightsail_admin):
        """compose and keyed_groups see extra vars (ansible-core's `groups` conditionals do not)."""
        lightsail_admin.seed_instance("web-1")
        config = {"use_extra_vars": True, "compose": {"site": "wanted"}, "keyed_groups": [{"key": "wanted", "prefix": "site"}]}
        run = inventory(config, "--list", "-e", "wanted=blue")
        assert run.rc == 0, run
        assert run.hostvars["web-1"]["site"] == "blue"
        assert run.group("site_blue") == ["web-1"]


class TestFilters:
    @pytest.fixture(autouse=True)
    def fleet(self, lightsail_admin):
        lightsail_admin.seed_instance("web-1", tags={"role": "web", "env": "prod"})
        lightsail_admin.seed_instance("web-2", tags={"role": "web", "env": "test"})
        lightsail_admin.seed_instance("db-1", tags={"role": "db", "env": "prod"})
        lightsail_admin.seed_instance("web-3", tags={"role": "web"}, region="eu-west-1")

    def test_names(self, inventory):
        run = inventory({"regions": ["us-east-1", "eu-west-1"], "instance_names": ["web-1", "web-3", "absent"]})
        assert run.rc == 0, run
        assert run.group("lightsail") == ["web-1", "web-3"]

    def test_tags(self, inventory):
        run = inventory({"regions": ["us-east-1", "eu-west-1"], "tags": {"role": "web", "env": "prod"}})
        assert run.rc == 0, run
        assert run.group("lightsail") == ["web-1"]

    def test_tag_with_empty_value_matches_any_value(self, inventory):
        run = inventory({"regions": ["us-east-1", "eu-west-1"], "tags": {"env": ""}})
        assert run.rc == 0, run
        assert run.group("lightsail") == ["db-1", "web-1", "web-2"]

    def test_states(self, inventory):
        assert inventory({"states": ["stopped"]}).group("lightsail") == []
        assert inventory({"states": ["RUNNING"]}).group("lightsail") == ["db-1", "web-1", "web-2"]


class TestHostnames:
    def test_public_address_first_then_name(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("web-1")
        run = inventory({"hostnames": ["public_ip_address", "name"]})
        assert run.rc == 0, run
        [host] = run.group("lightsail")
        assert run.hostvars[host]["lightsail_public_ip_address"] == host and run.hostvars[host]["lightsail_name"] == "web-1"

    def test_same_name_in_two_regions_fails_naming_both(self, inventory, lightsail_admin):
        lightsail_admin.seed_instance("web-1", region="us-east-1")
        lightsail_admin.seed_instance("web-1", region="eu-west-1")

        run = inventory({"regions": ["us-east-1", "eu-west-1"]})
        assert run.rc != 0
        assert shows(run.stderr, "host name 'web-1' is shared by instance web-1 in us-east-1 and instance web-1 in eu-west-1"), run

        by_address = inventory({"regions": ["us-east-1", "eu-west-1"], "hostnames": ["public_ip_address"]})
        assert by_address.rc == 0, by_address
        assert len(by_address.group("lightsail")) == 2

    def test_unknown_hostname_source_is_refused(self, inventory, lightsail_admin):
        run = inventory({"hostnames": ["dns_name"]})
        assert run.rc != 0 and shows(run.stderr, "dns_name"), run


class TestCache:
    def test_second_run_makes_no_call_and_flush_refreshes(self, ansible, inventory, lightsail_admin, tmp_path):
        lightsail_admin.set_behaviour(page_size=2)
        lightsail_admin.seed_fleet(3, region="us-east-1", prefix="node")
        cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"), "cache_timeout": 3600}
        config = dict(cache, regions=["us-east-1"])
        lightsail_admin.clear_calls()

        first = inventory(config)
        assert first.rc == 0, first
        assert len(list_calls(lightsail_admin)) == 2
        assert list((tmp_path / "cache").iterdir())

        lightsail_admin.seed_instance("late")  # not seen until the cache is refreshed
        lightsail_admin.clear_calls()
        second = inventory(config)
        assert second.rc == 0, second
        assert list_calls(lightsail_admin) == []
        assert second.hostvars == first.hostvars

        regrouped = inventory(dict(config, keyed_groups=[{"key": "lightsail_region", "prefix": "region"}]))
        assert list_calls(lightsail_admin) == []
        assert regrouped.group("region_us_east_1") == first.group("lightsail")

        # ansible-playbook --flush-cache lists again and writes the cache, under every ansible-core (docs/inventory.md).
        play = [{"name": "refresh", "hosts": "lightsail", "gather_facts": False, "tasks": []}]
        refreshed = ansible.playbook(play, inventory=source_path(tmp_path), callback=None, args=["--flush-cache", "--list-hosts"],
                                     env={"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"})
        assert len(list_calls(lightsail_admin)) == 2  # 4 instances, pages of 2
        assert re.search(r"^\s+late$", refreshed.stdout, re.MULTILINE), refreshed.stdout
        lightsail_admin.clear_calls()
        after = inventory(config)
        assert after.rc == 0, after
        assert list_calls(lightsail_admin) == []
        assert after.group("lightsail") == sorted(first.group("lightsail") + ["late"])

        # ansible-inventory has --flush-cache from 2.19 on; before, it is a usage error.
        lightsail_admin.seed_instance("later")
        lightsail_admin.clear_calls()
        flushed = inventory(config, "--list", "--flush-cache")
        if CORE >= (2, 19):
            assert flushed.rc == 0, flushed
            assert len(list_calls(lightsail_admin)) == 3  # 5 instances, pages of 2
            assert "later" in flushed.group("lightsail")
            lightsail_admin.clear_calls()
            assert "later" in inventory(config).group("lightsail")
            assert list_calls(lightsail_admin) == []
        else:
            assert flushed.rc == 2 and "unrecognized arguments: --flush-cache" in flushed.stderr, flushed
            assert list_calls(lightsail_admin) == []

    def test_deleting_the_cache_files_lists_again(self, inventory, lightsail_admin, tmp_path):
        """The refresh docs/inventory.md gives for ansible-inventory before 2.19: delete the source's cache files."""
        lightsail_admin.seed_instance("web-1")
        config = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"), "cache_timeout": 3600}
        assert inventory(config).group("lightsail") == ["web-1"]
        lightsail_admin.seed_instance("web-2")
        lightsail_admin.clear_calls()
        assert inventory(config).group("lightsail") == ["web-1"]
        assert list_calls(lightsail_admin) == []

        files = list((tmp_path / "cache").glob("*seed.lightsail.lightsail_*"))
        assert len(files) == 1, list((tmp_path / "cache").iterdir())
        files[0].unlink()
        assert inventory(config).group("lightsail") == ["web-1", "web-2"]
        assert len(list_calls(lightsail_admin)) == 1

    def test_changed_filter_misses_the_cache(self, inventory, lightsail_admin, tmp_path):
        lightsail_admin.seed_instance("web-1")
        lightsail_admin.seed_instance("db-1")
        cache = {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache"), "cache_timeout": 3600}
        assert inventory(dict(cache, instance_names=["web-1"])).group("lightsail") == ["web-1"]
        lightsail_admin.clear_calls()
        assert inventory(dict(cache, instance_names=["db-1"])).group("lightsail") == ["db-1"]
        assert len(list_calls(lightsail_admin)) == 1


class TestCacheKey:
    """In process: the key the plugin files its cache under."""

    # Options that do not change which instances are listed: how hosts are named, grouped and composed (worked out again
    # on every run, also from the cache), where the cache lives, and secrets (the identity is in the key via access_key,
    # profile or assume_role_arn; a session token changes with every set of temporary credentials).
    NOT_LISTING = {"plugin", "cache", "cache_connection", "cache_plugin", "cache_prefix", "cache_timeout", "compose", "groups", "keyed_groups",
                   "leading_separator", "strict", "use_extra_vars", "hostnames", "ansible_host_source", "secret_key", "session_token"}

    @staticmethod
    def plugin(**options):
        loaded = inventory_loader.get(PLUGIN)
        loaded.set_options(direct=dict({"plugin": PLUGIN, "region": "us-east-1"}, **options))
        if not hasattr(loaded, "templar"):
            loaded.templar = None  # before 2.19 parse() sets it; amazon.aws's get_option reads it
        return loaded, set(C.config.get_configuration_definitions("inventory", loaded._load_name))

    def test_every_option_is_in_the_key_or_known_not_to_change_the_listing(self):
        _plugin, options = self.plugin()
        assert options - self.NOT_LISTING == set(plugin_module.QUERY_OPTIONS)

    def test_another_role_is_another_key(self):
        """Before: changing only assume_role_arn (another account) returned the previous account's hosts from the cache."""
        keys = [self.plugin(assume_role_arn=arn)[0].get_cache_key("/tmp/x.lightsail.yml")
                for arn in (None, "arn:aws:iam::111111111111:role/audit", "arn:aws:iam::222222222222:role/audit")]
        assert len(set(keys)) == 3
        again = self.plugin(assume_role_arn="arn:aws:iam::111111111111:role/audit")[0].get_cache_key("/tmp/x.lightsail.yml")
        assert again == keys[1]


class TestErrors:
    def test_refused_credentials_name_the_region(self, inventory, lightsail_admin, lightsail_service):
        lightsail_admin.seed_instance("web-1", region="eu-west-1")
        run = inventory({"regions": ["eu-west-1", "us-east-1"]}, env={"AWS_SECRET_ACCESS_KEY": "not-the-secret"})
        assert run.rc != 0
        assert shows(run.stderr, "Failed to list Lightsail instances in region eu-west-1"), run
        assert shows(run.stderr, "credentials were refused in eu-west-1"), run
        secret = lightsail_service.credentials.secret_key
        assert secret not in run.stdout and not shows(run.stderr, secret)
        assert "us-east-1" not in {call["region"] for call in list_calls(lightsail_admin)}

    def test_unknown_access_key(self, inventory):
        run = inventory({"regions": ["ap-south-1"]}, env={"AWS_ACCESS_KEY_ID": "AKIAUNKNOWN000000000"})
        assert run.rc != 0
        assert shows(run.stderr, "region ap-south-1") and shows(run.stderr, "AWS_ACCESS_KEY_ID"), run

    def test_unknown_region(self, inventory, lightsail_admin):
        run = inventory({"regions": ["us-east-1", "us-east1"]})
        assert run.rc != 0
        assert shows(run.stderr, "unknown Lightsail region(s) 'us-east1'"), run
        assert list_calls(lightsail_admin) == []

    def test_a_failed_source_among_others(self, inventory, lightsail_admin, tmp_path):
        """docs/inventory.md: unparsed_is_failed fails a run only when no source parses; any_unparsed_is_failed fails it
        when ours fails, even though another source parses."""
        static = tmp_path / "static.yml"
        static.write_text(yaml.safe_dump({"all": {"hosts": {"other": None}}}))
        config = {"regions": ["us-east1"]}

        lenient = inventory(config, "-i", str(static), "--list")
        assert lenient.rc == 0, lenient
        assert lenient.group("ungrouped") == ["other"] and lenient.group("lightsail") == []
        assert shows(lenient.stderr, "unknown Lightsail region(s) 'us-east1'"), lenient

        strict = inventory(config, "-i", str(static), "--list", env={"ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED": "true"})
        assert strict.rc != 0 and strict.data is None, strict
        assert shows(strict.stderr, "Completely failed to parse inventory source %s" % source_path(tmp_path)), strict
        assert shows(strict.stderr, "unknown Lightsail region(s) 'us-east1'"), strict
        assert list_calls(lightsail_admin) == []

    def test_file_name_must_end_in_lightsail_yml(self, inventory):
        """Before: only ansible-core's "could not be verified by inventory plugin", which does not say why."""
        run = inventory({"regions": ["us-east-1"]}, name="inventory.yml")
        assert run.rc != 0
        assert shows(run.stderr, "names the plugin seed.lightsail.lightsail, but its file name does not end in lightsail.yml or lightsail.yaml"), run
        assert shows(run.stderr, "inventory.lightsail.yml"), run

    def test_an_explicitly_empty_filter_is_an_error_before_any_call(self, inventory, lightsail_admin):
        """One meaning everywhere (the modules too): omitted is every instance, [] or {} an error naming the option."""
        lightsail_admin.seed_instance("web-1")
        for option, value in (("instance_names", []), ("tags", {}), ("states", [])):
            run = inventory({option: value})
            assert run.rc != 0 and shows(run.stderr, "%s: %r selects no instance; omit %s" % (option, value, option)), run
        assert list_calls(lightsail_admin) == []
        assert inventory({"instance_names": None}).group("lightsail") == ["web-1"]


class TestOddValues:
    def test_an_odd_value_is_listed_as_it_came_with_a_warning(self, inventory, lightsail_admin):
        """Before: one stored source such as 192.0.2.5/24 failed the whole source with a bare "has host bits set"."""
        lightsail_admin.seed_instance("a-odd", ports=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": ["192.0.2.5/24"]}])
        lightsail_admin.seed_instance("b-fine", ports=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrs": ["198.51.100.0/24"]}])
        run = inventory({"regions": ["us-east-1"]})
        assert run.rc == 0, run
        assert run.group("lightsail") == ["a-odd", "b-fine"]
        assert run.hostvars["a-odd"]["lightsail_ports"][0]["cidrs"] == ["192.0.2.5/24"]
        assert run.hostvars["b-fine"]["lightsail_ports"][0]["cidrs"] == ["198.51.100.0/24"]
        assert shows(run.stderr, "instance a-odd, rule tcp 22: Lightsail returned the IPv4 source '192.0.2.5/24'"), run


class TestTagFilterValues:
    def test_booleans_and_numbers_match_as_meant(self, inventory, lightsail_admin):
        """Before: tags {enabled: true} compared True with "true" and listed nothing."""
        lightsail_admin.seed_instance("on-1", tags={"enabled": "true", "tier": "2"})
        lightsail_admin.seed_instance("off-1", tags={"enabled": "false", "tier": "2"})
        assert inventory({"tags": {"enabled": True}}).group("lightsail") == ["on-1"]
        assert inventory({"tags": {"enabled": False, "tier": 2}}).group("lightsail") == ["off-1"]


class TestUntrustedValues:
    """Values from the API are data: a template in them is never rendered (ansible-core 2.17 and 2.18 rendered it)."""

    def test_a_template_in_a_tag_is_never_rendered(self, ansible, inventory, lightsail_admin, tmp_path):
        marker = tmp_path / "pwned"
        payload = "{{ lookup('pipe', 'touch %s') }}" % marker
        lightsail_admin.seed_instance("web-1", tags={"role": payload, payload: "key"})
        config = {
            "keyed_groups": [{"key": "lightsail_tags", "prefix": "tag"}, {"key": "lightsail_tags.role", "prefix": "role"}],
            "compose": {"role_copy": "lightsail_tags.role", "greeting": "'hello ' ~ lightsail_tags.role"},
            "groups": {"tagged": "lightsail_tags.role is defined and lightsail_tags.role != ''"},
        }
        graph = inventory(config, "--graph", "--vars")
        assert graph.rc == 0, graph
        listing = inventory(config)
        assert listing.rc == 0, listing
        variables = listing.hostvars["web-1"]
        assert variables["lightsail_tags"] == {"role": payload, payload: "key"}
        assert variables["role_copy"] == payload and variables["greeting"] == "hello " + payload
        assert listing.group("tagged") == ["web-1"]
        play = [{"name": "use the variables", "hosts": "lightsail", "gather_facts": False, "connection": "local", "tasks": [
            {"name": "show", "ansible.builtin.debug": {"msg": "{{ lightsail_tags.role }} {{ role_copy }} {{ greeting }} {{ lightsail_tags }}"}},
            {"name": "copy", "ansible.builtin.set_fact": {"copied": "{{ lightsail_tags }}"}},
            {"name": "again", "ansible.builtin.debug": {"msg": "{{ copied.role }}"}},
        ]}]
        source = source_path(tmp_path)
        run = ansible.playbook(play, inventory=source)
        assert payload in run.result("show")["msg"] and run.result("again")["msg"] == payload
        assert not marker.exists(), "a template from the API was rendered"
