#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lightsail_access_sweep
short_description: Close every expired access grant of one or more AWS Lightsail regions
version_added: 1.0.0
description:
  - Ends the grants made by M(seed.lightsail.lightsail_instance_access) whose expiry has passed, on every instance of the
    given regions, in one run meant for a schedule (for example an AWX schedule every 5 minutes).
  - Per region it lists the instances once (one paginated C(GetInstances) listing, which carries every instance's rules
    and tags). Per instance with expired grants it closes what those grants hold and no live grant holds, then removes
    their tags in one C(UntagResource). Different instances are written concurrently, at most O(max_concurrency) at a time.
  - Expiry is decided on the controller's UTC clock when this module runs; AWS does not enforce it. A grant stays open
    until a sweep (or a revoke) ends it.
  - It fails only on errors (a listing or a write that failed); everything else of the run is still done and reported.
author:
  - seed.lightsail maintainers (@seed-lightsail)
options:
  regions:
    description:
      - The regions to sweep. Defaults to the module's O(region) (or C(AWS_REGION)).
    type: list
    elements: str
  max_concurrency:
    description:
      - How many instances are written at the same time, per region.
    type: int
    default: 10
notes:
  - A source a live grant also holds stays open; a source that was allowed before any grant is never closed.
  - Grant records this collection cannot read (edited by hand, or written by a newer release) are left alone and
    reported in RV(unreadable) with a warning.
  - The environment variable C(SEED_LIGHTSAIL_NOW) (a UTC time like V(2026-11-29T01:30:00Z)) replaces the clock, for
    tests only; the module warns when it is set.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
  - seed.lightsail.attributes
  - seed.lightsail.attributes.platform
attributes:
  check_mode:
    support: full
    details: Lists the regions and reports the same RV(swept) and C(changed) as a real run, without writing.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: A second sweep finds no expired grant left, unless more grants expired in between.
"""

EXAMPLES = r"""
- name: Close the expired grants of two regions
  seed.lightsail.lightsail_access_sweep:
    regions: [eu-west-1, us-east-1]
  register: sweep

- name: Say what was closed
  ansible.builtin.debug:
    msg: "{{ item.region }} {{ item.instance_name }}: {{ item.grants | map(attribute='grant_id') | join(' ') }}"
  loop: "{{ sweep.swept }}"
"""

RETURN = r"""
now:
  description: The UTC time expiry was decided against.
  returned: when the options were valid
  type: str
  sample: "2026-11-29T01:30:00Z"
regions:
  description: The regions swept.
  returned: always
  type: list
  elements: str
  sample: [eu-west-1]
swept:
  description: Per instance with expired grants, what was (in check mode, would be) ended.
  returned: when the options were valid
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    instance_name:
      description: The instance.
      type: str
    grants:
      description: The expired grants ended, each with C(grant_id), C(expires_at), C(reason), C(expired) and C(ports) (what it held).
      type: list
      elements: dict
    closed:
      description: The sources removed, per rule (sources live grants still hold stay).
      type: list
      elements: dict
    operations:
      description: The writes, in order, as in M(seed.lightsail.lightsail_instance_access).
      type: list
      elements: dict
    failed:
      description: Whether a write of this instance failed (see RV(failures)).
      type: bool
live:
  description: The grants still live, per instance, with their expiry and reason.
  returned: when the options were valid
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    instance_name:
      description: The instance.
      type: str
    grant_id:
      description: The grant id.
      type: str
    expires_at:
      description: When it expires, UTC.
      type: str
    reason:
      description: Why it was granted.
      type: str
unreadable:
  description: Grant records that could not be read, left alone.
  returned: when the options were valid
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    instance_name:
      description: The instance.
      type: str
    tag_key:
      description: The tag.
      type: str
    problem:
      description: What is wrong with it.
      type: str
failures:
  description: The errors of the run (a region that could not be listed, an instance whose writes failed).
  returned: when the options were valid
  type: list
  elements: dict
  contains:
    region:
      description: The region.
      type: str
    instance_name:
      description: The instance, or null for a listing that failed.
      type: str
    msg:
      description: The error.
      type: str
summary:
  description: Counts of the run.
  returned: when the options were valid
  type: dict
  contains:
    instances:
      description: Instances listed.
      type: int
    expired_grants:
      description: Expired grants found (and ended unless their instance failed).
      type: int
    live_grants:
      description: Live grants left in place.
      type: int
    failures:
      description: Number of RV(failures).
      type: int
