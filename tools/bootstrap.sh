#!/usr/bin/env bash
# Create or refresh a venv for seed.lightsail: the development venv, or the light one that only runs the collection.
#
#   VENV=...              venv path (default: <repo>/.venv)
#   VENV_KIND=dev         (default) everything of requirements-dev.txt, the `ansible` package installed with --no-deps
#                         for amazon.aws, and the get-pip stand-in below
#   VENV_KIND=run         only what running the collection needs (make demo, make sandbox): the ansible-core line of
#                         requirements-dev.txt, requirements.txt (boto3, botocore), and amazon.aws, community.aws and
#                         ansible.posix (the collections tools/collection_tree.py links) taken out of the same `ansible`
#                         wheel instead of installing its 21,000 files. No pip inside (the interpreter's own pip
#                         installs into it) and nothing written outside the venv.
#   PYTHON=...            interpreter for a new venv (default: python3.11, else python3 if it is 3.11)
#   ANSIBLE_CORE_SPEC=... replaces the ansible-core line of requirements-dev.txt (matrix: 'ansible-core>=2.17,<2.18')
#   ANSIBLE_PKG_SPEC=...  the ansible package installed with --no-deps for amazon.aws (default: ansible==12.3.0)
#   FORCE=1               ignore the stamp and reinstall
#
# Idempotent: a stamp in the venv holds a hash of every input; when it matches, nothing is installed.
# VENV_KIND=dev also writes an offline stand-in for ansible-test's get-pip script into ~/.ansible/test/cache/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
ANSIBLE_PKG_SPEC=${ANSIBLE_PKG_SPEC:-ansible==12.3.0}
ANSIBLE_CORE_SPEC=${ANSIBLE_CORE_SPEC:-}
VENV_KIND=${VENV_KIND:-dev}
CERT=${SSL_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
REQ=$ROOT/requirements-dev.txt
STAMP=$VENV/.bootstrap-stamp
CACHE_DIR=$HOME/.ansible/test/cache
STANDIN_MARKER='seed.lightsail get-pip stand-in'
start=$SECONDS

log() { printf 'bootstrap: %s\n' "$*"; }
# pip for the venv (its own; for a run venv the interpreter's, pointed at it), minus the machine-local index's
# "Location ... is ignored" warnings (exit status kept).
vpip() {
    local pip_python=$VPY
    [[ "$VENV_KIND" == run ]] && set -- --python "$VPY" "$@" && pip_python=$PY
    "$pip_python" -m pip "$@" 2> >(grep -v "^WARNING: Location 'file:.*is ignored" >&2)
}
die() { printf 'bootstrap: ERROR: %s\n' "$*" >&2; exit 1; }
[[ "$VENV_KIND" == dev || "$VENV_KIND" == run ]] || die "VENV_KIND must be dev or run, not $VENV_KIND"

pick_python() {
    if [[ -n "${PYTHON:-}" ]]; then
        printf '%s\n' "$PYTHON"
    elif command -v python3.11 >/dev/null 2>&1 && python3.11 -c 'import sys' >/dev/null 2>&1; then
        printf '%s\n' python3.11
    elif command -v python3 >/dev/null 2>&1 && python3 -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
        printf '%s\n' python3
    else
        die "python3.11 not found (set PYTHON=/path/to/python3.11)"
    fi
}

# The stand-in: ansible-test runs `python get_pip_X_Y.py --disable-pip-version-check pip==X.Y [--no-setuptools] [--no-wheel]`
# inside each venv it creates. The real script is downloaded from a host this network cannot reach.
write_standin() {
    cat <<EOF
"""${STANDIN_MARKER} (written by tools/bootstrap.sh).

Replaces ansible-test's downloaded get-pip script: bootstraps pip with the interpreter's
bundled ensurepip, then installs the requested pip version from the package index.
"""
import os
import subprocess
import sys

ARGS = sys.argv[1:]
PACKAGES = [arg for arg in ARGS if not arg.startswith('-')]
CERT = os.environ.get('SSL_CERT_FILE') or '${CERT}'

subprocess.check_call([sys.executable, '-m', 'ensurepip', '--upgrade', '--default-pip'])
COMMAND = [sys.executable, '-m', 'pip', 'install', '--disable-pip-version-check', '--upgrade']
if os.path.isfile(CERT):
    COMMAND += ['--cert', CERT]
subprocess.check_call(COMMAND + PACKAGES)
if '--no-setuptools' in ARGS:
    # get-pip.py would not have installed it; ensurepip on 3.11 does
    subprocess.call([sys.executable, '-m', 'pip', 'uninstall', '--yes', '--quiet', 'setuptools'])
EOF
}

install_standins() {
    local py=$1 versions v target tmp
    # pip version(s) ansible-test pins for its venvs, e.g. pip='24.2'
    versions=$(grep -ho "pip='[0-9.]*'" "$("$py" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py" \
        | tr -dc '0-9.\n' | sort -u || true)
    [[ -n "$versions" ]] || versions=24.2
    mkdir -p "$CACHE_DIR"
    for v in $versions; do
        target=$CACHE_DIR/get_pip_${v//./_}.py
        if [[ -f "$target" ]] && ! grep -q "$STANDIN_MARKER" "$target"; then
            log "leaving foreign $target in place"
            continue
        fi
        tmp=$(mktemp)
        write_standin >"$tmp"
        if [[ -f "$target" ]] && cmp -s "$tmp" "$target"; then
            rm -f "$tmp"
            log "get-pip stand-in up to date: $target"
        else
            mv "$tmp" "$target"
            log "wrote get-pip stand-in: $target"
        fi
    done
}

[[ -f "$REQ" ]] || die "missing $REQ"
PY=$(pick_python)

# (Re)create the venv when missing or broken; never delete something that is not a venv.
if ! "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' >/dev/null 2>&1; then
    if [[ -e "$VENV" ]]; then
        [[ -f "$VENV/pyvenv.cfg" ]] || die "$VENV exists and is not a venv"
        log "removing broken venv $VENV"
        rm -rf "$VENV"
    fi
    log "creating $VENV_KIND venv $VENV with $PY ($("$PY" --version 2>&1))"
    venv_options=()
    [[ "$VENV_KIND" == run ]] && venv_options=(--without-pip)
    "$PY" -m venv "${venv_options[@]}" "$VENV"
fi
VPY=$VENV/bin/python
[[ "$VENV_KIND" == run ]] || "$VPY" -m pip --version >/dev/null 2>&1 || "$VPY" -m ensurepip --upgrade >/dev/null

# Inputs that decide what gets installed.
stamp_value=$( {
    cat "$REQ" "$ROOT/requirements.txt" "${BASH_SOURCE[0]}" 2>/dev/null || true
    printf 'kind=%s core=%s pkg=%s py=%s\n' "$VENV_KIND" "$ANSIBLE_CORE_SPEC" "$ANSIBLE_PKG_SPEC" "$("$VPY" -c 'import sys; print(sys.version)')"
} | sha256sum | cut -d' ' -f1)

if [[ "${FORCE:-0}" != 1 && -f "$STAMP" && "$(cat "$STAMP")" == "$stamp_value" ]]; then
    log "venv $VENV is up to date (stamp matches), nothing to install"
    [[ "$VENV_KIND" == run ]] || install_standins "$VPY"
    log "done in $((SECONDS - start))s"
    exit 0
fi

# Effective requirements: absolute -r paths, optional ansible-core override; a run venv keeps only those two lines.
eff=$VENV/requirements-$VENV_KIND.effective.txt
while IFS= read -r line || [[ -n "$line" ]]; do
    case "$line" in
        ansible-core*) [[ -n "$ANSIBLE_CORE_SPEC" ]] && line=$ANSIBLE_CORE_SPEC ;;
        "-r "*) line="-r $ROOT/${line#-r }" ;;
        *) [[ "$VENV_KIND" == run ]] && continue ;;
    esac
    printf '%s\n' "$line"
