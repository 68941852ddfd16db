#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: firewall_baseline_settings
short_description: Check one host's variables of the firewall baseline role
version_added: 1.0.0
description:
  - Used by the role C(seed.lightsail.firewall_baseline), once per host, before its one run of
    M(seed.lightsail.lightsail_firewall_baseline). Checks and normalises the role's variables as this host sees them (play
    variables and role parameters beat group_vars, so each host's own view counts), as C(-e key=value), AWX surveys
    and YAML give them - lists as comma-, space- or newline-separated strings, booleans and integers as strings - and
    fails naming the role variable (C(firewall_baseline_admin_cidrs[1])).
  - Decides the scope from the play's hosts (C(ansible_play_hosts_all)) - V(host) on inventory hosts, V(fleet) on the
    controller alone - and fails when O(scope) contradicts them.
  - A C(firewall_baseline_*) variable this host sees that the role does not know fails, naming the closest known one.
    An apply needs a profile chosen explicitly. A report path resolves against the directory C(ansible-playbook) was
    started in, and its directory must exist and be writable. A region name that is not a Lightsail region known to
    botocore is an error, unless C(AWS_URL) or C(AWS_ENDPOINT_URL) points at another endpoint.
  - It runs on the controller and makes no API call.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  variables:
    description:
      - The role's variables, by name without the C(firewall_baseline_) prefix.
      - Unset means the role's variables as this host sees them (C(firewall_baseline_profile) and the others), read
        and templated by the action itself. The role leaves it unset, so that no host's worker compiles a template for
        the values that hold none.
      - Unset C(region) means the host's C(lightsail_region), else empty; unset C(instance_name) means the host's
        C(lightsail_name), else C(inventory_hostname).
    type: dict
  mode:
    description: V(audit) or V(apply). Unset means C(mode) of O(variables), else V(audit).
    type: str
  scope:
    description: V(auto), V(fleet) or V(host) (C(firewall_baseline_scope)). Unset means C(scope) of O(variables), else V(auto).
    type: str
extends_documentation_fragment:
  - seed.lightsail.attributes
  - seed.lightsail.attributes.controller_action
attributes:
  check_mode:
    support: full
    details: Changes nothing in any mode.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: It changes nothing; the same variables give the same settings.
"""

EXAMPLES = r"""
- name: Check this host's view of the role's variables (firewall_baseline_*), as the role does
  seed.lightsail.firewall_baseline_settings:
  register: firewall_baseline_settings

- name: Check this host's variables
  seed.lightsail.firewall_baseline_settings:
    variables:
      profile: web
      admin_cidrs: 203.0.113.0/24, 198.51.100.7
      instance_name: "{{ inventory_hostname }}"
    mode: apply
  register: baseline_settings
"""

RETURN = r"""
scope:
  description: V(host) or V(fleet).
  returned: success
  type: str
  sample: host
run:
  description: The run's settings.
  returned: success
  type: dict
  contains:
    mode:
      description: V(audit) or V(apply).
      type: str
    max_concurrency:
      description: Concurrent writes per region.
      type: int
    fail_on_violations:
      description: Whether an audit fails on a policy violation.
      type: bool
    allow_empty:
      description: Whether a run that selects no instance is fine.
      type: bool
    report_path:
      description: The JSON report's absolute path, or an empty string for none.
      type: str
target:
  description: In host scope, this host's element of the O(seed.lightsail.lightsail_firewall_baseline#module:targets) option.
  returned: success, in host scope
  type: dict
select:
  description:
    - In fleet scope, the baseline options of M(seed.lightsail.lightsail_firewall_baseline) with C(regions),
      C(instance_names) and C(tags); empty in host scope.
  returned: success
  type: dict
"""
