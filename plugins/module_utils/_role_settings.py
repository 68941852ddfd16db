# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The firewall_baseline role's variables, as -e strings, surveys and YAML give them -> the batch module's options.

Pure Python. Every error names the role variable the user set (``firewall_baseline_admin_cidrs[1]``).
"""

import os

from ansible.module_utils.common.validation import check_type_dict

from ansible_collections.seed.lightsail.plugins.module_utils._baseline import PLATFORMS
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import BaselineError
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import build_baseline
from ansible_collections.seed.lightsail.plugins.module_utils._baseline import parse_baseline_options
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import RoleInputError
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_bool
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_int
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import as_list
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import check_region
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import check_regions
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import parse_role_options
from ansible_collections.seed.lightsail.plugins.module_utils._role_input import unknown_variables
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError

PREFIX = "firewall_baseline_"
# Every variable of meta/argument_specs.yml (a unit test keeps the two in step).
ROLE_VARIABLES = (
    "mode", "scope", "profile", "admin_cidrs", "admin_ipv6_cidrs", "keep_console_access", "extra_rules", "public_exceptions",
    "public_ipv6", "allow_lockout", "region", "regions", "instance_names", "tags", "max_concurrency", "instance_name",
    "report_path", "fail_on_violations", "allow_empty",
)
# Set by the role itself (registered results, facts), never by users.
ROLE_INTERNAL = ("run", "settings", "report", "reported", "hosts")
SCOPES = ("auto", "fleet", "host")
CONTROLLER_NAMES = ("localhost", "127.0.0.1", "::1")
AUDIT_DEFAULT_PROFILE = "locked_down"


class RoleSettingsError(ValueError):
    pass


def _field(name):
    return PREFIX + name


def check_variables(variables):
    """Refuse firewall_baseline_* variables the role does not know, naming the closest known one."""
    known = [_field(name) for name in ROLE_VARIABLES + ROLE_INTERNAL]
    unknown = unknown_variables(variables, known, prefix=PREFIX)
    if unknown:
        raise RoleSettingsError("; ".join(
            "%s is not a variable of seed.lightsail.firewall_baseline%s" % (name, "; did you mean %s?" % closest if closest else "")
            for name, closest in unknown))


def with_host_defaults(raw, host_value):
    """The role's variables with the defaults that come from the host: ``region`` (unset: the host's ``lightsail_region``,
    else '') and ``instance_name`` (unset: ``lightsail_name``, else ``inventory_hostname``).

    ``host_value(name)`` returns one of the host's variables, or None; it is called only for the defaults needed, so
    that the role's defaults hold no templates (each one would cost every host's worker a Jinja compile).
    """
    raw = dict(raw)
    if raw.get("region") is None:
        raw["region"] = host_value("lightsail_region") or ""
    if raw.get("instance_name") is None:
        raw["instance_name"] = host_value("lightsail_name") or host_value("inventory_hostname")
    return raw


def effective_scope(requested, play_hosts):
    """'fleet' or 'host', from what the play targets; a requested scope that does not fit is an error, never a silent choice."""
    requested = str(requested or "auto").strip().lower()
    if requested not in SCOPES:
        raise RoleSettingsError("%s: %r is not one of %s" % (_field("scope"), requested, ", ".join(SCOPES)))
    hosts = list(play_hosts or ())
    inventory_hosts = [host for host in hosts if host not in CONTROLLER_NAMES]
    if inventory_hosts and len(inventory_hosts) != len(hosts):
        raise RoleSettingsError("the play targets the controller (%s) and inventory hosts (%s) together; run the role on inventory hosts "
                                "(one instance each) or on localhost alone (whole regions)"
                                % (", ".join(sorted(set(hosts) - set(inventory_hosts))), _sample(inventory_hosts)))
    scope = "host" if inventory_hosts else "fleet"
    if requested != "auto" and requested != scope:
        if scope == "host":
            raise RoleSettingsError("%s is fleet, but the play targets inventory hosts (%s): fleet scope would read and write every "
                                    "selected instance of whole regions, not just these hosts. Leave %s unset (or host) to work on "
                                    "the play's hosts, or run the play on localhost" % (_field("scope"), _sample(inventory_hosts), _field("scope")))
        raise RoleSettingsError("%s is host, but the play targets only the controller (%s): run the play on the inventory hosts of the "
                                "instances (for example hosts: lightsail), or leave %s unset for a region-driven run"
                                % (_field("scope"), ", ".join(hosts) or "no host", _field("scope")))
    return scope


def _sample(hosts, limit=5):
    hosts = sorted(hosts)
    return ", ".join(hosts[:limit]) + (" and %d more" % (len(hosts) - limit) if len(hosts) > limit else "")


def report_path(value, cwd=None):
    """An absolute report path ('' for none): relative paths resolve against ``cwd``; its directory must exist and be writable."""
    text = str(value or "").strip()
    if not text:
        return ""
    path = os.path.abspath(os.path.join(cwd or os.getcwd(), os.path.expanduser(text)))
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        raise RoleSettingsError("%s: %r -> %s: the directory %s does not exist" % (_field("report_path"), value, path, directory))
    if not os.access(directory, os.W_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise RoleSettingsError("%s: %r -> %s: not writable" % (_field("report_path"), value, path))
    if os.path.isdir(path):
        raise RoleSettingsError("%s: %r -> %s is a directory; name a file" % (_field("report_path"), value, path))
    return path


def _baseline(raw, mode):
    """The baseline settings in the module's option names, checked and normalised."""
    profile = str(raw.get("profile") or "").strip()
    if not profile and mode != "apply":
        profile = AUDIT_DEFAULT_PROFILE
    options = dict((name, raw.get(name)) for name in (
        "admin_cidrs", "admin_ipv6_cidrs", "keep_console_access", "extra_rules", "public_exceptions", "public_ipv6", "allow_lockout"))
    parsed = parse_role_options(dict(options, profile=profile or None), prefix=PREFIX, require_profile=(mode == "apply"))
    check_refused_everywhere(parsed)
    settings = dict((name, parsed[name]) for name in options)
    settings["baseline"] = parsed["profile"]
    return settings


