#!/usr/bin/env bash
# Unit + e2e pytest and ansible-test sanity under each supported ansible-core, each in its own
# venv (<repo>/.venv-2.17, .venv-2.18, .venv-2.19), then a summary table with the ansible-core each
# venv really holds (checked against the requested minor version) and the pytest counts
# (JUnit reports in <repo>/.tmp/matrix/). make matrix.
#
#   MATRIX_VERSIONS="2.17 2.18 2.19"  ansible-core minor versions to run
#   MATRIX_STAGES="pytest sanity"     stages per version
#   SERIAL=1                          pytest without xdist
#
# Versions run one after another (the sanity copy and ~/.ansible/test are shared). Exit status is
# non-zero if any cell failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MATRIX_VERSIONS=${MATRIX_VERSIONS:-2.17 2.18 2.19}
MATRIX_STAGES=${MATRIX_STAGES:-pytest sanity}
start=$SECONDS

declare -A cell core_of
failed=0
record() { # version stage rc seconds
    local status=pass
    if (($3 != 0)); then status="FAIL($3)"; failed=1; fi
    cell[$1,$2]=$(printf '%s %ss' "$status" "$4")
}

for version in $MATRIX_VERSIONS; do
    venv=$ROOT/.venv-$version
    next="${version%.*}.$((${version#*.} + 1))"
    printf '\n==== ansible-core %s (%s) ====\n' "$version" "$venv"

    t0=$SECONDS rc=0
    VENV=$venv ANSIBLE_CORE_SPEC="ansible-core>=$version,<$next" "$ROOT/tools/bootstrap.sh" || rc=$?
    if ((rc == 0)); then
        # The venv must really hold the requested ansible-core (a stale venv or a resolver surprise would
        # silently test another version).
        core=$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)' 2>/dev/null || echo none)
        core_of[$version]=$core
        if [[ "$core" != "$version".* ]]; then
            echo "matrix: ERROR: $venv has ansible-core $core, not $version.x" >&2
            rc=3
        fi
    fi
    record "$version" bootstrap "$rc" $((SECONDS - t0))
    if ((rc != 0)); then continue; fi

    for stage in $MATRIX_STAGES; do
        t0=$SECONDS rc=0
        case "$stage" in
            pytest)
                xdist=(-n auto)
                [[ "${SERIAL:-0}" != 1 ]] || xdist=()
                junit=$ROOT/.tmp/matrix/pytest-$version.xml
                mkdir -p "$ROOT/.tmp/matrix"
                rm -f "$junit"
                (cd "$ROOT" && "$venv/bin/python" -m pytest "${xdist[@]}" --junitxml="$junit" tests/unit tests/e2e </dev/null) || rc=$?
                ;;
            sanity)
                VENV=$venv SKIP_BOOTSTRAP=1 "$ROOT/tools/sanity.sh" || rc=$?
                ;;
            *) echo "unknown stage: $stage" >&2; exit 2 ;;
        esac
        record "$version" "$stage" "$rc" $((SECONDS - t0))
    done
done

printf '\n==== matrix summary (%ss) ====\n' $((SECONDS - start))
printf '%-8s %-10s %-16s' core installed bootstrap
for stage in $MATRIX_STAGES; do printf ' %-16s' "$stage"; done
printf ' %s\n' 'pytest count'
for version in $MATRIX_VERSIONS; do
    printf '%-8s %-10s %-16s' "$version" "${core_of[$version]:-?}" "${cell[$version,bootstrap]:-skipped}"
    for stage in $MATRIX_STAGES; do printf ' %-16s' "${cell[$version,$stage]:-skipped}"; done
    junit=$ROOT/.tmp/matrix/pytest-$version.xml
    if [[ " $MATRIX_STAGES " == *" pytest "* && -f "$junit" ]]; then
        # Tests run / failed / skipped, from pytest's JUnit report.
        python3 "$ROOT/tools/junit_counts.py" "$junit" " "
    else
        printf ' -\n'
    fi
done
exit "$failed"
