"""GetInstance(s) entries and networking.ports entries in the API's shape, for the tests of what is read from them."""


def api_instance(name="web-1", region="us-east-1", state="running", tags=None, ports=None, public_ip="3.80.0.1",
                 private_ip="172.26.0.1", blueprint="ubuntu_22_04", blueprint_name="Ubuntu", ipv6=("2600:1f18::1",)):
    """A GetInstances entry as the API returns it."""
    return {
        "name": name,
        "arn": "arn:aws:lightsail:%s:123456789012:Instance/%s" % (region, name),
        "location": {"availabilityZone": region + "a", "regionName": region},
        "blueprintId": blueprint,
        "blueprintName": blueprint_name,
        "bundleId": "small_3_0",
        "ipAddressType": "dualstack" if ipv6 else "ipv4",
        "publicIpAddress": public_ip,
        "privateIpAddress": private_ip,
        "ipv6Addresses": list(ipv6),
        "state": {"code": 16, "name": state},
        "tags": [{"key": key, "value": value} for key, value in (tags or {}).items()],
        "networking": {"ports": ports if ports is not None else []},
    }


def api_port(protocol, from_port, to_port, cidrs=(), ipv6=(), aliases=(), access_type="public", **extra):
    entry = {"protocol": protocol, "fromPort": from_port, "toPort": to_port, "cidrs": list(cidrs), "ipv6Cidrs": list(ipv6),
             "cidrListAliases": list(aliases), "accessType": access_type, "accessDirection": "inbound"}
    entry.update(extra)
    return entry
