from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.seed.lightsail.plugins.module_utils._base import COLLECTION_NAME
from ansible_collections.seed.lightsail.plugins.module_utils._base import COLLECTION_VERSION

GALAXY_YML = Path(__file__).resolve().parents[4] / "galaxy.yml"


def test_the_user_agent_names_the_collection_as_galaxy_yml_does():
    """base.py repeats galaxy.yml's namespace, name and version (amazon.aws puts them in the user agent)."""
    galaxy = yaml.safe_load(GALAXY_YML.read_text())
    assert COLLECTION_NAME == "%s.%s" % (galaxy["namespace"], galaxy["name"])
    assert COLLECTION_VERSION == galaxy["version"], "bump COLLECTION_VERSION in plugins/module_utils/_base.py with galaxy.yml"
