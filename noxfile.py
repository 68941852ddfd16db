"""nox sessions of seed.lightsail, declared in antsibull-nox.toml: ``$VENV/bin/nox -e ansible-lint docs-check build-import-check``.

Nothing here talks to Galaxy: the dependency collections (amazon.aws for the doc fragments and module_defaults
groups) come from the venv nox runs in (``VENV``, by default nox's own), through the tree
tools/collection_tree.py links. ANSIBLE_COLLECTIONS_PATH serves antsibull-nox's search for them; PYTHONPATH
serves galaxy-importer's ansible-doc, which replaces ANSIBLE_COLLECTIONS_PATH with the tarball's install
directory and then finds amazon.aws on sys.path, as in a venv with the ``ansible`` package.
"""

import os
import sys

import antsibull_nox

ROOT = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
import collection_tree  # noqa: E402  pylint: disable=wrong-import-position

COLLECTIONS = collection_tree.ensure_live(collection_tree.venv_site_packages(os.environ.get('VENV') or sys.prefix))
os.environ.update(
    ANSIBLE_COLLECTIONS_PATH=COLLECTIONS,
    PYTHONPATH=COLLECTIONS,
    # ansible's and ansible-lint's caches stay in the clone
    ANSIBLE_HOME=os.path.join(ROOT, '.tmp', 'ansible-home'),
    XDG_CACHE_HOME=os.path.join(ROOT, '.tmp', 'cache'),
    NO_COLOR='1',
)

antsibull_nox.load_antsibull_nox_toml()
