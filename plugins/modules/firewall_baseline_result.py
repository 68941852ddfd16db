#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: firewall_baseline_result
short_description: Give each host its own outcome of a batch run of the firewall baseline
version_added: 1.0.0
description:
  - The role C(seed.lightsail.firewall_baseline) reads and writes the instances of all the hosts of a play with one run of
    M(seed.lightsail.lightsail_firewall_baseline) (O(seed.lightsail.lightsail_firewall_baseline#module:targets)). This
    action then gives every host its own result from that run's report entry, so that the play recap, the AWX host
    summary and C(--diff) show each host as if it had run alone - V(ok), V(changed) (in check mode, would change) or
    V(failed) - without starting a module process per host.
  - It runs on the controller and makes no API call.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  run:
    description:
      - The name of the variable that holds the registered result of M(seed.lightsail.lightsail_firewall_baseline).
    type: str
    required: true
  settings:
    description:
      - The name of the variable that holds the host's registered result of M(seed.lightsail.firewall_baseline_settings).
      - When it says fleet scope, the host is skipped (the run's own tasks report for the whole fleet), and when
        O(fail_on_violations) is unset it comes from it (an audit's C(fail_on_violations)).
      - The role passes names rather than templated values, so that no host's worker compiles a template.
    type: str
  host:
    description: The host whose entry to report (its entry's C(host)); defaults to the current host.
    type: str
  fail_on_violations:
    description:
      - Fail the host when its instance has a policy violation that no exception excuses (for audits).
      - Unset means what O(settings) says, else V(false).
    type: bool
extends_documentation_fragment:
  - seed.lightsail.attributes
  - seed.lightsail.attributes.controller_action
attributes:
  check_mode:
    support: full
    details: Reports what the batch run reports; in a check run, that is what it would change.
  diff_mode:
    support: full
    details: The host's rules before and after, from the batch run's entry.
  idempotent:
    support: N/A
    details: It writes nothing and reports the outcome of the batch run it is given, which is idempotent itself.
notes:
  - A host with no entry in the run (its settings were refused before the run, or the run failed as a whole) fails with
    the run's message.
"""

EXAMPLES = r"""
- name: Read and write every host's instance in one run
  seed.lightsail.lightsail_firewall_baseline:
    mode: apply
    targets: "{{ ansible_play_hosts | map('extract', hostvars, 'baseline_target') | list }}"
  run_once: true
  delegate_to: localhost
  register: baseline_run
  failed_when: baseline_run.instances is not defined

- name: Give each host its outcome
  seed.lightsail.firewall_baseline_result:
    run: baseline_run

- name: Give each host its outcome, as the role does (skipped in fleet scope)
  seed.lightsail.firewall_baseline_result:
    run: firewall_baseline_run
    settings: firewall_baseline_settings
"""

RETURN = r"""
instance:
  description: The name of the host's instance.
  returned: when the run has an entry for the host
  type: str
  sample: web-1
region:
  description: The instance's region.
  returned: when the run has an entry for the host
  type: str
  sample: eu-west-1
compliant:
  description: Whether the firewall as found was exactly the baseline with no violation.
  returned: when the run has an entry for the host
  type: bool
compliant_after:
  description: Whether the firewall the run leaves (would leave) is compliant; V(null) when its writes failed.
  returned: when the run has an entry for the host
  type: bool
msg:
  description: One line about the host's instance, or the error.
  returned: always
  type: str
  sample: "web-1: found non-compliant (1 missing, 2 extra, 1 violations); made compliant"
"""
