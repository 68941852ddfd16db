# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: lightsail
short_description: Lightsail instances as inventory hosts, with their firewall rules
version_added: 1.0.0
description:
  - Lists the Amazon Lightsail instances of one or more regions (GetInstances, one call per page and region) and makes each a host.
  - The inventory source is a YAML file whose name ends in C(lightsail.yml) or C(lightsail.yaml), for example C(prod.lightsail.yml).
  - Every host is in the group C(lightsail); use O(keyed_groups) and O(groups) for more groups, for example by region, platform or tag.
  - Each host gets the variables C(lightsail_name), C(lightsail_arn), C(lightsail_region), C(lightsail_availability_zone), C(lightsail_blueprint_id),
    C(lightsail_bundle_id), C(lightsail_platform) (V(LINUX_UNIX) or V(WINDOWS)), C(lightsail_ip_address_type)
    (V(ipv4), V(ipv6) or V(dualstack)), C(lightsail_public_ip_address), C(lightsail_private_ip_address),
    C(lightsail_ipv6_addresses) (a list), C(lightsail_state) (for example V(running) or V(stopped)), C(lightsail_tags) (a dict),
    C(lightsail_ports) and C(lightsail_private_ports), and C(ansible_host) (see O(ansible_host_source)).
  - The variables carry the prefix C(lightsail_) because plain C(name) and C(tags) are names ansible-core reserves (it warns
    about them on every run), and plain names such as C(state) or C(ports) would override role defaults of the same name.
  - C(lightsail_ports) is the public firewall of the instance, one dict per rule with the keys C(protocol), C(from_port), C(to_port),
    C(cidrs), C(ipv6_cidrs) and C(cidr_list_aliases), sorted and normalised (an address C(192.0.2.1) reads as C(192.0.2.1/32));
    it is exactly the shape the O(seed.lightsail.lightsail_instance_ports#module:ports) option takes.
  - A value Lightsail returns that is not valid (a source such as C(192.0.2.5/24) with host bits set, or text that is no
    address) is kept in C(lightsail_ports) as it came, with a warning naming the instance, the rule and the value; the other
    instances are listed as usual.
  - Every value that comes from the API (names, tags, rules, addresses) is marked unsafe, so that a template in a tag value
    is never rendered, in host variables, O(compose), O(groups) and O(keyed_groups) alike.
  - C(lightsail_private_ports) lists the private-access entries Lightsail keeps for some instances (keys C(protocol), C(from_port),
    C(to_port), C(access_from), C(common_name)); the public-ports API does not manage them.
  - Credentials, endpoint and region come from the options below or from the usual AWS environment variables
    (C(AWS_ACCESS_KEY_ID), C(AWS_SECRET_ACCESS_KEY), C(AWS_SESSION_TOKEN), C(AWS_PROFILE), C(AWS_REGION)), as an
    Automation Controller or AWX Amazon Web Services credential provides them.
options:
  plugin:
    description: The name of this plugin; it must be given for the source to be recognised.
    type: str
    required: true
    choices: [seed.lightsail.lightsail]
  regions:
    description:
      - The regions to list instances in, in this order.
      - When empty, the one region of O(region) (or C(AWS_REGION), or the AWS configuration) is used.
      - A name that is not a Lightsail region known to the installed botocore is an error.
      - If listing fails in any region (for example access denied there) the whole source fails, naming that region.
    type: list
    elements: str
    default: []
  instance_names:
    description:
      - Only these instances, by name. Omitted (or null), every instance.
      - An empty list is an error, as in every module of the collection (a templated variable that came out empty must not
        silently select every instance, nor none).
    type: list
    elements: str
  tags:
    description:
      - Only instances that carry every one of these tags. Omitted (or null), no tag filter; an empty dict is an error.
      - A tag given with an empty value matches whatever value the instance has for it.
      - A YAML boolean matches the tag values YAML reads as that boolean (V(true) matches C(true), C(True), C(yes), C(on) ...);
        a number matches its decimal text. Quote a value to match it exactly (C('yes') is the text, C(yes) the boolean).
    type: dict
  states:
    description:
      - Only instances in one of these states, for example V(running), V(stopped), V(pending), compared without regard to case.
        Omitted (or null), every state; an empty list is an error.
      - Every state is the default because the firewall of a stopped instance still applies when it starts.
    type: list
    elements: str
  hostnames:
    description:
      - What to name a host by, in order of preference; the first one the instance has a value for is used.
      - An instance with a value for none of them is left out, with a warning.
      - Two instances with the same host name (for example the same instance name in two regions) are an error,
        so that Ansible does not merge them into one host.
    type: list
    elements: str
    choices: [name, public_ip_address, private_ip_address]
    default: [name]
  ansible_host_source:
    description:
      - Which address becomes C(ansible_host), the address Ansible connects to.
      - C(ansible_host) is left unset for an instance without that address (a stopped instance has no public address).
      - O(compose) can override it, for example with C(lightsail_ipv6_addresses[0]).
    type: str
    choices: [public_ip_address, private_ip_address]
    default: public_ip_address
notes:
  - The cache (O(cache=true)) holds the instances found; the host names, C(ansible_host) and constructed groups and variables
    are worked out again on every run. The cache key includes every option that decides what is listed (O(regions), O(region),
    O(access_key), O(profile), O(assume_role_arn), O(endpoint_url), O(instance_names), O(tags), O(states)), so changing any of
    them lists again instead of returning another account's or another filter's hosts.
  - The name of the inventory source must end in C(lightsail.yml) or C(lightsail.yaml); for a file with another name that
    names this plugin, the plugin warns and says so.
  - Filters are applied after listing; GetInstances has no server-side filter.
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
"""

EXAMPLES = r"""
# prod.lightsail.yml: every instance of two regions, grouped by region, platform and tag
plugin: seed.lightsail.lightsail
regions:
  - us-east-1
  - eu-west-1
keyed_groups:
  # region_us_east_1, region_eu_west_1
  - key: lightsail_region
    prefix: region
  # platform_LINUX_UNIX, platform_WINDOWS
  - key: lightsail_platform
    prefix: platform
  # tag_env_prod, tag_role_web, ...: one group per tag key and value
  - key: lightsail_tags
    prefix: tag
  # role_web, role_db, ...: one group per value of the role tag
  - key: lightsail_tags.role
    prefix: role
groups:
  # hosts whose firewall lets the whole IPv4 internet reach SSH
  ssh_open_to_world: >-
    lightsail_ports | selectattr('from_port', 'le', 22) | selectattr('to_port', 'ge', 22)
    | selectattr('cidrs', 'contains', '0.0.0.0/0') | list | length > 0
compose:
  # connect over IPv6 where the instance has an address
  ansible_host: lightsail_ipv6_addresses[0] if lightsail_ipv6_addresses else lightsail_public_ip_address

---
# web.lightsail.yml: the running web servers of the default region (AWS_REGION), named by public address
plugin: seed.lightsail.lightsail
tags:
  role: web
states:
  - running
hostnames:
  - public_ip_address
  - name

---
# cached.lightsail.yml: at most one listing an hour
plugin: seed.lightsail.lightsail
regions: [us-east-1]
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-lightsail
cache_timeout: 3600
"""

import re

from ansible.errors import AnsibleError
from ansible.module_utils.common.text.converters import to_native
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._errors import error_code
from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import read_instance_facts
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import QUERY_OPTIONS
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import InventoryError
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import instance_selected
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import inventory_hosts
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import query_fingerprint
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import region_error_message
from ansible_collections.seed.lightsail.plugins.module_utils._inventory_hosts import regions_to_query
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import iter_instances
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import lightsail_regions
from ansible_collections.seed.lightsail.plugins.module_utils._selection import FilterError
from ansible_collections.seed.lightsail.plugins.module_utils._selection import check_filters

ALL_HOSTS_GROUP = "lightsail"

# A YAML inventory source that names this plugin (what ansible-core's auto plugin reads).
_NAMES_THIS_PLUGIN = re.compile(r"""^plugin:\s*["']?seed\.lightsail\.lightsail["']?\s*(#.*)?$""", re.MULTILINE)


class InventoryModule(AWSInventoryBase):
    NAME = "seed.lightsail.lightsail"
    INVENTORY_FILE_SUFFIXES = ("lightsail.yml", "lightsail.yaml")

    class TemplatedOptions(AWSInventoryBase.TemplatedOptions):
        """amazon.aws 10 templates list and dict options with ``disable_lookups=False``, which ansible-core 2.19
        deprecates (a warning on every run with ``regions``); this renders the same without the argument."""

        def get(self, *args):
            value = self.original_options.get(*args)
            if not value or not self.templar or args[0] not in self.TEMPLATABLE_OPTIONS:
                return value
            if isinstance(value, dict):
                return dict((key, self._render(item)) for key, item in value.items())
            if isinstance(value, list):
                return [self._render(item) for item in value]
            return self._render(value)

        def _render(self, value):
            return self.templar.template(value) if self.templar.is_template(value) else value

    def verify_file(self, path):
        if super(InventoryModule, self).verify_file(path):
            return True
        if path.endswith((".yml", ".yaml")) and _names_this_plugin(path):
            # ansible-core then only says the source "could not be verified"; say why.
            self.display.warning(
                "The inventory source %s names the plugin %s, but its file name does not end in %s: rename it, for example to %s"
                % (path, self.NAME, " or ".join(self.INVENTORY_FILE_SUFFIXES), _suggested_name(path))
            )
        return False

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache=cache)
        try:
            check_filters(instance_names=self.get_option("instance_names"), tags=self.get_option("tags"), states=self.get_option("states"))
        except FilterError as error:
            raise AnsibleError(to_native(error))
        found_in_cache, facts_list = self.get_cached_result(path, cache)
        if not found_in_cache or not isinstance(facts_list, list):
            facts_list = self._list_host_facts()
        try:
            hosts, unnamed = inventory_hosts(facts_list, self.get_option("hostnames"), self.get_option("ansible_host_source"))
        except InventoryError as error:
            raise AnsibleError(to_native(error))
        self._populate(hosts)
        if unnamed:
            self.warn(
                "%d Lightsail instance(s) left out, with none of hostnames %s: %s"
                % (len(unnamed), ", ".join(self.get_option("hostnames")), ", ".join("%s (%s)" % (f["name"], f["region"]) for f in unnamed))
            )
        self.update_cached_result(path, cache, facts_list)

    def get_cache_key(self, path):
        options = dict((option, self.get_option(option)) for option in QUERY_OPTIONS)
        options["region"] = self.region  # as resolved: the option, AWS_REGION or the AWS configuration
        return "%s_%s" % (super(InventoryModule, self).get_cache_key(path), query_fingerprint(options))

    def _list_host_facts(self):
        """Host facts of the selected instances of every region, region by region, by name within one."""
        try:
            regions = regions_to_query(self.get_option("regions"), self.region, lightsail_regions())
        except InventoryError as error:
            raise AnsibleError(to_native(error))
        names, tags, states = self.get_option("instance_names"), self.get_option("tags"), self.get_option("states")
        facts_list = []
        for region in regions:
            selected = [instance for instance in self._instances_in(region) if instance_selected(instance, names, tags, states)]
            for instance in sorted(selected, key=lambda instance: instance.get("name") or ""):
                facts, warnings = read_instance_facts(instance)
                facts_list.append(facts)
                for warning in warnings:
                    self.warn("%s (region %s)" % (warning, region))
        return facts_list

    def _instances_in(self, region):
        client = self.client("lightsail", region=region)
        try:
            return list(iter_instances(client))
        except AnsibleLightsailError as error:
            raise AnsibleError(region_error_message(region, error_code(error.exception), to_native(error.exception or error)))

    def _populate(self, hosts):
        """Every value in ``hosts`` came from the API (or the cache of it): it is marked unsafe before it becomes a
        host name, a host variable, or the input of compose, groups and keyed_groups, so no template in it is ever rendered."""
        self.inventory.add_group(ALL_HOSTS_GROUP)
        strict = self.get_option("strict")
        for hostname, variables in wrap_var(hosts):
            self.inventory.add_host(hostname, group=ALL_HOSTS_GROUP)
            for key, value in variables.items():
                self.inventory.set_variable(hostname, key, value)
            self._set_composite_vars(self.get_option("compose"), variables, hostname, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), variables, hostname, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), variables, hostname, strict=strict)


def _names_this_plugin(path):
    try:
        with open(path, "r") as source:
            return _NAMES_THIS_PLUGIN.search(source.read(65536)) is not None
    except (IOError, OSError, UnicodeDecodeError):
        return False


def _suggested_name(path):
    stem = path.rsplit(".", 1)[0]
    return stem + (".yml" if stem.endswith("lightsail") else ".lightsail.yml")
