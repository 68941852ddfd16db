#!/usr/bin/env bash
# ansible-lint (production profile, config: .ansible-lint, yamllint config: .yamllint) over the
# whole repo, which covers roles/, playbooks/, galaxy.yml, meta/ and changelogs/.
#
#   VENV=...  venv holding ansible-lint (default: <repo>/.venv; bootstrapped unless SKIP_BOOTSTRAP=1)
#   extra arguments are passed to ansible-lint (e.g. tools/lint.sh roles/ playbooks/)
#
# Works offline: .ansible-lint has `offline: true` (no Galaxy installs, no version check) and the
# dependency collections come from the venv via the live tree <repo>/.tmp/collections.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
start=$SECONDS

if [[ "${SKIP_BOOTSTRAP:-0}" != 1 ]]; then
    VENV=$VENV "$ROOT/tools/bootstrap.sh"
fi

ANSIBLE_COLLECTIONS_PATH=$("$VENV/bin/python" "$ROOT/tools/collection_tree.py" live --venv "$VENV")
export ANSIBLE_COLLECTIONS_PATH
export PATH=$VENV/bin:$PATH
# Keep ansible-lint's caches out of $HOME so runs do not depend on leftovers.
export ANSIBLE_HOME=$ROOT/.tmp/ansible-home
export XDG_CACHE_HOME=$ROOT/.tmp/cache

cd "$ROOT"
rc=0
ansible-lint --offline --profile production --config-file "$ROOT/.ansible-lint" --nocolor "$@" </dev/null || rc=$?
if ((rc != 0)); then
    echo "lint: FAILED (rc=$rc) in $((SECONDS - start))s"
    exit "$rc"
fi
echo "lint: passed in $((SECONDS - start))s"
