#!/usr/bin/env bash
# The full test command (make test, .ci/run): bootstrap, pytest, sanity, lint, release check.
#
#   tools/test.sh [--serial] [-- PYTEST_ARGS...]
#   SERIAL=1      run pytest without xdist (default: -n auto; every test starts its own
#                 service on a random port, so the suite is parallel-safe)
#   STAGES="..."  subset of "pytest sanity lint release" (bootstrap always runs; it is a no-op when done)
#                 lint: antsibull-nox's ansible-lint session (noxfile.py, antsibull-nox.toml)
#                 release: tools/release_check.sh (docs check and site, changelog current, tarball +
#                 galaxy-importer, EE context, docs/recipes.md playbooks, matrix versions; offline)
#   VENV=...      venv to use (default: <repo>/.venv)
#
# Every stage runs even when an earlier one failed; exit status is non-zero if any failed.
# pytest exit 5 (no tests collected) is a failure. Ends with one line per stage and a test count.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
STAGES=${STAGES:-pytest sanity lint release}
SERIAL=${SERIAL:-0}
pytest_args=()
while (($#)); do
    case "$1" in
        --serial) SERIAL=1 ;;
        --) shift; pytest_args=("$@"); break ;;
        *) echo "usage: $0 [--serial] [-- PYTEST_ARGS...]" >&2; exit 2 ;;
    esac
    shift
done

summary=()
failed=0
run_stage() {
    local name=$1 t0=$SECONDS rc=0
    shift
    printf '\n==== %s ====\n' "$name"
    "$@" || rc=$?
    local status=pass
    if ((rc != 0)); then status="FAIL (rc=$rc)"; failed=1; fi
    summary+=("$(printf '%-10s %-14s %5ds' "$name" "$status" $((SECONDS - t0)))")
    return 0
}

print_summary() {
    printf '\n==== summary ====\n'
    printf '%s\n' "${summary[@]}"
    if [[ -n "${junit:-}" && -f "$junit" ]]; then
        # Test count from pytest's JUnit report (the last line, for CI log readers).
        "$VENV/bin/python" "$ROOT/tools/junit_counts.py" "$junit" "pytest: "
    fi
}

run_stage bootstrap "$ROOT/tools/bootstrap.sh"
if [[ "${summary[0]}" != *pass* ]]; then
    print_summary
    exit 1
fi
export SKIP_BOOTSTRAP=1

junit=
# shellcheck disable=SC2329  # called through run_stage
run_pytest() {
    local args=()
    junit=$ROOT/.tmp/pytest-junit.xml
    mkdir -p "$ROOT/.tmp"
    rm -f "$junit"
    [[ "$SERIAL" == 1 ]] || args+=(-n auto)
    (cd "$ROOT" && "$VENV/bin/python" -m pytest "${args[@]}" --junitxml="$junit" "${pytest_args[@]}" </dev/null)
}

for stage in $STAGES; do
    case "$stage" in
        pytest) run_stage pytest run_pytest ;;
        sanity) run_stage sanity "$ROOT/tools/sanity.sh" ;;
        lint) run_stage lint "$VENV/bin/nox" -f "$ROOT/noxfile.py" -R --download-python never --nocolor -e ansible-lint ;;
        release) run_stage release env SERIAL="$SERIAL" "$ROOT/tools/release_check.sh" ;;
        *) echo "unknown stage: $stage" >&2; exit 2 ;;
    esac
done

print_summary
exit "$failed"
