"""Repo-wide pytest setup: make ``ansible_collections.seed.lightsail`` importable under plain pytest.

At import (before any plugin's pytest_configure, in the controller and in every xdist worker) this
builds the live tree <repo>/.tmp/collections -- seed/lightsail is a symlink to this repo, amazon/aws,
community/aws and ansible/posix link to the running interpreter's site-packages (see
tools/collection_tree.py) -- and puts it first in ANSIBLE_COLLECTIONS_PATH and on sys.path.
pytest.ini passes --ansible-unit-inject-only, so pytest-ansible then installs ansible's collection
loader for exactly that path (and does not build its own collections/ symlink farm in the repo).
"""

from __future__ import annotations

import importlib.util
import os
import sys

from hypothesis import settings

ROOT = os.path.dirname(os.path.abspath(__file__))


def _collection_tree():
    """Load tools/collection_tree.py (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location('_seed_lightsail_collection_tree', os.path.join(ROOT, 'tools', 'collection_tree.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _setup_collections():
    """Build the live tree and expose it to this process and its children."""
    search = [path for path in sys.path if path and os.path.isdir(path)]
    collections_root = _collection_tree().ensure_live(search)
    current = [path for path in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep) if path and path != collections_root]
    os.environ['ANSIBLE_COLLECTIONS_PATH'] = os.pathsep.join([collections_root] + current)
    if collections_root not in sys.path:
        sys.path.insert(0, collections_root)


_setup_collections()

# No per-example deadline: a loaded 2-core CI machine must not turn slowness into failures.
settings.register_profile("seed-lightsail", deadline=None)
settings.load_profile("seed-lightsail")
