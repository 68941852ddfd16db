"""The Lightsail operations the fake implements, and the switches for what AWS leaves undocumented."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import time
import uuid
from dataclasses import asdict, dataclass

from .fleet import WORLD_V4, WORLD_V6, Fleet, Instance, Rule, world_v6
from .model import ApiError, invalid_input

MAX_SOURCES = 60
KNOWN_ALIASES = ("lightsail-connect",)
WRITE_OPERATIONS = ("OpenInstancePublicPorts", "CloseInstancePublicPorts", "PutInstancePublicPorts")


@dataclass
class Behaviour:
    """Switches for semantics AWS has not documented (see the facts file), plus the GetInstances page size."""

    open_existing: str = "merge"  # Open on an existing rule: merge sources in, or replace them
    close_sources: str = "remove_named"  # Close: remove only the named sources, or the whole rule
    close_missing: str = "noop"  # Close of a rule that is not open: success, or InvalidInputException
    all_protocol_read: str = "all"  # how reads report protocol all: "all" or "-1"
    omitted_cidrs: str = "world"  # Open/Put without cidrs: every address, or none
    page_size: int = 5

    CHOICES = {
        "open_existing": ("merge", "replace"),
        "close_sources": ("remove_named", "whole_rule"),
        "close_missing": ("noop", "error"),
        "all_protocol_read": ("all", "-1"),
        "omitted_cidrs": ("world", "none"),
    }

    def update(self, **switches) -> None:
        """Change switches; reject unknown names and values before changing anything."""
        for name, value in switches.items():
            if name == "page_size":
                if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                    raise ValueError("page_size must be a positive integer")
            elif name not in self.CHOICES:
                raise ValueError("unknown behaviour switch %r" % name)
            elif value not in self.CHOICES[name]:
                raise ValueError("%s must be one of %s" % (name, self.CHOICES[name]))
        for name, value in switches.items():
            setattr(self, name, value)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Request:
    """One validated API call, ready to run."""

    params: dict
    region: str
    fleet: Fleet
    behaviour: Behaviour


def handler_for(operation: str):
    """The function implementing an operation, or UnknownOperationException."""
    try:
        return HANDLERS[operation]
    except KeyError:
        raise ApiError("UnknownOperationException", "Operation %s is not implemented by this service" % operation) from None


# ---- reads -------------------------------------------------------------------------------------

def get_instance(req: Request) -> dict:
    with req.fleet.lock:
        instance = req.fleet.get(req.region, req.params["instanceName"])
        return {"instance": render_instance(instance, req.behaviour, req.params.get("includeHealthStatus", False))}


def get_instances(req: Request) -> dict:
    instances = req.fleet.in_region(req.region)
    offset = _decode_page_token(req.params.get("pageToken"), req.region, len(instances))
    end = offset + req.behaviour.page_size
    with req.fleet.lock:
        page = [render_instance(i, req.behaviour, req.params.get("includeHealthStatus", False)) for i in instances[offset:end]]
    result = {"instances": page}
    if end < len(instances):
        result["nextPageToken"] = _encode_page_token(req.region, end)
    return result


def get_instance_port_states(req: Request) -> dict:
    with req.fleet.lock:
        instance = req.fleet.get(req.region, req.params["instanceName"])
        return {"portStates": [render_port_state(r, req.behaviour) for r in instance.public_rules()]}


# ---- writes ------------------------------------------------------------------------------------

def open_instance_public_ports(req: Request) -> dict:
    with req.fleet.lock:
        instance = req.fleet.get(req.region, req.params["instanceName"])
        rule = parse_port_info(req.params["portInfo"], "portInfo", instance, req.behaviour, for_close=False)
        existing = instance.find_rule(rule.key)
        if existing is None:
            instance.rules.append(rule)
        elif req.behaviour.open_existing == "merge":
            existing.cidrs = _union(existing.cidrs, rule.cidrs)
            existing.ipv6_cidrs = _union(existing.ipv6_cidrs, rule.ipv6_cidrs)
            existing.aliases = _union(existing.aliases, rule.aliases)
        else:
            existing.cidrs, existing.ipv6_cidrs, existing.aliases = rule.cidrs, rule.ipv6_cidrs, rule.aliases
        return {"operation": render_operation(instance, "OpenInstancePublicPorts")}


def close_instance_public_ports(req: Request) -> dict:
    with req.fleet.lock:
        instance = req.fleet.get(req.region, req.params["instanceName"])
        named = parse_port_info(req.params["portInfo"], "portInfo", instance, req.behaviour, for_close=True)
        existing = instance.find_rule(named.key)
        if existing is None:
            if req.behaviour.close_missing == "error":
                raise invalid_input("The port range %s %d-%d is not open on the instance %s"
                                    % (named.protocol, named.from_port, named.to_port, instance.name))
        elif req.behaviour.close_sources == "whole_rule" or named.sources() == 0:
            instance.rules.remove(existing)
        else:
            existing.cidrs = _difference(existing.cidrs, named.cidrs)
            existing.ipv6_cidrs = _difference(existing.ipv6_cidrs, named.ipv6_cidrs)
            existing.aliases = [a for a in existing.aliases if a not in named.aliases]
            if existing.sources() == 0:
                instance.rules.remove(existing)
        return {"operation": render_operation(instance, "CloseInstancePublicPorts")}


def put_instance_public_ports(req: Request) -> dict:
    with req.fleet.lock:
        instance = req.fleet.get(req.region, req.params["instanceName"])
        wanted: dict[tuple, Rule] = {}
        for index, info in enumerate(req.params["portInfos"], start=1):
            rule = parse_port_info(info, "portInfos.%d" % index, instance, req.behaviour, for_close=False)
            if rule.key in wanted:  # the same rule twice in one request: sources add up
                same = wanted[rule.key]
                same.cidrs = _union(same.cidrs, rule.cidrs)
                same.ipv6_cidrs = _union(same.ipv6_cidrs, rule.ipv6_cidrs)
                same.aliases = _union(same.aliases, rule.aliases)
            else:
                wanted[rule.key] = rule
        instance.rules = [r for r in instance.rules if not r.public] + list(wanted.values())
        return {"operation": render_operation(instance, "PutInstancePublicPorts")}


# ---- tags --------------------------------------------------------------------------------------

# Lightsail's tag rules (API reference, Tag): keys up to 128 characters, values up to 256, letters, numbers,
# spaces and + - = . _ : / @; keys are case sensitive, unique per resource, and aws: is reserved. AWS's general
# ceiling is 50 user tags per resource.
TAG_KEY_MAX, TAG_VALUE_MAX, MAX_TAGS = 128, 256, 50
TAG_PUNCTUATION = " +-=._:/@"
TAG_OPERATIONS = ("TagResource", "UntagResource")


def tag_resource(req: Request) -> dict:
    with req.fleet.lock:
        instance = _tagged_resource(req)
        new = {}
        for index, tag in enumerate(req.params["tags"], start=1):
            where = "tags.%d" % index
            key, value = tag.get("key"), tag.get("value", "")
            if key is None:
                raise invalid_input("%s.key is required" % where)
            _check_tag_text(key, "%s.key" % where, TAG_KEY_MAX, allow_empty=False)
            _check_tag_text(value, "%s.value" % where, TAG_VALUE_MAX, allow_empty=True)
            if key.lower().startswith("aws:"):
                raise invalid_input("%s.key: the prefix aws: is reserved for AWS use" % where)
            if key in new:
                raise invalid_input("%s.key: duplicate tag key %s" % (where, key))
            new[key] = value
        merged = {t["key"]: t["value"] for t in instance.tags}
        merged.update(new)
        if len(merged) > MAX_TAGS:
            raise invalid_input("The resource %s would have %d tags; at most %d are allowed" % (instance.name, len(merged), MAX_TAGS))
        instance.tags = [{"key": k, "value": v} for k, v in merged.items()]
        return {"operations": [render_operation(instance, "TagResource")]}


def untag_resource(req: Request) -> dict:
    with req.fleet.lock:
        instance = _tagged_resource(req)
        removed = set(req.params["tagKeys"])
        instance.tags = [t for t in instance.tags if t["key"] not in removed]
        return {"operations": [render_operation(instance, "UntagResource")]}


def _tagged_resource(req: Request) -> Instance:
    """The instance a tag call names (only instances exist here); a resourceArn must be that instance's."""
    instance = req.fleet.get(req.region, req.params["resourceName"])
    arn = req.params.get("resourceArn")
    if arn is not None and arn != instance.arn:
        raise invalid_input("resourceArn %s is not the ARN of %s" % (arn, instance.name))
    return instance


