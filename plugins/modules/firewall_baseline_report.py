#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: firewall_baseline_report
short_description: Build and save the report of a run of the firewall baseline
version_added: 1.0.0
description:
  - Used by the role C(seed.lightsail.firewall_baseline) once per play, right after its run of
    M(seed.lightsail.lightsail_firewall_baseline) and before anything can fail the run. Builds the role's report once
    from the registered result (reading it without templating it), writes it as JSON to O(report_path), in check
    runs too, replacing the file in one step, and returns its table and its C(set_stats) data for the next tasks.
  - It runs on the controller and makes no API call. A check run (C(--check)) says so in the title, the JSON and the stats.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  run:
    description:
      - The name of the variable that holds the registered result of M(seed.lightsail.lightsail_firewall_baseline).
    type: str
    required: true
  mode:
    description: The run's mode, V(audit) or V(apply).
    type: str
    choices: [audit, apply]
    default: audit
  report_path:
    description: The absolute path of the JSON report, or an empty string for none. Its directory must exist.
    type: str
    default: ""
  profile:
    description: The profile to name when the run has no instance to take it from.
    type: str
extends_documentation_fragment:
  - seed.lightsail.attributes
  - seed.lightsail.attributes.controller_action
attributes:
  check_mode:
    support: full
    details: Writes the JSON report in check mode too; it describes the instances and changes none of them.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: It changes no instance; the same run gives the same report file.
"""

EXAMPLES = r"""
- name: Compare every instance of the region with the baseline
  seed.lightsail.lightsail_firewall_baseline:
    mode: audit
    baseline: web
  register: baseline_run
  failed_when: baseline_run.instances is not defined

- name: Build and save the report
  seed.lightsail.firewall_baseline_report:
    run: baseline_run
    report_path: "{{ playbook_dir }}/baseline-report.json"
  run_once: true
  register: baseline_report

- name: Show the report
  ansible.builtin.debug:
    msg: "{{ baseline_report.table }}"
  run_once: true

- name: Hand the report to AWX workflows
  ansible.builtin.set_stats:
    data:
      firewall_baseline: "{{ baseline_report.stats }}"
    aggregate: false
  run_once: true
"""

RETURN = r"""
msg:
  description: The report's title, or the error.
  returned: always
  type: str
  sample: "Audit (read only), profile locked_down, eu-west-1"
table:
  description: The report's title, its table, a summary line and, when written, where the JSON report is.
  returned: always
  type: list
  elements: str
stats:
  description:
    - The data to hand to C(ansible.builtin.set_stats) under C(firewall_baseline) - mode, profile, check mode, regions,
      summary, and the instances that are non-compliant, changed (would change), failed - and the report's path.
  returned: always
  type: dict
report_path:
  description: The JSON report's path, or V(null) for none.
  returned: always
  type: str
  sample: /srv/reports/baseline.json
"""
