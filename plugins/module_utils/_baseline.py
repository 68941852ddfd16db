# -*- coding: utf-8 -*-

# Copyright: seed.lightsail contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Hardened firewall baselines: the firewall a profile asks for, and its guards. Pure Python.

A baseline is built in three steps, each of which can refuse with a BaselineError naming the
option at fault, before any API call:

1. ``parse_baseline_options``: the user's options, validated and normalised.
2. ``baseline_firewall``: the firewall {RuleKey: Sources} of a profile on a platform.
3. ``build_baseline`` adds the guards: the lockout guard (the admin port must stay reachable
   from somewhere the instance can be reached from) and the policy (no flagged port open to the
   world without an exception).

How an instance's firewall compares with its baseline is _compliance.py's.
"""

import ipaddress
from collections import namedtuple
from functools import lru_cache

from ansible_collections.seed.lightsail.plugins.module_utils._policy import covered_protocols
from ansible_collections.seed.lightsail.plugins.module_utils._policy import exposure_findings
from ansible_collections.seed.lightsail.plugins.module_utils._policy import parse_public_exceptions
from ansible_collections.seed.lightsail.plugins.module_utils._policy import violations_only
from ansible_collections.seed.lightsail.plugins.module_utils._rules import MAX_SOURCES_PER_RULE
from ansible_collections.seed.lightsail.plugins.module_utils._rules import WORLD_IPV4
from ansible_collections.seed.lightsail.plugins.module_utils._rules import WORLD_IPV6
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleError
from ansible_collections.seed.lightsail.plugins.module_utils._rules import RuleKey
from ansible_collections.seed.lightsail.plugins.module_utils._rules import Sources
from ansible_collections.seed.lightsail.plugins.module_utils._rules import merge_into
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv4_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import normalize_ipv6_cidr
from ansible_collections.seed.lightsail.plugins.module_utils._rules import parse_rules

PROFILES = ("locked_down", "console_only", "web", "web_https_only", "custom")
ADMIN_PORTS = {"LINUX_UNIX": 22, "WINDOWS": 3389}
PLATFORMS = ("LINUX_UNIX", "WINDOWS")
CONSOLE_ALIAS = "lightsail-connect"
WEB_PORTS = {"web": (80, 443), "web_https_only": (443,)}
# An instance's ipAddressType, and the address families it has a public address in.
ADDRESS_TYPES = ("ipv4", "dualstack", "ipv6")
ADDRESS_FAMILIES = {"ipv4": ("ipv4",), "dualstack": ("ipv4", "ipv6"), "ipv6": ("ipv6",)}
# Sources no packet to the public address comes from: no path in for the lockout guard.
NO_PATH_BLOCKS = (
    ("unspecified", "0.0.0.0/32"), ("loopback", "127.0.0.0/8"), ("link-local", "169.254.0.0/16"), ("multicast", "224.0.0.0/4"),
    ("unspecified", "::/128"), ("loopback", "::1/128"), ("link-local", "fe80::/10"), ("multicast", "ff00::/8"),
)


class BaselineError(RuleError):
    """A baseline that must not be applied: a contradiction, a lockout or a policy violation."""


class BaselineOptions(namedtuple("BaselineOptions", [
        "profile", "admin_cidrs", "admin_ipv6_cidrs", "keep_console_access", "extra_rules", "public_exceptions", "public_ipv6", "allow_lockout"])):
    """Validated options: CIDRs normalised, extra_rules a firewall dict, public_exceptions PublicExceptions."""

    __slots__ = ()


def parse_baseline_options(options, field_prefix=""):
    """A dict with the module's option names -> BaselineOptions.

    Errors name the field as the user wrote it: ``field_prefix`` is prepended (the role passes
    ``firewall_baseline_``).
    """
    def field(name):
        return field_prefix + name

    profile = options.get("profile") or "locked_down"
    if profile not in PROFILES:
        raise BaselineError(field("profile"), "unknown profile %r; use one of %s" % (profile, ", ".join(PROFILES)))
    admin_cidrs = _cidrs(options, "admin_cidrs", normalize_ipv4_cidr, field)
    admin_ipv6_cidrs = _cidrs(options, "admin_ipv6_cidrs", normalize_ipv6_cidr, field)
    keep_console_access = _as_bool(options, "keep_console_access", True, field)
    if profile == "console_only":
        for name, values in (("admin_cidrs", admin_cidrs), ("admin_ipv6_cidrs", admin_ipv6_cidrs)):
            if values:
                raise BaselineError(field(name), "%s: console_only allows the admin port only through %s; remove them or use locked_down"
                                    % (", ".join(values), CONSOLE_ALIAS))
        if not keep_console_access:
            raise BaselineError(field("keep_console_access"), "false contradicts console_only, which keeps only the console's access")
    return BaselineOptions(
        profile=profile,
        admin_cidrs=admin_cidrs,
        admin_ipv6_cidrs=admin_ipv6_cidrs,
        keep_console_access=keep_console_access,
        extra_rules=parse_rules(_as_list(options, "extra_rules", field), field=field("extra_rules"), require_sources=True),
        public_exceptions=parse_public_exceptions(_as_list(options, "public_exceptions", field), field=field("public_exceptions")),
        public_ipv6=_as_bool(options, "public_ipv6", True, field),
        allow_lockout=_as_bool(options, "allow_lockout", False, field),
    )


def _cidrs(options, name, normalize, field):
    return tuple(normalize(value, "%s[%d]" % (field(name), index)) for index, value in enumerate(_as_list(options, name, field)))


def _as_list(options, name, field):
    value = options.get(name)
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise BaselineError(field(name), "expected a list, got %r" % (value,))
    return value


def _as_bool(options, name, default, field):
    value = options.get(name)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise BaselineError(field(name), "expected true or false, got %r" % (value,))
    return value


def normalize_platform(platform, where="platform"):
    text = str(platform or "").strip().upper()
    if text not in PLATFORMS:
        raise BaselineError(where, "unknown platform %r; use one of %s" % (platform, ", ".join(PLATFORMS)))
    return text


def admin_key(platform):
    """The rule of the admin port: SSH on Linux/Unix, RDP on Windows (CIS Compute 3.3: no RDP on Linux, no SSH on Windows)."""
    port = ADMIN_PORTS[platform]
    return RuleKey("tcp", port, port)


def baseline_firewall(options, platform):
    """The firewall {RuleKey: Sources} a profile asks for on a platform, without the guards.

    Rules from several places that name the same (protocol, ports) are merged: they only allow.
    """
    world = Sources.of([WORLD_IPV4], [WORLD_IPV6] if options.public_ipv6 else [])
    firewall = {}
    admin_sources = Sources.of(options.admin_cidrs, options.admin_ipv6_cidrs, [CONSOLE_ALIAS] if options.keep_console_access else [])
    if admin_sources:
        firewall[admin_key(platform)] = admin_sources
    for port in WEB_PORTS.get(options.profile, ()):
        merge_into(firewall, RuleKey("tcp", port, port), world)
    for key, sources in options.extra_rules.items():
        merge_into(firewall, key, sources)
    for exception in options.public_exceptions:
        merge_into(firewall, exception.key, world)
    return firewall


def normalize_address_type(value, field="ip_address_type"):
    """An instance's ipAddressType -> 'ipv4', 'dualstack' or 'ipv6' (any case); None or '' -> None (unknown).

    Anything else is a BaselineError naming ``field`` and the value.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise BaselineError(field, "%r is not an address type; use one of %s" % (value, ", ".join(ADDRESS_TYPES)))
    text = value.strip().lower()
    if not text:
        return None
    if text not in ADDRESS_TYPES:
        raise BaselineError(field, "unknown address type %r; use one of %s" % (value, ", ".join(ADDRESS_TYPES)))
    return text