def _check_tag_text(text: str, where: str, limit: int, allow_empty: bool) -> None:
    if not text and not allow_empty:
        raise invalid_input("%s must not be empty" % where)
    if len(text) > limit:
        raise invalid_input("%s: at most %d characters are allowed, got %d" % (where, limit, len(text)))
    bad = sorted({c for c in text if not (c.isalnum() or c in TAG_PUNCTUATION)})
    if bad:
        raise invalid_input("%s: %s not allowed (letters, numbers, spaces and + - = . _ : / @ only)" % (where, " ".join(repr(c) for c in bad)))


HANDLERS = {
    "GetInstance": get_instance,
    "GetInstances": get_instances,
    "GetInstancePortStates": get_instance_port_states,
    "OpenInstancePublicPorts": open_instance_public_ports,
    "CloseInstancePublicPorts": close_instance_public_ports,
    "PutInstancePublicPorts": put_instance_public_ports,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
}


# ---- portInfo semantics ------------------------------------------------------------------------

def parse_port_info(info: dict, where: str, instance: Instance, behaviour: Behaviour, for_close: bool) -> Rule:
    """Check a portInfo the way Lightsail does beyond the model, and turn it into a Rule (sources as sent)."""
    if not info.get("protocol"):
        raise invalid_input("%s.protocol is required" % where)
    protocol = info["protocol"].lower()
    from_port, to_port = _ports(info, where, protocol)
    cidrs = [_ipv4_source(c, where) for c in info.get("cidrs", [])]
    ipv6_cidrs = [_ipv6_source(c, where) for c in info.get("ipv6Cidrs", [])]
    aliases = list(info.get("cidrListAliases", []))
    for alias in aliases:
        if alias not in KNOWN_ALIASES:
            raise invalid_input("%s.cidrListAliases: unknown alias %s (valid: %s)" % (where, alias, ", ".join(KNOWN_ALIASES)))
    if not for_close and "cidrs" not in info and behaviour.omitted_cidrs == "world":
        cidrs = [WORLD_V4]
        if "ipv6Cidrs" not in info:
            ipv6_cidrs = world_v6(instance.ip_address_type)
    rule = Rule(protocol, from_port, to_port, cidrs, ipv6_cidrs, aliases)
    if rule.sources() > MAX_SOURCES:
        raise invalid_input("%s: at most %d sources (cidrs, ipv6Cidrs and cidrListAliases together) are allowed, got %d"
                            % (where, MAX_SOURCES, rule.sources()))
    if not for_close and rule.sources() == 0:
        raise invalid_input("%s: at least one of cidrs, ipv6Cidrs or cidrListAliases must name a source" % where)
    return rule