"""

import os
from datetime import datetime
from datetime import timezone

from ansible_collections.seed.lightsail.plugins.module_utils._base import AnsibleLightsailModule
from ansible_collections.seed.lightsail.plugins.module_utils._errors import AnsibleLightsailError
from ansible_collections.seed.lightsail.plugins.module_utils._grants import controller_now
from ansible_collections.seed.lightsail.plugins.module_utils._grants import format_time
from ansible_collections.seed.lightsail.plugins.module_utils._grants import plan_expiry
from ansible_collections.seed.lightsail.plugins.module_utils._grants import untag_operation
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import FirewallApi
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import iter_instances
from ansible_collections.seed.lightsail.plugins.module_utils._lightsail import untag_resources_concurrently
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import PartialWriteError
from ansible_collections.seed.lightsail.plugins.module_utils._plan_execution import apply_operations_concurrently
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import firewall_to_list
from ansible_collections.seed.lightsail.plugins.module_utils._selection import instance_tags
from ansible_collections.seed.lightsail.plugins.module_utils._transformations import split_networking_ports


def sweep_region(module, region, now, report):
    """List one region, plan every instance's expired grants, write (unless check mode), and add to ``report``."""
    client = module.lightsail_client(region=region, config=dict(max_pool_connections=max(10, module.params["max_concurrency"])))
    try:
        instances = list(iter_instances(client))
    except AnsibleLightsailError as error:
        report["failures"].append(dict(region=region, instance_name=None, msg=error.message))
        return
    report["summary"]["instances"] += len(instances)
    releases = {}
    for instance in sorted(instances, key=lambda item: item.get("name") or ""):
        name = instance.get("name")
        current, _private = split_networking_ports((instance.get("networking") or {}).get("ports"))
        release, live, problems = plan_expiry(current, instance_tags(instance), now)
        for grant in live:
            report["live"].append(dict(region=region, instance_name=name, grant_id=grant.grant_id, expires_at=format_time(grant.expires_at),
                                       reason=grant.reason))
        for tag_key, problem in problems:
            report["unreadable"].append(dict(region=region, instance_name=name, tag_key=tag_key, problem=problem))
            module.warn("%s %s: grant record %s left alone: %s" % (region, name, tag_key, problem))
        if release is not None:
            releases[name] = release
    report["summary"]["live_grants"] += sum(1 for item in report["live"] if item["region"] == region)
    entries = {}
    for name, release in releases.items():
        report["summary"]["expired_grants"] += len(release.ending)
        entries[name] = dict(region=region, instance_name=name, grants=[grant.to_dict(now) for grant in release.ending],
                             closed=firewall_to_list(release.closed), failed=False,
                             operations=[op.to_dict() for op in release.plan.operations] + [untag_operation(release.untag_keys)])
        report["swept"].append(entries[name])
    if module.check_mode or not releases:
        return
    failed = apply_operations_concurrently(FirewallApi(client), dict((name, r.plan.operations) for name, r in releases.items() if r.plan.operations),
                                           module.params["max_concurrency"])
    untags = dict((name, r.untag_keys) for name, r in releases.items() if name not in failed)
    failed.update(untag_resources_concurrently(client, untags, module.params["max_concurrency"]))
    for name in sorted(failed):
        entries[name]["failed"] = True
        report["failures"].append(dict(region=region, instance_name=name, msg=failed[name].message))
    report["changed"] = report["changed"] or any(wrote_something(releases[name], failed.get(name)) for name in releases)


def wrote_something(release, failure):
    """Whether an instance's writes changed anything: all applied, some Closes applied, or all Closes but not the untag."""
    if failure is None:
        return True
    if isinstance(failure, PartialWriteError):
        return bool(failure.applied)
    return bool(release.plan.operations)


def main():
    module = AnsibleLightsailModule(
        argument_spec=dict(
            regions=dict(type="list", elements="str"),
            max_concurrency=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    params = module.params
    regions = params["regions"] or ([module.region] if module.region else [])
    result = dict(changed=False, regions=regions)
    if params["max_concurrency"] < 1:
        module.fail_json(msg="max_concurrency: %d; it must be at least 1" % params["max_concurrency"], **result)
    if not regions:
        module.fail_json(msg="regions: no region to sweep; list them in regions, or set region or AWS_REGION", **result)
    try:
        now, clock_warning = controller_now(os.environ, datetime.now(timezone.utc))
    except RuleError as error:
        module.fail_json(msg=str(error), **result)
    if clock_warning:
        module.warn(clock_warning)

    report = dict(changed=False, swept=[], live=[], unreadable=[], failures=[],
                  summary=dict(instances=0, expired_grants=0, live_grants=0, failures=0))
    for region in regions:
        sweep_region(module, region, now, report)
    if module.check_mode:
        report["changed"] = bool(report["swept"])
    report["summary"]["failures"] = len(report["failures"])
    result.update(report, now=format_time(now))
    if report["failures"]:
        module.fail_json(msg="the sweep failed for %s; everything else was swept: %s" % (
            ", ".join("%s %s" % (f["region"], f["instance_name"] or "(listing)") for f in report["failures"]),
            "; ".join(f["msg"] for f in report["failures"])), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