_NO_PATH_NETWORKS = tuple((reason, ipaddress.ip_network(block)) for reason, block in NO_PATH_BLOCKS)
_NO_PATH_UNION = {
    version: tuple(ipaddress.collapse_addresses(network for reason, network in _NO_PATH_NETWORKS if network.version == version)) for version in (4, 6)
}


@lru_cache(maxsize=4096)
def no_path_reason(cidr):
    """Why a CIDR block is no path in ('loopback', 'unspecified + loopback', ...), or None when it holds an address that can be one.

    A block is no path in when each of its addresses is unspecified, loopback, link-local or
    multicast; 0.0.0.0/0 holds many other addresses, so it is a path (and the policy's business).
    """
    try:
        network = ipaddress.ip_network(str(cidr).strip(), strict=False)
    except ValueError:
        return "not an address"
    if not any(network.subnet_of(block) for block in _NO_PATH_UNION[network.version]):
        return None
    reasons = []
    for reason, block in _NO_PATH_NETWORKS:
        if block.version == network.version and network.overlaps(block) and reason not in reasons:
            reasons.append(reason)
    return " + ".join(reasons)


class AdminPaths(namedtuple("AdminPaths", ["ipv4", "ipv6", "console", "ignored"])):
    """The sources of every rule covering the admin port: IPv4 and IPv6 blocks that are a path in,
    whether lightsail-connect is one of them, and the blocks that are no path in, with why."""

    __slots__ = ()

    def reach(self, address_type):
        """True when the admin port is reachable on an instance of this address type (None: unknown).

        ipv4: IPv4 sources and lightsail-connect count. ipv6: only IPv6 sources count;
        lightsail-connect does not, because AWS does not document that the console's browser
        client reaches an instance without a public IPv4 address (when it does, the guard only
        asks for an IPv6 admin source or allow_lockout). dualstack: any of them. Unknown: the
        path must work whichever of the three the instance is, so IPv4 (or lightsail-connect) and
        IPv6 sources are both needed.
        """
        by_ipv4 = bool(self.ipv4) or self.console
        by_ipv6 = bool(self.ipv6)
        if address_type == "ipv4":
            return by_ipv4
        if address_type == "ipv6":
            return by_ipv6
        if address_type == "dualstack":
            return by_ipv4 or by_ipv6
        return by_ipv4 and by_ipv6


