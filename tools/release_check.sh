#!/usr/bin/env bash
# Release readiness check (make release-check): everything `make docs`, `make changelog`, `make ee`
# and `make build` produce is produced again, into <repo>/.tmp/release, and checked. Offline (PyPI
# only for the bootstrap); about 3 minutes on 2 cores. Never writes outside .tmp/ (or RELEASE_OUT). A stage of
# `make test` (tools/test.sh STAGES=release), so CI runs it too.
#
#   tools/release_check.sh [STAGE...]   stages: changelog docs_check docs build ee recipes matrix (default: all;
#                                       recipes only while pytest.ini's testpaths leave out tests/release)
#   VENV=...             venv (default: <repo>/.venv; bootstrapped unless SKIP_BOOTSTRAP=1)
#   RELEASE_JOBS=2       stages run this many at a time (1: one after another)
#   RELEASE_OUT=...      output and logs (default: <repo>/.tmp/release; emptied first); under .tmp/ or
#                        outside the repo, so runs in one tree at the same time can each have their own
#
# changelog  fragments lint; changelogs/changelog.yaml lints (--strict); `make changelog` run on a
#            copy of the tree changes neither changelog.yaml nor CHANGELOG.rst (so every module,
#            plugin and role with version_added = galaxy.yml's version, and every fragment, is in
#            them); CHANGELOG.rst has the galaxy.yml version.
# docs_check antsibull-nox's docs-check: antsibull-docs lint-collection-docs (plugin and role docs valid,
#            references into this collection and amazon.aws resolve).
# docs       tools/build_docs.sh (antsibull-docs --fail-on-error, sphinx -W -n) builds the site, and it
#            has a page for every module, plugin and role of the tree, the user guide pages and the
#            playbooks page.
# build      antsibull-nox's build-import-check (ansible-galaxy collection build, galaxy-importer with
#            galaxy-importer.cfg), failing on any importer finding; tools/check_tarball.py: the tarball
#            ships no tests, benchmarks or tooling, has every file users need, and galaxy-importer read
#            the documentation of every module and plugin.
# ee         tools/ee_context.sh: ansible-builder create writes a context whose requirements name
#            boto3 and botocore, and introspection finds them through seed.lightsail and amazon.aws.
# recipes    pytest tests/release: every playbook of docs/recipes.md runs against the test service
#            (check mode writes nothing, the firewall ends up as the recipe says, a second run changes
#            nothing), and every playbook example of the guide passes --syntax-check.
# matrix     tools/matrix.sh parses, and its versions agree with meta/runtime.yml and the EE's
#            ansible-core range (running the matrix itself takes ~30 min: make matrix / CI).
#
# Ends with one line per stage and "release_check: N passed, N failed".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
export VENV
RELEASE_JOBS=${RELEASE_JOBS:-2}
OUT=${RELEASE_OUT:-$ROOT/.tmp/release}
case "$OUT" in /*) ;; *) OUT=$ROOT/$OUT ;; esac
case "$OUT/" in
    "$ROOT/.tmp/"?*) ;;
    "$ROOT/"*) echo "RELEASE_OUT must be under $ROOT/.tmp or outside the repo (the changelog stage copies the tree)" >&2; exit 2 ;;
esac
ALL_STAGES=(changelog docs_check docs build ee recipes matrix)
stages=("$@")
if ((${#stages[@]} == 0)); then
    stages=("${ALL_STAGES[@]}")
    # When the main pytest run already collects tests/release, do not run it twice.
    if grep -Eq '^testpaths *=.*tests/release' "$ROOT/pytest.ini"; then
        stages=(changelog docs_check docs build ee matrix)
    fi
fi
for stage in "${stages[@]}"; do
    [[ " ${ALL_STAGES[*]} " == *" $stage "* ]] || { echo "usage: $0 [${ALL_STAGES[*]}]" >&2; exit 2; }
done
start=$SECONDS

if [[ "${SKIP_BOOTSTRAP:-0}" != 1 ]]; then
    "$ROOT/tools/bootstrap.sh"
fi
export SKIP_BOOTSTRAP=1
export PATH=$VENV/bin:$PATH
PY=$VENV/bin/python
rm -rf "$OUT"
mkdir -p "$OUT/logs"

version=$("$PY" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["version"])' "$ROOT/galaxy.yml")

# An antsibull-nox session of noxfile.py. -R: a venv left in <repo>/.nox by an earlier run is used as it is
# (after a change of antsibull-nox.toml's packages: rm -rf .nox).
run_nox() {
    "$VENV/bin/nox" -f "$ROOT/noxfile.py" -R --download-python never --nocolor -e "$@"
}

# What the tree holds: "<type> <name>" for every module, plugin and role.
list_content() {
    "$PY" - "$ROOT" <<'EOF'
import glob
import os
import sys

root = sys.argv[1]
for path in sorted(glob.glob(os.path.join(root, 'plugins', '*', '*.py')) + glob.glob(os.path.join(root, 'plugins', 'filter', '*.yml'))
                   + glob.glob(os.path.join(root, 'plugins', 'test', '*.yml'))):
    kind = os.path.basename(os.path.dirname(path))
    name = os.path.splitext(os.path.basename(path))[0]
    if kind in ('module_utils', 'doc_fragments', 'plugin_utils') or name.startswith('_') or name == '__init__':
        continue
    if kind == 'action':
        continue  # an action plugin is documented by the module of its name
    if kind in ('filter', 'test') and path.endswith('.py'):
        continue  # filter/test plugins are documented by their .yml files
    print(kind, name)
for path in sorted(glob.glob(os.path.join(root, 'roles', '*', 'meta', 'argument_specs.yml'))):
    print('role', path.split(os.sep)[-3])
EOF
}

# shellcheck disable=SC2329  # stages are called through run_stage
stage_changelog() {
    local copy=$OUT/changelog-tree/ansible_collections/seed/lightsail
    export ANSIBLE_COLLECTIONS_PATH ANSIBLE_HOME=$OUT/ansible-home
    ANSIBLE_COLLECTIONS_PATH=$("$PY" "$ROOT/tools/collection_tree.py" live --venv "$VENV")
    (cd "$ROOT" && antsibull-changelog lint)
    antsibull-changelog lint-changelog-yaml --strict "$ROOT/changelogs/changelog.yaml"
    [[ -f "$ROOT/CHANGELOG.rst" ]] || { echo "CHANGELOG.rst is missing: run make changelog"; return 1; }
    grep -q "^v$version\$" "$ROOT/CHANGELOG.rst" || { echo "CHANGELOG.rst has no v$version section: run make changelog"; return 1; }
    # `make changelog` on a copy must be a no-op.
    rm -rf "$OUT/changelog-tree"
    "$PY" - "$ROOT" "$copy" <<'EOF'
import importlib.util
import os
import sys

root, copy = sys.argv[1:3]
spec = importlib.util.spec_from_file_location('collection_tree', os.path.join(root, 'tools', 'collection_tree.py'))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
os.makedirs(copy, exist_ok=True)
module.sync_copy(root, copy)
EOF
    rm -f "$copy/changelogs/.plugin-cache.yaml"
    # antsibull-changelog copies the files git lists; the copy sits inside this repo's ignored
    # .tmp/, so it gets a repository of its own (as tools/collection_tree.py does for ansible-test).
    git init --quiet "$copy"
    (cd "$copy" && antsibull-changelog release --reload-plugins)
    local stale=0 file
    for file in changelogs/changelog.yaml CHANGELOG.rst; do
        if ! diff -u "$ROOT/$file" "$copy/$file"; then
            echo "$file is not what make changelog writes (diff above: - committed, + regenerated)"
            stale=1
        fi
    done
    ((stale == 0)) || { echo "run make changelog"; return 1; }
    local missing=0 kind name
    while read -r kind name; do
        if ! grep -q "seed.lightsail.$name - " "$ROOT/CHANGELOG.rst"; then
            echo "CHANGELOG.rst does not list $kind $name (version_added: $version missing in its docs?)"
            missing=1
        fi
    done < <(list_content)
    ((missing == 0)) || return 1
    echo "changelog: fragments and changelog.yaml lint clean, CHANGELOG.rst current and lists every module, plugin and role"
}

# shellcheck disable=SC2329
stage_docs_check() {
    run_nox docs-check
}

# shellcheck disable=SC2329
stage_docs() {
    DOCS_OUT=$OUT/docs DOCS_WORK=$OUT/docs-work "$ROOT/tools/build_docs.sh"
    local html=$OUT/docs/html missing=0 kind name page
    while read -r kind name; do
        case "$kind" in
            modules) page=collection/${name}_module.html ;;
            role) page=collection/${name}_role.html ;;
            *) page=collection/${name}_${kind}.html ;;
        esac
        [[ -f "$html/$page" ]] || { echo "docs: no page $page for $kind $name"; missing=1; }
    done < <(list_content)
    for page in index collection/index guide/concepts guide/recipes guide/awx guide/playbooks; do
        [[ -f "$html/$page.html" ]] || { echo "docs: no page $page.html"; missing=1; }
    done
    ((missing == 0)) || return 1
    echo "docs: every module, plugin and role has a page; guide and playbooks pages present ($(find "$html" -name '*.html' | wc -l) pages)"
}

# shellcheck disable=SC2329
stage_build() {
    local built=$ROOT/.nox/build-import-check/tmp/collection findings
    rm -rf "$built"
    run_nox build-import-check | tee "$OUT/build-import-check.log"
    # antsibull-nox only warns about galaxy-importer's findings: here every one fails (Galaxy shows them).
    findings=$(grep -cE '^ *(WARNING|ERROR|CRITICAL):' "$OUT/build-import-check.log" || true)
    ((findings == 0)) || { echo "build: galaxy-importer reported $findings finding(s) above (WARNING/ERROR lines): fix them"; return 1; }
    "$PY" "$ROOT/tools/check_tarball.py" "$built/seed-lightsail-$version.tar.gz" "$built/importer_result.json"
}

# shellcheck disable=SC2329
stage_ee() {
    CONTEXT=$OUT/context EE_STAGE=$OUT/ee-stage "$ROOT/tools/ee_context.sh"
}

# shellcheck disable=SC2329
stage_recipes() {
    local xdist=(-n 2)
    [[ "${SERIAL:-0}" != 1 ]] || xdist=()
    (cd "$ROOT" && "$PY" -m pytest "${xdist[@]}" -q -p no:cacheprovider tests/release)
}

# shellcheck disable=SC2329
stage_matrix() {
    bash -n "$ROOT/tools/matrix.sh"
    "$PY" - "$ROOT" <<'EOF'
import os
import re
import sys

import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

root = sys.argv[1]
text = open(os.path.join(root, 'tools', 'matrix.sh')).read()
versions = re.search(r'MATRIX_VERSIONS=\$\{MATRIX_VERSIONS:-([0-9. ]+)\}', text).group(1).split()
runtime = yaml.safe_load(open(os.path.join(root, 'meta', 'runtime.yml')))
requires = SpecifierSet(runtime['requires_ansible'])
ee = yaml.safe_load(open(os.path.join(root, 'meta', 'execution-environment.yml')))
ee_core = SpecifierSet(ee['dependencies']['ansible_core']['package_pip'].replace('ansible-core', '', 1))
problems = []
for v in versions:
    if Version(v + '.0') not in requires:
        problems.append('matrix version %s is outside requires_ansible %s' % (v, requires))
    if Version(v + '.0') not in ee_core:
        problems.append('matrix version %s is outside the EE ansible-core range %s' % (v, ee_core))
minimum = [Version(s.version) for s in requires if s.operator == '>=']
lowest = min(Version(v + '.0') for v in versions)
if not minimum or lowest != min(minimum):
    problems.append('the lowest matrix version %s is not the minimum of requires_ansible %s' % (lowest, requires))
if problems:
    print('\n'.join(problems))
    sys.exit(1)
print('matrix: tools/matrix.sh runs ansible-core %s; meta/runtime.yml requires %s; the EE installs ansible-core%s'
      % (' '.join(versions), requires, ee_core))
EOF
}

declare -A status seconds
# Each stage runs in its own bash with errexit in force (inside `f || rc=$?` bash would ignore it).
export ROOT VENV PY OUT version
export -f run_nox list_content stage_changelog stage_docs_check stage_docs stage_build stage_ee stage_recipes stage_matrix
run_stage() { # name: runs stage_<name>, output to $OUT/logs/<name>.log
    local name=$1 t0=$SECONDS rc=0
    bash -euo pipefail -c "stage_$name" >"$OUT/logs/$name.log" 2>&1 </dev/null || rc=$?
    printf '%s %s\n' "$rc" $((SECONDS - t0)) >"$OUT/logs/$name.rc"
}

# The longest stages start first; the report below keeps the order of the command line.
schedule=()
for stage in recipes build docs docs_check changelog ee matrix; do
    [[ " ${stages[*]} " == *" $stage "* ]] && schedule+=("$stage")
done
for stage in "${schedule[@]}"; do
    run_stage "$stage" &
    while (($(jobs -rp | wc -l) >= RELEASE_JOBS)); do
        wait -n || true
    done
done
wait

passed=0 failed=0
for stage in "${stages[@]}"; do
    read -r rc secs <"$OUT/logs/$stage.rc"
    printf '\n==== release check: %s ====\n' "$stage"
    cat "$OUT/logs/$stage.log"
    if ((rc == 0)); then status[$stage]=pass; passed=$((passed + 1)); else status[$stage]="FAIL (rc=$rc)"; failed=$((failed + 1)); fi
    seconds[$stage]=$secs
done

printf '\n==== release check summary (%ss, logs in %s) ====\n' $((SECONDS - start)) "$OUT/logs"
for stage in "${stages[@]}"; do
    printf '%-10s %-14s %5ss\n' "$stage" "${status[$stage]}" "${seconds[$stage]}"
done
printf 'release_check: %d passed, %d failed\n' "$passed" "$failed"
((failed == 0))