def _ports(info: dict, where: str, protocol: str) -> tuple[int, int]:
    if protocol == "all":
        return info.get("fromPort", 0), info.get("toPort", 65535)
    if "fromPort" not in info or "toPort" not in info:
        raise invalid_input("%s: fromPort and toPort are required for protocol %s" % (where, protocol))
    from_port, to_port = info["fromPort"], info["toPort"]
    if protocol in ("tcp", "udp"):
        if not (0 <= from_port <= 65535 and 0 <= to_port <= 65535):
            raise invalid_input("%s: ports of a %s rule must be between 0 and 65535" % (where, protocol))
        if to_port < from_port:
            raise invalid_input("%s: toPort (%d) must not be lower than fromPort (%d)" % (where, to_port, from_port))
    elif not (-1 <= from_port <= 255 and -1 <= to_port <= 255):
        raise invalid_input("%s: %s type and code must be between -1 and 255" % (where, protocol))
    return from_port, to_port


def _ipv4_source(value: str, where: str) -> str:
    network = _network(value, where, "cidrs")
    if network.version != 4:
        raise invalid_input("%s.cidrs: %s is an IPv6 CIDR; IPv6 sources belong in ipv6Cidrs" % (where, value))
    return value


def _ipv6_source(value: str, where: str) -> str:
    network = _network(value, where, "ipv6Cidrs")
    if network.version != 6:
        raise invalid_input("%s.ipv6Cidrs: %s is not an IPv6 CIDR" % (where, value))
    return value


def _network(value: str, where: str, member: str):
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise invalid_input("%s.%s: %s is not a valid CIDR" % (where, member, value)) from None


def _same(a: str, b: str) -> bool:
    """192.0.2.44 and 192.0.2.44/32 name the same source; a stored value that is no network (set through the admin API) only itself."""
    if a == b:
        return True
    try:
        return ipaddress.ip_network(a, strict=False) == ipaddress.ip_network(b, strict=False)
    except ValueError:
        return False


def _union(kept: list[str], added: list[str]) -> list[str]:
    result = list(kept)
    for value in added:
        if not any(_same(value, k) for k in result):
            result.append(value)
    return result


def _difference(kept: list[str], removed: list[str]) -> list[str]:
    return [k for k in kept if not any(_same(k, r) for r in removed)]


# ---- pagination --------------------------------------------------------------------------------

