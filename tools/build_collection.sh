#!/usr/bin/env bash
# Build the seed.lightsail collection tarball, check what it ships, and run galaxy-importer on it.
#
#   tools/build_collection.sh            build + content check + galaxy-importer
#   IMPORTER=0 tools/build_collection.sh build + content check only
#
#   VENV=...        venv with ansible-core and galaxy-importer (default: <repo>/.venv; bootstrapped
#                   unless SKIP_BOOTSTRAP=1)
#   DIST=...        output directory of the tarball (default: the repo root, as ansible-galaxy does)
#   IMPORTER_WORK=... galaxy-importer's scratch directory (default: <repo>/.tmp/galaxy-importer)
#
# The tarball is <DIST>/seed-lightsail-<version>.tar.gz (make build). The content check fails when
# the tarball holds tests, benchmarks, local tooling, caches or build output, or lacks a file users
# need (every plugin, role and playbook file of the tree, meta/, docs/*.md, the changelog, README.md,
# requirements.txt, bindep.txt), or when MANIFEST.json does not carry galaxy.yml's version and the
# amazon.aws dependency.
#
# galaxy-importer (the checks Galaxy runs on upload) runs offline with the config written to
# <repo>/.tmp/galaxy-importer/galaxy-importer.cfg (GALAXY_IMPORTER_CONFIG): no ansible-test (it
# needs a container), ansible-doc on every plugin, ansible-lint --profile production --offline,
# changelog presence, required tags, version >= 1.0.0. Galaxy only logs most findings as warnings;
# this script fails on any WARNING or ERROR line, so the import is clean, not just accepted.
#
#   IMPORTER_LINT_TIMEOUT=1800  seconds galaxy-importer gives ansible-lint. galaxy-importer has a fixed
#                   180 s limit (galaxy_importer/loaders/collection.py, communicate(timeout=180); no
#                   galaxy-importer.cfg key for it as of 0.4.44), which a loaded machine exceeded once
#                   (load average 35 on 2 cores; ansible-lint takes ~25 s on an idle one). The importer
#                   is started through a small launcher that raises that limit, so the same ansible-lint
#                   command still runs in full; a run that still times out fails the build.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
DIST=${DIST:-$ROOT}
IMPORTER=${IMPORTER:-1}
start=$SECONDS