def check_refused_everywhere(options):
    """Refuse, naming the role variables and before any call, a baseline the guards refuse on every instance.

    The guards (lockout, policy, source counts) depend on an instance's platform and address type, which only the
    module reads; dualstack is the address type with the most paths in, so a baseline refused there on every platform
    is refused on every instance. Anything else is left to the module, per instance.
    """
    parsed = parse_baseline_options(options, field_prefix=PREFIX)
    errors = []
    for platform in PLATFORMS:
        try:
            build_baseline(parsed, platform, PREFIX, address_type="dualstack")
            return
        except BaselineError as error:
            errors.append(error)
    first = errors[0]
    if all(error.where == first.where for error in errors):
        raise RoleSettingsError("%s (and likewise on %s instances, whatever their address type; nothing was read or written)"
                                % (first, ", ".join(PLATFORMS[1:])))
    raise RoleSettingsError("%s (nothing was read or written)" % "; ".join(str(error) for error in errors))


def role_settings(raw, mode="audit", scope="fleet", variables=(), host=None, cwd=None, known_regions=(), endpoint_url=None):
    """One host's view of the role's variables (names without the prefix) -> {'run': ..., 'target' or 'select': ...}.

    Region names are checked against ``known_regions`` (botocore's), unless ``endpoint_url`` points elsewhere.

    ``run``: mode, max_concurrency, fail_on_violations, allow_empty, report_path (absolute).
    ``target`` (host scope): one element of the module's targets option.
    ``select`` (fleet scope): the baseline options plus regions ([]: AWS_REGION or the AWS configuration), instance_names and
    tags; empty in host scope.
    """
    try:
        check_variables(variables)
        mode = str(mode or "").strip().lower()
        if mode not in ("audit", "apply"):
            raise RoleSettingsError("%s: %r is not audit or apply" % (_field("mode"), raw.get("mode", mode)))
        run = {
            "mode": mode,
            "max_concurrency": as_int(raw.get("max_concurrency", 10), _field("max_concurrency"), minimum=1),
            "fail_on_violations": as_bool(raw.get("fail_on_violations", False), _field("fail_on_violations")),
            "allow_empty": as_bool(raw.get("allow_empty", False), _field("allow_empty")),
            "report_path": report_path(raw.get("report_path"), cwd),
        }
        baseline = _baseline(raw, mode)
        if scope == "host":
            name = str(raw.get("instance_name") or "").strip()
            if not name:
                raise RoleSettingsError("%s: empty; name the Lightsail instance behind host %s" % (_field("instance_name"), host))
            region = check_region(raw.get("region"), known_regions, endpoint_url, _field("region"))
            # select stays empty: the role's one module task reads its fleet options from it, and omits them here.
            return {"run": run, "select": {}, "target": dict(baseline, instance_name=name, region=region or None, host=host)}
        regions = check_regions(raw.get("regions"), known_regions, endpoint_url, _field("regions"))
        region = check_region(raw.get("region"), known_regions, endpoint_url, _field("region"))
        if regions and region and region not in regions:
            raise RoleSettingsError("%s (%s) and %s (%s) disagree; set one of them" % (_field("region"), region, _field("regions"), ", ".join(regions)))
        tags = raw.get("tags")
        if isinstance(tags, str) and not tags.strip():
            tags = None  # an unanswered survey question
        if tags is not None:
            try:
                tags = check_type_dict(tags)
            except TypeError:
                raise RoleSettingsError("%s: expected a dictionary of tag names and values (or key=value pairs), got %r" % (_field("tags"), tags))
            if not tags:
                raise RoleSettingsError("%s: {} selects no instance; leave it unset to select every instance, or name the tags" % _field("tags"))
        names = raw.get("instance_names")
        if isinstance(names, str) and not names.strip():
            names = None  # an unanswered survey question
        if names is not None:
            names = as_list(names, _field("instance_names"))
            if not names:
                raise RoleSettingsError("%s: [] selects no instance; leave it unset to select every instance, or list the instances"
                                        % _field("instance_names"))
        select = dict(baseline, regions=regions or ([region] if region else []), instance_names=names, tags=tags)
        return {"run": run, "select": select}
    except (RoleInputError, RuleError) as error:
        raise RoleSettingsError(str(error))