done <"$REQ" >"$eff"

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
if [[ "$VENV_KIND" == dev ]]; then
    log "upgrading pip"
    vpip install --quiet --upgrade 'pip>=24.2'
    log "installing requirements (${ANSIBLE_CORE_SPEC:-ansible-core from requirements-dev.txt})"
    vpip install --quiet -r "$eff"
    log "installing $ANSIBLE_PKG_SPEC --no-deps (bundled amazon.aws, community.aws, ansible.posix)"
    vpip install --quiet --no-deps "$ANSIBLE_PKG_SPEC"
else
    wheels=$VENV/.wheels
    rm -rf "$wheels"
    log "installing $(grep -v '^-r' "$eff") and requirements.txt; downloading $ANSIBLE_PKG_SPEC meanwhile"
    vpip download --quiet --no-deps --only-binary=:all: --dest "$wheels" "$ANSIBLE_PKG_SPEC" &
    download=$!
    vpip install --quiet --no-compile -r "$eff"
    wait "$download" || die "could not download $ANSIBLE_PKG_SPEC"
    log "taking amazon.aws, community.aws and ansible.posix out of $(basename "$wheels"/ansible-*.whl)"
    "$VPY" - "$wheels"/ansible-*.whl <<'EOF'
import sys, sysconfig, zipfile
wanted = tuple('ansible_collections/%s/' % name for name in ('amazon/aws', 'community/aws', 'ansible/posix'))
with zipfile.ZipFile(sys.argv[1]) as wheel:
    wheel.extractall(sysconfig.get_paths()['purelib'], [n for n in wheel.namelist() if n.startswith(wanted)])
EOF
    rm -rf "$wheels"
fi

dists=(ansible-core boto3 botocore)
[[ "$VENV_KIND" == run ]] || dists+=(pytest nox antsibull-nox ansible awscli)
"$VPY" - "${dists[@]}" <<'EOF'
import importlib.metadata as md
import json, os, site, sys
for dist in sys.argv[1:]:
    print('bootstrap: %s %s' % (dist, md.version(dist)))
for base in site.getsitepackages():
    path = os.path.join(base, 'ansible_collections', 'amazon', 'aws', 'MANIFEST.json')
    if os.path.exists(path):
        with open(path) as handle:
            print('bootstrap: amazon.aws %s' % json.load(handle)['collection_info']['version'])
        break
else:
    raise SystemExit('bootstrap: ERROR: amazon.aws not found in site-packages')
EOF

[[ "$VENV_KIND" == run ]] || install_standins "$VPY"
printf '%s\n' "$stamp_value" >"$STAMP"
log "venv $VENV ready in $((SECONDS - start))s"