def admin_paths(firewall, platform):
    """AdminPaths of a firewall for the admin port of a platform (tcp, any rule whose range covers it)."""
    port = ADMIN_PORTS[platform]
    ipv4, ipv6, ignored, console = set(), set(), {}, False
    for key, sources in firewall.items():
        if "tcp" not in covered_protocols(key) or not key.from_port <= port <= key.to_port:
            continue
        console = console or CONSOLE_ALIAS in sources.aliases
        for cidrs, paths in ((sources.cidrs, ipv4), (sources.ipv6_cidrs, ipv6)):
            for cidr in cidrs:
                reason = no_path_reason(cidr)
                if reason is None:
                    paths.add(cidr)
                else:
                    ignored[cidr] = reason
    return AdminPaths(frozenset(ipv4), frozenset(ipv6), console, tuple(sorted(ignored.items())))


def admin_port_reachable(firewall, platform, address_type="dualstack"):
    """True when the admin port is reachable on an instance of ``address_type`` (see AdminPaths.reach)."""
    return admin_paths(firewall, platform).reach(normalize_address_type(address_type))


def check_lockout(firewall, options, platform, field_prefix="", address_type="dualstack"):
    if options.allow_lockout:
        return
    address_type = normalize_address_type(address_type, field_prefix + "ip_address_type")
    paths = admin_paths(firewall, platform)
    if paths.reach(address_type):
        return
    prefix = field_prefix
    if address_type == "ipv4":
        unreachable = "reachable from nowhere on an ipv4 instance (IPv4 only: %sadmin_ipv6_cidrs cannot reach it)" % prefix
        remedy = "set %sadmin_cidrs, keep %skeep_console_access true" % (prefix, prefix)
    elif address_type == "ipv6":
        unreachable = ("reachable from nowhere on an ipv6 instance (IPv6 only: %sadmin_cidrs cannot reach it, and %s is not counted, as AWS does "
                       "not document that the console reaches IPv6-only instances)" % (prefix, CONSOLE_ALIAS))
        remedy = "set %sadmin_ipv6_cidrs" % prefix
    elif address_type == "dualstack":
        unreachable = "reachable from nowhere on a dualstack instance"
        remedy = "set %sadmin_cidrs or %sadmin_ipv6_cidrs, keep %skeep_console_access true" % (prefix, prefix, prefix)
    else:
        unreachable = ("not reachable over both IPv4 and IPv6, which an instance whose address type is unknown needs (it may have IPv4 only "
                       "or IPv6 only)")
        remedy = "set %sadmin_ipv6_cidrs and %sadmin_cidrs (or keep %skeep_console_access true)" % (prefix, prefix, prefix)
    ignored = ""
    if paths.ignored:
        ignored = "; %s %s no path in" % (", ".join("%s (%s)" % item for item in paths.ignored), "is" if len(paths.ignored) == 1 else "are")
    raise BaselineError(
        prefix + "allow_lockout",
        "is false, and the %s baseline leaves %s, the admin port of %s instances, %s: %s, or set %sallow_lockout to true if you mean it%s"
        % (options.profile, admin_key(platform).describe(), platform, unreachable, remedy, prefix, ignored),
    )


