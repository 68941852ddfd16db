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
    "FaultInjector",
    "Fleet",
    "LightsailService",
    "Rule",
    "default_rules",
    "make_client",
    "seed_demo",
]


def seed_demo(target: LightsailService | AdminClient) -> None:
    """A small mixed fleet: five instances in us-east-1, two in eu-west-1."""
    target.seed_instance("web-1", blueprint="ubuntu_22_04", ip_address_type="dualstack", tags={"role": "web"})
    target.seed_instance("web-2", blueprint="wordpress", ip_address_type="ipv4", tags={"role": "web"})
    target.seed_instance("win-1", blueprint="windows_server_2022", ip_address_type="dualstack")
    target.seed_instance("cpanel-1", blueprint="cpanel_whm_linux", ip_address_type="ipv4")
    target.seed_instance("db-1", blueprint="ubuntu_22_04", ip_address_type="dualstack", tags={"role": "db"},
                         extra_ports=[{"protocol": "tcp", "fromPort": 3306, "toPort": 3306, "cidrs": ["0.0.0.0/0"]}])
    target.seed_instance("eu-web-1", blueprint="ubuntu_22_04", region="eu-west-1")
    target.seed_instance("eu-plesk-1", blueprint="plesk_ubuntu", region="eu-west-1", ip_address_type="ipv4")
