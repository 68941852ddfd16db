#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lightsail_instance_ports_info
short_description: Read the firewall rules of one AWS Lightsail instance, or of every instance in a region
version_added: 1.0.0
description:
  - With O(instance_name), reads that instance's rules with one C(GetInstancePortStates) call.
  - Without O(instance_name), reads every instance of the region with one paginated C(GetInstances) listing
    (one call per page, not one per instance), optionally narrowed by O(names) and O(tags).
  - Rules are returned normalised, in exactly the shape the O(seed.lightsail.lightsail_instance_ports#module:ports)
    option of M(seed.lightsail.lightsail_instance_ports) takes, so a firewall can be exported and applied
    elsewhere, or restored, unchanged.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  instance_name:
    description:
      - Name of one instance to read.
      - Mutually exclusive with O(names) and O(tags).
    type: str
  names:
    description:
      - When listing a region, report only the instances with these names.
      - Omitted (or null), every instance. An empty list is an error (a templated variable that came out empty means
        neither "every instance" nor "none" for certain); the same holds for every name and tag filter of the collection.
      - Names that no instance has are listed in RV(missing_names), names of instances that exist but do not carry O(tags)
        in RV(unmatched_names), each with a warning; neither is an error.
    type: list
    elements: str
  tags:
    description:
      - When listing a region, report only the instances that carry all of these tags with these values.
      - Omitted (or null), no tag filter. An empty dict is an error.
      - A tag given with an empty value matches any value.
      - A YAML boolean matches the tag values YAML reads as that boolean (V(true) matches C(true), C(True), C(yes), C(on) ...);
        a number matches its decimal text (V(5) matches C(5)). Quote a value to match it exactly (C('yes') is the text, C(yes) the boolean).
    type: dict
notes:
  - A value Lightsail returns that is not valid (a source such as C(192.0.2.5/24) with host bits set, or text that is no
    address) does not fail the read; it is reported as it came, with a warning naming the instance, the rule and the value,
    and every other instance is read as usual.
    M(seed.lightsail.lightsail_instance_ports) with O(seed.lightsail.lightsail_instance_ports#module:purge_ports=true) replaces it.
  - C(GetInstances) also lists entries with access type C(Private) (the instance's private address). They are not
    rules of the public firewall and cannot be written through it, so they are kept out of RV(instances[].ports)
    and reported apart in RV(instances[].private_ports).
  - C(GetInstancePortStates) does not report private entries, so in single-instance mode RV(instances[].private_ports)
    is empty.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - seed.lightsail.attributes
  - seed.lightsail.attributes.platform
  - seed.lightsail.attributes.info_module
"""

EXAMPLES = r"""
- name: Read one instance's firewall
  seed.lightsail.lightsail_instance_ports_info:
    instance_name: web-1
    region: eu-west-1
  register: web1

- name: Restore it later, exactly
  seed.lightsail.lightsail_instance_ports:
    instance_name: web-1
    region: eu-west-1
    purge_ports: true
    ports: "{{ web1.ports }}"

- name: Read every firewall of a region in one paginated listing
  seed.lightsail.lightsail_instance_ports_info:
    region: us-east-1
  register: region_rules

- name: Only the production web servers
  seed.lightsail.lightsail_instance_ports_info:
    region: us-east-1
    tags:
      env: production
      role: web
  register: prod_web
"""

RETURN = r"""
region:
  description: The AWS region read.
  returned: always
  type: str
  sample: us-east-1
ports:
  description: With O(instance_name), that instance's rules; the same list as RV(instances[0].ports).
  returned: on success, when O(instance_name) is given
  type: list
  elements: dict
  sample:
    - protocol: tcp
      from_port: 22
      to_port: 22
      cidrs: [203.0.113.0/24]
      ipv6_cidrs: []
      cidr_list_aliases: [lightsail-connect]
instances:
  description: One entry per instance, sorted by name.
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: The instance name.
      type: str
      sample: web-1
    region:
      description: The region.
      type: str
      sample: us-east-1
    ports:
      description:
        - The instance's public firewall rules, normalised and sorted, in the shape the C(ports) option of
          M(seed.lightsail.lightsail_instance_ports) takes.
      type: list
      elements: dict
      contains:
        protocol:
          description: V(tcp), V(udp), V(icmp), V(icmpv6) or V(all) (read as V(all) when the service says V(-1)).
          type: str
        from_port:
          description: First port, or the ICMP type (-1 for every type).
          type: int
        to_port:
          description: Last port, or the ICMP code (-1 for every code).
          type: int
        cidrs:
          description: IPv4 sources.
          type: list
          elements: str
        ipv6_cidrs:
          description: IPv6 sources.
          type: list
          elements: str
        cidr_list_aliases:
          description: Aliases of address lists.
          type: list
          elements: str
    private_ports:
      description: Entries of access type C(Private), which are not public firewall rules.
      type: list
      elements: dict
      contains:
        protocol:
          description: The protocol.
          type: str
        from_port:
          description: First port.
          type: int
        to_port:
          description: Last port.
          type: int
        access_from:
          description: Where access comes from, as the service describes it.
          type: str
        common_name:
          description: The service's name for the entry.
          type: str
    arn:
      description: The instance ARN.
      type: str
      returned: when listing a region
    availability_zone:
      description: The availability zone.
      type: str
      returned: when listing a region
    blueprint_id:
      description: The blueprint the instance was created from.
      type: str
      returned: when listing a region
      sample: ubuntu_22_04
    bundle_id:
      description: The instance's bundle (size).
      type: str
      returned: when listing a region
    platform:
      description: V(LINUX_UNIX) or V(WINDOWS), from the blueprint.
      type: str
      returned: when listing a region
    ip_address_type:
      description: V(ipv4), V(ipv6) or V(dualstack).
      type: str
      returned: when listing a region
    public_ip_address:
      description: The public IPv4 address.
      type: str
      returned: when listing a region
    private_ip_address:
      description: The private IPv4 address.
      type: str
      returned: when listing a region
    ipv6_addresses:
      description: The IPv6 addresses.
      type: list
      elements: str
      returned: when listing a region
    state:
      description: The instance state, for example V(running).
      type: str
      returned: when listing a region
    tags:
      description: The instance tags as a dictionary.
      type: dict
      returned: when listing a region
missing_names:
  description: Names given in O(names) that no instance of the region has.
  returned: on success, when O(names) is given
  type: list
  elements: str
unmatched_names:
  description: Names given in O(names) of instances that exist in the region but do not carry the O(tags) asked for.
  returned: on success, when O(names) is given
  type: list
  elements: str
"""

from ansible_collections.seed.lightsail.plugins.module_utils._base import AnsibleLightsailModule
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._instance_facts import read_instance_facts
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import get_instance_port_states
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import iter_instances
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._selection import FilterError
from ansible_collections.seed.lightsail.plugins.module_utils._selection import check_filters
from ansible_collections.seed.lightsail.plugins.module_utils._selection import select_instances
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import read_firewall


def describe_instance(module, instance):
    facts, warnings = read_instance_facts(instance)
    for warning in warnings:
        module.warn(warning)
    return facts


def read_one(module, client, name):
    port_states = get_instance_port_states(client, name)
    if port_states is None:
        module.fail_json(msg="Lightsail instance %r not found in region %s" % (name, module.region), region=module.region)
    firewall, warnings = read_firewall(port_states, name)
    for warning in warnings:
        module.warn(warning)
    ports = firewall_to_list(firewall)
    return dict(region=module.region, ports=ports, instances=[dict(name=name, region=module.region, ports=ports, private_ports=[])])


def read_region(module, client, names, tags):
    selection = select_instances(iter_instances(client), names, tags)
    instances = [describe_instance(module, instance) for instance in selection.selected]
    result = dict(region=module.region, instances=sorted(instances, key=lambda i: i["name"]))
    if names is not None:
        result.update(missing_names=selection.missing, unmatched_names=selection.unmatched)
        if selection.missing or selection.unmatched:
            module.warn(selection.message(module.region, tags))
    return result


def main():
    module = AnsibleLightsailModule(
        argument_spec=dict(
            instance_name=dict(type="str"),
            names=dict(type="list", elements="str"),
            tags=dict(type="dict"),
        ),
        mutually_exclusive=[("instance_name", "names"), ("instance_name", "tags")],
        supports_check_mode=True,
    )
    try:
        check_filters(names=module.params["names"], tags=module.params["tags"])
    except FilterError as error:
        module.fail_json(msg=str(error))
    client = module.lightsail_client()
    try:
        if module.params["instance_name"] is not None:
            result = read_one(module, client, module.params["instance_name"])
        else:
            result = read_region(module, client, module.params["names"], module.params["tags"])
    except AnsibleLightsailError as error:
        module.fail_with_error(error, region=module.region)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
