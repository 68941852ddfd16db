# Sphinx configuration of the seed.lightsail docs site.
#
# Started from `antsibull-docs sphinx-init --use-current --squash-hierarchy seed.lightsail`
# (antsibull-docs 2.28.0); changed for this repo:
# * the site is built by tools/build_docs.sh (make docs) from a staging tree in .tmp/docs/src,
#   into docs/build/html;
# * myst-parser renders the user guide (docs/*.md) next to the generated plugin reference;
# * offline by default: intersphinx reads a local inventory generated from
#   docs/site/intersphinx/ansible_devel.txt (the few Ansible docs labels the generated pages
#   link to), so no inventory is downloaded. SEED_DOCS_INTERSPHINX=online fetches the real
#   inventories instead (for publishing, where the network allows).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

import os

project = 'seed.lightsail'
copyright = 'seed.lightsail contributors'

title = 'seed.lightsail'
html_short_title = 'seed.lightsail'

extensions = ['sphinx.ext.autodoc', 'sphinx.ext.intersphinx', 'sphinx_antsibull_ext', 'myst_parser']

source_suffix = {'.rst': 'restructuredtext', '.md': 'markdown'}
# Anchors for `[text](page.md#a-heading)` links between guide pages.
myst_heading_anchors = 3

pygments_style = 'ansible'

highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False

display_version = False

html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/devel/'
if os.environ.get('SEED_DOCS_INTERSPHINX') == 'online':
    intersphinx_mapping = {
        'python3': ('https://docs.python.org/3/', None),
        'jinja2': ('https://jinja.palletsprojects.com/', None),
        'ansible_devel': (ANSIBLE_DOCS, None),
    }
else:
    # Written by tools/build_docs.sh; Sphinx reads it and never goes to the network.
    intersphinx_mapping = {
        'ansible_devel': (ANSIBLE_DOCS, os.environ.get('SEED_DOCS_OFFLINE_INVENTORY', 'ansible_devel.inv')),
    }

default_role = 'any'

nitpicky = True
