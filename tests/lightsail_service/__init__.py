"""A local fake of the AWS Lightsail API (JSON 1.1 over HTTP on 127.0.0.1) for tests.

    with LightsailService() as service:
        service.seed_instance("web-1", blueprint="ubuntu_22_04")
        client = service.client()              # boto3, endpoint_url=service.url
        service.admin.write_calls()            # what the code under test changed
"""

from __future__ import annotations

from .admin import AdminClient, AdminError
from .auth import DEFAULT_CREDENTIALS, Credentials
from .faults import FaultInjector
from .fleet import BLUEPRINTS, Fleet, Rule, default_rules
from .operations import Behaviour
from .server import CallLog, LightsailService, make_client

__all__ = [
    "AdminClient",
    "AdminError",
    "BLUEPRINTS",
    "Behaviour",
    "CallLog",
    "Credentials",
    "DEFAULT_CREDENTIALS",
    "DEMO_REGION",
    "FaultInjector",
    "Fleet",
    "LightsailService",
    "Rule",
    "default_rules",
    "make_client",
    "seed_demo",
]


DEMO_REGION = "eu-west-1"  # the region of docs/recipes.md, make demo and make sandbox


def seed_demo(target: LightsailService | AdminClient) -> None:
    """A small mixed fleet: five instances in eu-west-1 (the instances docs/recipes.md names), two in us-east-1."""
    region = DEMO_REGION
    target.seed_instance("web-1", blueprint="ubuntu_22_04", region=region, ip_address_type="dualstack", tags={"role": "web"})
    target.seed_instance("web-2", blueprint="wordpress", region=region, ip_address_type="ipv4", tags={"role": "web"})
    target.seed_instance("win-1", blueprint="windows_server_2022", region=region, ip_address_type="dualstack")
    target.seed_instance("cpanel-1", blueprint="cpanel_whm_linux", region=region, ip_address_type="ipv4")
    target.seed_instance("db-1", blueprint="ubuntu_22_04", region=region, ip_address_type="dualstack", tags={"role": "db"},
                         extra_ports=[{"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrs": ["0.0.0.0/0"]}])
    target.seed_instance("us-web-1", blueprint="ubuntu_22_04", region="us-east-1")
    target.seed_instance("us-plesk-1", blueprint="plesk_ubuntu", region="us-east-1", ip_address_type="ipv4")
