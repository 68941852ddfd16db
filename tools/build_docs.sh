#!/usr/bin/env bash
# Build the seed.lightsail docs site offline: antsibull-docs reference pages for every plugin,
# module and role of the collection, the user guide (docs/*.md), and a playbooks page, rendered
# with Sphinx into docs/build/html (gitignored). make docs.
#
#   VENV=...        venv with antsibull-docs, sphinx, sphinx-ansible-theme, myst-parser
#                   (default: <repo>/.venv; bootstrapped unless SKIP_BOOTSTRAP=1)
#   DOCS_OUT=...    output directory (default: <repo>/docs/build)
#   DOCS_WORK=...   staging directory (default: <repo>/.tmp/docs)
#   SEED_DOCS_INTERSPHINX=online   fetch the real intersphinx inventories (needs the network)
#
# Strict: antsibull-docs --fail-on-error (a plugin whose documentation does not parse or validate
# fails) and sphinx-build -W -n (every warning, every unresolved reference fails). Sources are
# staged in <repo>/.tmp/docs/src (DOCS_WORK) so the repo is never written to except docs/build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
DOCS_OUT=${DOCS_OUT:-$ROOT/docs/build}
SITE=$ROOT/docs/site
WORK=${DOCS_WORK:-$ROOT/.tmp/docs}
SRC=$WORK/src
start=$SECONDS

log() { printf 'docs: %s\n' "$*"; }
die() { printf 'docs: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ "${SKIP_BOOTSTRAP:-0}" != 1 ]]; then
    VENV=$VENV "$ROOT/tools/bootstrap.sh"
fi
export PATH=$VENV/bin:$PATH
for tool in antsibull-docs sphinx-build; do
    command -v "$tool" >/dev/null || die "$tool not in $VENV (tools/bootstrap.sh installs requirements-dev.txt)"
done

# The collection and its dependencies (amazon.aws for the doc fragments) for ansible-doc.
ANSIBLE_COLLECTIONS_PATH=$("$VENV/bin/python" "$ROOT/tools/collection_tree.py" live --venv "$VENV")
export ANSIBLE_COLLECTIONS_PATH
export ANSIBLE_HOME=$ROOT/.tmp/ansible-home

rm -rf "$SRC"
mkdir -p "$SRC/collection" "$SRC/guide"
chmod 700 "$SRC/collection" # antsibull-docs wants its destination writable by its owner only

log "antsibull-docs $(antsibull-docs --version 2>/dev/null | awk '{print $NF}'): reference pages for seed.lightsail"
antsibull-docs --config-file "$SITE/antsibull-docs.cfg" collection \
    --cleanup everything --fail-on-error --use-current --squash-hierarchy \
    --dest-dir "$SRC/collection" seed.lightsail </dev/null

# User guide: docs/*.md in reading order (pages not listed here follow, sorted), plus the
# playbooks page generated from the playbooks' header comments.
ORDER=(index concepts recipes access awx baselines inventory reliability benchmarks)
pages=()
for page in "${ORDER[@]}"; do
    [[ -f "$ROOT/docs/$page.md" ]] && pages+=("$page")
done
shopt -s nullglob
for path in "$ROOT"/docs/*.md; do
    page=$(basename "$path" .md)
    [[ " ${ORDER[*]} " == *" $page "* ]] || pages+=("$page")
done
shopt -u nullglob
for page in "${pages[@]}"; do
    cp "$ROOT/docs/$page.md" "$SRC/guide/$page.md"
done

"$VENV/bin/python" - "$ROOT" "$SRC/guide/playbooks.md" <<'EOF'
"""Write the playbooks page: each playbooks/*.yml with its header comment and plays."""
import glob
import os
import sys

import yaml

root, out = sys.argv[1:3]
lines = [
    '# Playbooks',
    '',
    'The collection ships these playbooks. Run them by their FQCN, from any directory:',
    '`ansible-playbook seed.lightsail.NAME ...`. Each one includes the role',
    '`seed.lightsail.firewall_baseline` (its options are in the reference section).',
    '',
]
for path in sorted(glob.glob(os.path.join(root, 'playbooks', '*.yml')) + glob.glob(os.path.join(root, 'playbooks', '*.yaml'))):
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path) as handle:
        text = handle.read()
    header = []
    for line in text.splitlines():
        if line.strip() == '---' and not header:
            continue
        if not line.startswith('#'):
            break
        header.append(line[2:] if line.startswith('# ') else line[1:])
    plays = yaml.safe_load(text) or []
    lines += ['## seed.lightsail.%s' % name, '']
    for play in plays:
        if isinstance(play, dict) and play.get('name'):
            lines += ['Play: *%s*' % play['name'], '']
    if header:
        lines += ['```text'] + [h.rstrip() for h in header] + ['```', '']
print('docs: playbooks page: %d playbook(s)' % sum(1 for line in lines if line.startswith('## ')))
with open(out, 'w') as handle:
    handle.write('\n'.join(lines).rstrip() + '\n')
EOF
pages+=(playbooks)

toc=$(printf '   guide/%s\\n' "${pages[@]}")
sed "s|^@GUIDE_PAGES@\$|${toc%\\n}|" "$SITE/rst/index.rst" >"$SRC/index.rst"
log "guide pages: ${pages[*]}"

# Offline intersphinx inventory from docs/site/intersphinx/ansible_devel.txt.
"$VENV/bin/python" - "$SITE/intersphinx/ansible_devel.txt" "$WORK/ansible_devel.inv" <<'EOF'
import sys
import zlib

source, target = sys.argv[1:3]
entries = []
with open(source) as handle:
    for line in handle:
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        name, role, uri, display = line.split(None, 3)
        entries.append('%s %s %s %s %s\n' % (name, role, '-1' if role == 'std:label' else '1', uri, display))
header = b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n# The remainder of this file is compressed using zlib.\n'
with open(target, 'wb') as handle:
    handle.write(header + zlib.compress(''.join(entries).encode()))
EOF
export SEED_DOCS_OFFLINE_INVENTORY=$WORK/ansible_devel.inv

log "sphinx-build -W -n -> $DOCS_OUT/html"
rm -rf "$DOCS_OUT"
sphinx-build -b html -c "$SITE" -d "$WORK/doctrees" -W -n --keep-going -q "$SRC" "$DOCS_OUT/html" </dev/null \
    || die "sphinx-build failed (warnings are errors); sources staged in $SRC"

count=$(find "$DOCS_OUT/html" -name '*.html' | wc -l)
log "site built in $((SECONDS - start))s: $count HTML pages, open $DOCS_OUT/html/index.html"