def check_policy(firewall, options, field_prefix=""):
    violations = violations_only(exposure_findings(firewall, options.public_exceptions))
    if violations:
        raise BaselineError(
            field_prefix + "public_exceptions",
            "the %s baseline would expose %s; narrow the sources, or name each in %spublic_exceptions with a reason"
            % (options.profile, "; ".join(sorted(set(v["message"] for v in violations))), field_prefix),
        )


def check_source_counts(firewall, field_prefix=""):
    for key in sorted(firewall):
        if firewall[key].count() > MAX_SOURCES_PER_RULE:
            raise BaselineError(
                "baseline rule %s" % key.describe(),
                "%d sources from %sadmin_cidrs, %sadmin_ipv6_cidrs, %sextra_rules and %spublic_exceptions together; Lightsail accepts at most %d per rule"
                % (firewall[key].count(), field_prefix, field_prefix, field_prefix, field_prefix, MAX_SOURCES_PER_RULE),
            )


def build_baseline(options, platform, field_prefix="", *, address_type="dualstack"):
    """The guarded baseline firewall: raises BaselineError rather than return one that must not be applied.

    ``address_type`` is the instance's ipAddressType (ipv4, dualstack, ipv6; any case): the lockout
    guard counts an admin path only in a family the instance has (see AdminPaths.reach). None
    means unknown, and then the path in must work whichever type the instance has. Pass it by
    keyword: the third positional argument stays ``field_prefix``, as in earlier releases.
    """
    if field_prefix is None or str(field_prefix).strip().lower() in ADDRESS_TYPES:
        raise TypeError("build_baseline(options, platform, field_prefix='', *, address_type='dualstack'): pass address_type=%r by keyword"
                        % (field_prefix,))
    platform = normalize_platform(platform, field_prefix + "platform")
    address_type = normalize_address_type(address_type, field_prefix + "ip_address_type")
    firewall = baseline_firewall(options, platform)
    check_source_counts(firewall, field_prefix)
    check_lockout(firewall, options, platform, field_prefix, address_type)
    check_policy(firewall, options, field_prefix)
    return firewall
