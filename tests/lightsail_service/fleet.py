"""In-memory Lightsail instances, their firewall rules, and seeding helpers."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field

from .model import not_found

ACCOUNT_ID = "123456789012"
WORLD_V4 = "0.0.0.0/0"
WORLD_V6 = "::/0"
IP_ADDRESS_TYPES = ("ipv4", "dualstack", "ipv6")

# (protocol, fromPort, toPort) of the rules AWS opens on a new instance, by kind of blueprint.
_LINUX = (("tcp", 22, 22), ("tcp", 80, 80))
_STACK = _LINUX + (("tcp", 443, 443),)
_WINDOWS = _LINUX + (("tcp", 3389, 3389),)
_DNS = (("tcp", 53, 53), ("udp", 53, 53))
_CPANEL = _STACK + _DNS + tuple(("tcp", p, p) for p in (2078, 2083, 2087, 2089))
_PLESK = _STACK + _DNS + (("tcp", 8443, 8443), ("tcp", 8447, 8447))


@dataclass(frozen=True)
class Blueprint:
    """What an instance's blueprint decides: its name, platform, login user and default rules."""

    blueprint_id: str
    name: str
    platform: str
    username: str
    ports: tuple


BLUEPRINTS = {
    bp.blueprint_id: bp
    for bp in (
        Blueprint("ubuntu_22_04", "Ubuntu", "LINUX_UNIX", "ubuntu", _LINUX),
        Blueprint("ubuntu_24_04", "Ubuntu", "LINUX_UNIX", "ubuntu", _LINUX),
        Blueprint("debian_12", "Debian", "LINUX_UNIX", "admin", _LINUX),
        Blueprint("amazon_linux_2023", "Amazon Linux 2023", "LINUX_UNIX", "ec2-user", _LINUX),
        Blueprint("almalinux_9", "AlmaLinux OS 9", "LINUX_UNIX", "ec2-user", _LINUX),
        Blueprint("wordpress", "WordPress", "LINUX_UNIX", "bitnami", _STACK),
        Blueprint("lamp_8_bitnami", "LAMP (PHP 8)", "LINUX_UNIX", "bitnami", _STACK),
        Blueprint("nginx", "Nginx", "LINUX_UNIX", "bitnami", _STACK),
        Blueprint("nodejs", "Node.js", "LINUX_UNIX", "bitnami", _STACK),
        Blueprint("windows_server_2022", "Windows Server 2022", "WINDOWS", "Administrator", _WINDOWS),
        Blueprint("windows_server_2019", "Windows Server 2019", "WINDOWS", "Administrator", _WINDOWS),
        Blueprint("cpanel_whm_linux", "cPanel & WHM for Linux", "LINUX_UNIX", "centos", _CPANEL),
        Blueprint("plesk_ubuntu", "Plesk Hosting Stack on Ubuntu", "LINUX_UNIX", "ubuntu", _PLESK),
    )
}


@dataclass
class Rule:
    """One firewall rule; Lightsail identifies it by (protocol, fromPort, toPort)."""

    protocol: str
    from_port: int
    to_port: int
    cidrs: list[str] = field(default_factory=list)
    ipv6_cidrs: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    access_type: str = "public"
    access_from: str | None = None  # GetInstance's accessFrom; None: derived from the sources
    common_name: str = ""

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.protocol, self.from_port, self.to_port)

    @property
    def public(self) -> bool:
        return self.access_type == "public"

    def sources(self) -> int:
        return len(self.cidrs) + len(self.ipv6_cidrs) + len(self.aliases)

    def to_dict(self) -> dict:
        """portStates-shaped, plus accessType: the raw stored form (admin view)."""
        return {
            "fromPort": self.from_port,
            "toPort": self.to_port,
            "protocol": self.protocol,
            "state": "open",
            "cidrs": list(self.cidrs),
            "ipv6Cidrs": list(self.ipv6_cidrs),
            "cidrListAliases": list(self.aliases),
            "accessType": self.access_type,
        }

    @classmethod
    def from_dict(cls, data: dict, ip_address_type: str = "dualstack") -> Rule:
        """Build a rule from a portStates/portInfo-shaped dict (accessType, accessFrom, commonName optional).
        A public rule that names no sources is open to every address."""
        access_type = str(data.get("accessType", "public")).lower()
        world = access_type == "public" and not any(k in data for k in ("cidrs", "ipv6Cidrs", "cidrListAliases"))
        protocol = str(data["protocol"]).lower()
        return cls(
            protocol="all" if protocol == "-1" else protocol,
            from_port=int(data.get("fromPort", 0)),
            to_port=int(data.get("toPort", 65535)),
            cidrs=[WORLD_V4] if world else list(data.get("cidrs", [])),
            ipv6_cidrs=world_v6(ip_address_type) if world else list(data.get("ipv6Cidrs", [])),
            aliases=list(data.get("cidrListAliases", [])),
            access_type=access_type,
            access_from=data.get("accessFrom"),
            common_name=str(data.get("commonName", "")),
        )


def world_v6(ip_address_type: str) -> list[str]:
    """IPv6 sources of an 'every address' rule: ::/0 only where the instance has IPv6."""
    return [WORLD_V6] if ip_address_type != "ipv4" else []


def default_rules(blueprint_id: str, ip_address_type: str = "dualstack") -> list[Rule]:
    """The rules AWS opens on a new instance of this blueprint, each from every address."""
    blueprint = blueprint_for(blueprint_id)
    return [Rule(p, lo, hi, [WORLD_V4], world_v6(ip_address_type)) for p, lo, hi in blueprint.ports]


