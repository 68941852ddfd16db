#!/usr/bin/env bash
# make demo: the collection's main job on a local Lightsail API seeded with a small mixed fleet.
#
# Starts the test service on 127.0.0.1 (random port; Linux, WordPress, Windows, cPanel and a database
# instance with MySQL open to the world, in eu-west-1), then runs seed.lightsail.audit, seed.lightsail.harden
# and the audit again, and shows the report before and after. Nothing talks to AWS, and nothing is written
# outside the clone (ANSIBLE_HOME is .tmp/ansible-home).
#
#   VENV=...  a venv with ansible-core, boto3 and amazon.aws (default: .venv-run, made by `make demo`)
#   DEMO_PROFILE=web DEMO_ADMIN_CIDR=203.0.113.0/24 tools/demo.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv-run}
PROFILE=${DEMO_PROFILE:-web}
ADMIN_CIDR=${DEMO_ADMIN_CIDR:-203.0.113.0/24}
WORK=$ROOT/.tmp/demo
mkdir -p "$WORK"
# Bold titles on a terminal only; plain text in a log or a pipe.
if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi

collections=$("$VENV/bin/python" "$ROOT/tools/collection_tree.py" --venv "$VENV" live)

# The service prints the shell lines that point AWS clients at it (URL, region, credentials), then serves until stopped.
rm -f "$WORK/service.env"
PYTHONPATH=$ROOT/tests "$VENV/bin/python" -m lightsail_service --seed demo --print-env >"$WORK/service.env" 2>"$WORK/service.log" &
service_pid=$!
trap 'kill "$service_pid" 2>/dev/null || true' EXIT
for _ in $(seq 300); do
    grep -q '^unset ' "$WORK/service.env" 2>/dev/null && break
    kill -0 "$service_pid" 2>/dev/null || { cat "$WORK/service.log" >&2; exit 1; }
    sleep 0.1
done
grep -q '^unset ' "$WORK/service.env" || { echo "demo: the Lightsail service did not start (see $WORK/service.log)" >&2; exit 1; }
# Credentials the way AWX injects them: environment variables only.
# shellcheck source=/dev/null
source "$WORK/service.env"
# ANSIBLE_REMOTE_TMP too: with `-c local` the "remote" is this machine, and its default is ~/.ansible/tmp.
export ANSIBLE_COLLECTIONS_PATH=$collections ANSIBLE_HOME=$ROOT/.tmp/ansible-home ANSIBLE_REMOTE_TMP=$ROOT/.tmp/ansible-home/tmp
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_PYTHON_INTERPRETER=$VENV/bin/python
export PATH=$VENV/bin:$PATH

run() {
    local title=$1
    shift
    printf '\n%s==== %s ====%s\n' "$bold" "$title" "$plain"
    ansible-playbook -i localhost, -c local "$@" \
        -e firewall_baseline_region="$AWS_REGION" \
        -e firewall_baseline_profile="$PROFILE" \
        -e "{\"firewall_baseline_admin_cidrs\": [\"$ADMIN_CIDR\"]}"
}

sed -n 's/^# The local Lightsail API at /Local Lightsail API at /p' "$WORK/service.env"
run "1. audit: how the fleet compares with the '$PROFILE' baseline" seed.lightsail.audit -e firewall_baseline_report_path="$WORK/before.json"
run "2. harden, dry run (--check --diff): what would change, nothing written" seed.lightsail.harden --check --diff
run "3. harden" seed.lightsail.harden
run "4. audit again" seed.lightsail.audit -e firewall_baseline_report_path="$WORK/after.json"

printf '\nReports: %s/before.json and %s/after.json\n' "$WORK" "$WORK"
"$VENV/bin/python" - "$WORK/before.json" "$WORK/after.json" <<'EOF'
import json
import sys

before, after = (json.load(open(path)) for path in sys.argv[1:3])
summary = lambda report: report.get("summary", report)  # noqa: E731
print("before: %s" % json.dumps(summary(before), sort_keys=True))
print("after:  %s" % json.dumps(summary(after), sort_keys=True))
EOF
printf '\nTo try the recipes of docs/recipes.md on the same fleet by hand: make sandbox\n'
