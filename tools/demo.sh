#!/usr/bin/env bash
# make demo: the collection's main job on a local Lightsail API seeded with a small mixed fleet.
#
# Starts the test service on 127.0.0.1 (random port; Linux, WordPress, Windows, cPanel and a database
# instance with MySQL open to the world), then runs seed.lightsail.audit, seed.lightsail.harden and the
# audit again, and shows the report before and after. Nothing talks to AWS.
#
#   DEMO_PROFILE=web DEMO_ADMIN_CIDR=203.0.113.0/24 tools/demo.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
PROFILE=${DEMO_PROFILE:-web}
ADMIN_CIDR=${DEMO_ADMIN_CIDR:-203.0.113.0/24}
WORK=$ROOT/.tmp/demo
mkdir -p "$WORK"

collections=$("$VENV/bin/python" "$ROOT/tools/collection_tree.py" --venv "$VENV" live)

# The service prints one JSON line with its URL, then serves until stopped.
PYTHONPATH=$ROOT/tests "$VENV/bin/python" -m lightsail_service --seed demo >"$WORK/service.json" 2>"$WORK/service.log" &
service_pid=$!
trap 'kill "$service_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
    [[ -s "$WORK/service.json" ]] && break
    sleep 0.1
done
url=$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["url"])' "$WORK/service.json")

# Credentials the way AWX injects them: environment variables only.
eval "$(PYTHONPATH=$ROOT/tests "$VENV/bin/python" - <<'EOF'
from lightsail_service import DEFAULT_CREDENTIALS as creds
print("export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s" % (creds.access_key, creds.secret_key))
EOF
)"
export AWS_URL=$url AWS_REGION=us-east-1
export ANSIBLE_COLLECTIONS_PATH=$collections
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
export ANSIBLE_PYTHON_INTERPRETER=$VENV/bin/python
export PATH=$VENV/bin:$PATH

run() {
    local title=$1
    shift
    printf '\n\033[1m==== %s ====\033[0m\n' "$title"
    ansible-playbook -i localhost, -c local "$@" \
        -e firewall_baseline_region=us-east-1 \
        -e firewall_baseline_profile="$PROFILE" \
        -e "{\"firewall_baseline_admin_cidrs\": [\"$ADMIN_CIDR\"]}"
}

echo "Local Lightsail API at $url (instances: web-1, web-2, win-1, cpanel-1, db-1 in us-east-1)"
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
