"""pytest fixtures: a fresh fake Lightsail service per test, its admin client, env and a boto3 client."""

from __future__ import annotations

import pytest

from .admin import AdminClient
from .server import LightsailService


@pytest.fixture
def lightsail_service():
    """A started LightsailService with default credentials and no instances; stopped after the test."""
    with LightsailService() as service:
        yield service


@pytest.fixture
def lightsail_admin(lightsail_service) -> AdminClient:  # pylint: disable=redefined-outer-name
    return AdminClient(lightsail_service.url)


@pytest.fixture
def lightsail_env(lightsail_service) -> dict:  # pylint: disable=redefined-outer-name
    """Environment for subprocesses: AWS_URL, AWS_REGION=us-east-1, the access key and secret; no profile, no token."""
    return lightsail_service.env()


@pytest.fixture
def lightsail_client(lightsail_service):  # pylint: disable=redefined-outer-name
    """A boto3 Lightsail client for us-east-1 pointed at the service, retries off (errors surface as they come)."""
    return lightsail_service.client()