def _encode_page_token(region: str, offset: int) -> str:
    return base64.urlsafe_b64encode(("v1|%s|%d" % (region, offset)).encode()).decode()


def _decode_page_token(token: str | None, region: str, total: int) -> int:
    if token is None:
        return 0
    try:
        version, token_region, offset = base64.urlsafe_b64decode(token.encode()).decode().split("|")
        offset = int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise invalid_input("The pageToken is invalid: %s" % token) from None
    if version != "v1" or token_region != region or not 0 < offset <= total:
        raise invalid_input("The pageToken is invalid: %s" % token)
    return offset


# ---- response shapes ---------------------------------------------------------------------------

def _protocol_out(rule: Rule, behaviour: Behaviour) -> str:
    return behaviour.all_protocol_read if rule.protocol == "all" else rule.protocol


def render_port_state(rule: Rule, behaviour: Behaviour) -> dict:
    """An InstancePortState."""
    return {
        "fromPort": rule.from_port,
        "toPort": rule.to_port,
        "protocol": _protocol_out(rule, behaviour),
        "state": "open",
        "cidrs": list(rule.cidrs),
        "ipv6Cidrs": list(rule.ipv6_cidrs),
        "cidrListAliases": list(rule.aliases),
    }


def render_port_info(rule: Rule, behaviour: Behaviour) -> dict:
    """An InstancePortInfo (GetInstance networking.ports)."""
    return {
        "fromPort": rule.from_port,
        "toPort": rule.to_port,
        "protocol": _protocol_out(rule, behaviour),
        "accessFrom": rule.access_from or _access_from(rule),
        "accessType": rule.access_type,
        "commonName": rule.common_name,
        "accessDirection": "inbound",
        "cidrs": list(rule.cidrs),
        "ipv6Cidrs": list(rule.ipv6_cidrs),
        "cidrListAliases": list(rule.aliases),
    }


def _access_from(rule: Rule) -> str:
    if not rule.public:
        return "Private"
    if rule.cidrs == [WORLD_V4] and not rule.aliases and rule.ipv6_cidrs in ([], [WORLD_V6]):
        return "Anywhere (0.0.0.0/0 and ::/0)" if rule.ipv6_cidrs else "Anywhere (0.0.0.0/0)"
    if rule.aliases and not rule.cidrs and not rule.ipv6_cidrs:
        return "Lightsail browser SSH/RDP"
    return "Custom"


def _location(instance: Instance) -> dict:
    return {"availabilityZone": instance.availability_zone, "regionName": instance.region}


def render_instance(instance: Instance, behaviour: Behaviour, health: bool = False) -> dict:
    """An Instance structure as GetInstance(s) returns it."""
    result = {
        "name": instance.name,
        "arn": instance.arn,
        "supportCode": "%s/%s" % (instance.region, instance.arn.rsplit("/", 1)[1][:12]),
        "createdAt": instance.created_at,
        "location": _location(instance),
        "resourceType": "Instance",
        "tags": [dict(t) for t in instance.tags],
        "blueprintId": instance.blueprint.blueprint_id,
        "blueprintName": instance.blueprint.name,
        "bundleId": instance.bundle_id,
        "addOns": [],
        "isStaticIp": False,
        "privateIpAddress": instance.private_ip,
        "publicIpAddress": instance.public_ip,
        "ipAddressType": instance.ip_address_type,
        "hardware": {"cpuCount": 2, "disks": [], "ramSizeInGb": 2.0},
        "networking": {
            "monthlyTransfer": {"gbPerMonthAllocated": 3072},
            "ports": [render_port_info(r, behaviour) for r in instance.rules],
        },
        "state": {"code": 16, "name": "running"},
        "username": instance.blueprint.username,
        "sshKeyName": "LightsailDefaultKeyPair",
    }
    if instance.ipv6_addresses:
        result["ipv6Addresses"] = instance.ipv6_addresses
    if health:
        result["instanceStatus"] = {"status": "ok", "details": [{"name": "reachability", "status": "passed"}]}
        result["systemStatus"] = {"status": "ok", "details": [{"name": "reachability", "status": "passed"}]}
    return result


def render_operation(instance: Instance, operation_type: str) -> dict:
    """The Operation a write call returns: already finished."""
    now = time.time()
    return {
        "id": str(uuid.uuid4()),
        "resourceName": instance.name,
        "resourceType": "Instance",
        "createdAt": now,
        "location": _location(instance),
        "isTerminal": True,
        "operationDetails": "",
        "operationType": operation_type,
        "status": "Succeeded",
        "statusChangedAt": now,
    }