log() { printf 'build: %s\n' "$*"; }
die() { printf 'build: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ "${SKIP_BOOTSTRAP:-0}" != 1 ]]; then
    VENV=$VENV "$ROOT/tools/bootstrap.sh"
fi
export PATH=$VENV/bin:$PATH

[[ -f "$ROOT/README.md" ]] || die "README.md is missing (galaxy.yml names it as the readme)"
version=$("$VENV/bin/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$ROOT/galaxy.yml")
tarball=$DIST/seed-lightsail-$version.tar.gz

mkdir -p "$DIST"
rm -f "$DIST"/seed-lightsail-*.tar.gz
log "ansible-galaxy collection build (version $version)"
(cd "$ROOT" && ansible-galaxy collection build --force --output-path "$DIST" . </dev/null) | sed 's/^/build: /'
[[ -f "$tarball" ]] || die "ansible-galaxy did not write $tarball"

# What the tarball must and must not hold.
"$VENV/bin/python" - "$ROOT" "$tarball" <<'EOF'
import fnmatch
import json
import os
import subprocess
import sys
import tarfile

import yaml

root, tarball = sys.argv[1:3]
with tarfile.open(tarball) as tar:
    members = {m.name.rstrip('/'): m for m in tar.getmembers()}
    manifest = json.load(tar.extractfile('MANIFEST.json'))
names = set(members)
problems = []

# Never shipped: tests, benchmarks, local tooling, caches, build output.
FORBIDDEN = ('tests', 'benchmarks', 'tools', '.ci', '.git', '.tmp', '.ansible', '.venv*', '.pytest_cache',
             '.hypothesis', '__pycache__', '*.pyc', 'Makefile', 'conftest.py', 'pytest.ini', 'requirements-dev.txt',
             '.ansible-lint', '.yamllint', '.gitignore', 'collections', 'context', 'build', 'site',
             '.plugin-cache.yaml', '*.tar.gz', 'importer_result.json')
for name in sorted(names):
    for part in name.split('/'):
        if any(fnmatch.fnmatch(part, pattern) for pattern in FORBIDDEN):
            problems.append('must not ship: %s' % name)
            break

# Always shipped: the files users run or read. Files listed by git (tracked or new, not ignored)
# under these paths, so a new plugin, role file or playbook is checked without editing this list.
SHIPPED_DIRS = ('plugins', 'roles', 'playbooks', 'meta', 'changelogs')
SHIPPED_FILES = ('README.md', 'CHANGELOG.rst', 'requirements.txt', 'bindep.txt', 'MANIFEST.json', 'FILES.json')
listed = subprocess.run(['git', '-C', root, 'ls-files', '--cached', '--others', '--exclude-standard', '-z'],
                        check=True, capture_output=True).stdout.decode().split('\0')
expected = set(SHIPPED_FILES)
for path in filter(None, listed):
    if not os.path.isfile(os.path.join(root, path)):
        continue  # deleted in the work tree
    top = path.split('/', 1)[0]
    if top in SHIPPED_DIRS and not path.endswith('.plugin-cache.yaml'):
        expected.add(path)
    elif top == 'docs' and path.count('/') == 1 and path.endswith('.md'):
        expected.add(path)
for path in sorted(expected - names):
    problems.append('missing: %s' % path)
for required in ('plugins/modules', 'plugins/inventory', 'meta/runtime.yml', 'meta/execution-environment.yml',
                 'changelogs/changelog.yaml'):
    if required not in names:
        problems.append('missing: %s' % required)

galaxy = yaml.safe_load(open(os.path.join(root, 'galaxy.yml')))
info = manifest['collection_info']
if info['version'] != galaxy['version']:
    problems.append('MANIFEST.json version %s != galaxy.yml %s' % (info['version'], galaxy['version']))
if info['dependencies'] != galaxy.get('dependencies', {}) or 'amazon.aws' not in info['dependencies']:
    problems.append('MANIFEST.json dependencies %r (galaxy.yml: %r)' % (info['dependencies'], galaxy.get('dependencies')))

files = sorted(n for n, m in members.items() if m.isfile())
size = os.path.getsize(tarball)
print('build: tarball %s: %d files, %d KiB' % (os.path.basename(tarball), len(files), size // 1024))
for top in sorted({n.split('/', 1)[0] for n in files}):
    print('build:   %-24s %d' % (top, sum(1 for n in files if n.split('/', 1)[0] == top)))
if problems:
    sys.stdout.flush()
    print('build: content check FAILED:', file=sys.stderr)
    for problem in problems:
        print('build:   ' + problem, file=sys.stderr)
    sys.exit(1)
print('build: content check passed (%d required files present, nothing forbidden)' % len(expected))
EOF

if [[ "$IMPORTER" != 1 ]]; then
    log "galaxy-importer skipped (IMPORTER=0); $tarball in $((SECONDS - start))s"
    exit 0
fi

# galaxy-importer, offline, in a scratch directory (it writes importer_result.json to its cwd).
work=${IMPORTER_WORK:-$ROOT/.tmp/galaxy-importer}
rm -rf "$work"
mkdir -p "$work/ansible-tmp" "$work/tmp"
cat >"$work/galaxy-importer.cfg" <<EOF
[galaxy-importer]
LOG_LEVEL_MAIN = INFO
RUN_ANSIBLE_TEST = False
ANSIBLE_TEST_LOCAL_IMAGE = False
LOCAL_IMAGE_DOCKER = False
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_FLAKE8 = False
CHECK_CHANGELOG = True
CHECK_REQUIRED_TAGS = True
REQUIRE_V1_OR_GREATER = True
ANSIBLE_LOCAL_TMP = $work/ansible-tmp
TMP_ROOT_DIR = $work/tmp
EOF
command -v ansible-lint >/dev/null || die "ansible-lint not in $VENV"
"$VENV/bin/python" -c 'import galaxy_importer' 2>/dev/null || die "galaxy-importer not in $VENV (tools/bootstrap.sh installs requirements-dev.txt)"

# The launcher: galaxy-importer's own CLI (galaxy_importer.main), with the time limit of its
# ansible-lint call raised to IMPORTER_LINT_TIMEOUT. Everything else, the ansible-lint command
# included, is galaxy-importer's.
IMPORTER_LINT_TIMEOUT=${IMPORTER_LINT_TIMEOUT:-1800}
[[ "$IMPORTER_LINT_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "IMPORTER_LINT_TIMEOUT must be a number of seconds, not '$IMPORTER_LINT_TIMEOUT'"
cat >"$work/run_importer.py" <<'EOF'
"""galaxy-importer's CLI, with the time limit of its ansible-lint run raised to IMPORTER_LINT_TIMEOUT."""
import os
import subprocess
import sys

from galaxy_importer import main
from galaxy_importer.loaders import collection as loader

LIMIT = int(os.environ['IMPORTER_LINT_TIMEOUT'])


class Popen(subprocess.Popen):  # pylint: disable=abstract-method
    """subprocess.Popen whose communicate() waits at least LIMIT seconds when given a time limit."""

    def communicate(self, input=None, timeout=None):  # pylint: disable=redefined-builtin
        if timeout is not None:
            timeout = max(timeout, LIMIT)
        return super().communicate(input, timeout)


if getattr(loader, 'Popen', None) is subprocess.Popen:
    loader.Popen = Popen  # only the ansible-lint call uses Popen in this module
    print('ansible-lint time limit: %d s' % LIMIT)
else:
    # A galaxy-importer that no longer calls Popen there: run it as it is (its own limit applies).
    print('ansible-lint time limit: galaxy-importer default (launcher hook not found; see tools/build_collection.sh)')
sys.stdout.flush()
sys.exit(main.main())
EOF

log "galaxy-importer $("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("galaxy-importer"))') on $(basename "$tarball")"
rc=0
(
    cd "$work"
    # Keep ansible and ansible-lint caches out of $HOME.
    GALAXY_IMPORTER_CONFIG=$work/galaxy-importer.cfg ANSIBLE_HOME=$work/ansible-home XDG_CACHE_HOME=$work/cache \
        IMPORTER_LINT_TIMEOUT=$IMPORTER_LINT_TIMEOUT "$VENV/bin/python" "$work/run_importer.py" "$tarball" </dev/null
) >"$work/importer.log" 2>&1 || rc=$?
sed 's/^/importer: /' "$work/importer.log"
if grep -q 'Timeout on call to ansible-lint' "$work/importer.log"; then
    die "galaxy-importer's ansible-lint run took over ${IMPORTER_LINT_TIMEOUT}s and was killed (machine overloaded? IMPORTER_LINT_TIMEOUT raises the limit)"
fi
if ((rc != 0)) || ! grep -q '^Importer processing completed successfully' "$work/importer.log"; then
    die "galaxy-importer rejected $(basename "$tarball") (rc=$rc; log $work/importer.log)"
fi
findings=$(grep -cE '^(WARNING|ERROR|CRITICAL):' "$work/importer.log" || true)
if ((findings > 0)); then
    die "galaxy-importer accepted the tarball with $findings finding(s) above (WARNING/ERROR lines); fix them"
fi
log "galaxy-importer accepted $(basename "$tarball") with no findings"
log "done in $((SECONDS - start))s: $tarball"