def blueprint_for(blueprint_id: str) -> Blueprint:
    try:
        return BLUEPRINTS[blueprint_id]
    except KeyError:
        raise ValueError("unknown blueprint %r (known: %s)" % (blueprint_id, ", ".join(sorted(BLUEPRINTS)))) from None


@dataclass
class Instance:
    """A running Lightsail instance and its firewall."""

    name: str
    region: str
    blueprint: Blueprint
    ip_address_type: str
    index: int
    tags: list[dict] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    bundle_id: str = "small_3_0"
    created_at: float = field(default_factory=time.time)

    @property
    def availability_zone(self) -> str:
        return self.region + "a"

    @property
    def arn(self) -> str:
        digest = hashlib.sha1(("%s/%s" % (self.region, self.name)).encode()).hexdigest()
        uid = "-".join((digest[:8], digest[8:12], digest[12:16], digest[16:20], digest[20:32]))
        return "arn:aws:lightsail:%s:%s:Instance/%s" % (self.region, ACCOUNT_ID, uid)

    @property
    def public_ip(self) -> str:
        return "3.%d.%d.%d" % (80 + self.index // 65536 % 100, self.index // 256 % 256, self.index % 256)

    @property
    def private_ip(self) -> str:
        return "172.26.%d.%d" % (self.index // 256 % 256, self.index % 256)

    @property
    def ipv6_addresses(self) -> list[str]:
        if self.ip_address_type == "ipv4":
            return []
        return ["2600:1f18:4c3:a600:0:0:%x:%x" % (self.index // 65536, self.index % 65536)]

    def public_rules(self) -> list[Rule]:
        return [r for r in self.rules if r.public]

    def find_rule(self, key: tuple[str, int, int]) -> Rule | None:
        return next((r for r in self.rules if r.public and r.key == key), None)

    def to_dict(self) -> dict:
        """Full state dump (admin view), including private rules."""
        return {
            "name": self.name,
            "region": self.region,
            "arn": self.arn,
            "blueprintId": self.blueprint.blueprint_id,
            "blueprintName": self.blueprint.name,
            "platform": self.blueprint.platform,
            "bundleId": self.bundle_id,
            "state": "running",
            "publicIpAddress": self.public_ip,
            "privateIpAddress": self.private_ip,
            "ipv6Addresses": self.ipv6_addresses,
            "ipAddressType": self.ip_address_type,
            "tags": [dict(t) for t in self.tags],
            "createdAt": self.created_at,
            "location": {"availabilityZone": self.availability_zone, "regionName": self.region},
            "rules": [r.to_dict() for r in self.rules],
        }


class Fleet:
    """Every instance the fake knows, keyed by (region, name). Hold `lock` across read-modify-write."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._instances: dict[tuple[str, str], Instance] = {}
        self._next_index = 1

    def clear(self) -> None:
        with self.lock:
            self._instances.clear()
            self._next_index = 1

    def get(self, region: str, name: str) -> Instance:
        """The instance, or the NotFoundException AWS answers."""
        instance = self._instances.get((region, name))
        if instance is None:
            raise not_found("Instance", name)
        return instance

    def in_region(self, region: str) -> list[Instance]:
        with self.lock:
            return [i for key, i in self._instances.items() if key[0] == region]

    def all(self) -> list[Instance]:
        with self.lock:
            return list(self._instances.values())

    def seed_instance(
        self,
        name: str,
        blueprint: str = "ubuntu_22_04",
        region: str = "us-east-1",
        ip_address_type: str = "dualstack",
        tags: dict | list | None = None,
        ports: list[dict] | None = None,
        extra_ports: list[dict] | None = None,
        bundle_id: str = "small_3_0",
    ) -> Instance:
        """Add (or replace) an instance. ports=None gives the blueprint's default rules;
        extra_ports are added on top. Port dicts are portStates-shaped; sources default to every address."""
        if ip_address_type not in IP_ADDRESS_TYPES:
            raise ValueError("ip_address_type must be one of %s" % (IP_ADDRESS_TYPES,))
        bp = blueprint_for(blueprint)
        if ports is None:
            rules = default_rules(blueprint, ip_address_type)
        else:
            rules = [Rule.from_dict(p, ip_address_type) for p in ports]
        rules.extend(Rule.from_dict(p, ip_address_type) for p in extra_ports or ())
        with self.lock:
            instance = Instance(name, region, bp, ip_address_type, self._next_index, _tag_list(tags), rules, bundle_id)
            self._next_index += 1
            self._instances[(region, name)] = instance
        return instance

    def seed_fleet(self, count: int, region: str = "us-east-1", prefix: str = "node", blueprint: str = "ubuntu_22_04",
                   ip_address_type: str = "dualstack") -> list[Instance]:
        """Seed `count` instances named PREFIX-0001... with default rules."""
        width = max(4, len(str(count)))
        return [
            self.seed_instance("%s-%0*d" % (prefix, width, n), blueprint, region, ip_address_type)
            for n in range(1, count + 1)
        ]

    def set_rules(self, region: str, name: str, rules: list[dict]) -> Instance:
        """Replace an instance's rules (public and private) directly, for test setup."""
        with self.lock:
            instance = self.get(region, name)
            instance.rules = [Rule.from_dict(r, instance.ip_address_type) for r in rules]
            return instance


def _tag_list(tags: dict | list | None) -> list[dict]:
    if not tags:
        return []
    if isinstance(tags, dict):
        return [{"key": k, "value": v} for k, v in tags.items()]
    return [dict(t) for t in tags]
