#!/usr/bin/env bash
# Two playbooks at once with one token share one rate-limit budget (the state file): under a
# limit of 10 requests per 3 s, each puts 12 cron jobs on a server of its own (1 read and 12
# POST), at the same time. The simulator's request log must show every job made, and at most
# one 429 a window: the probe sent to learn where a window ends, never the two playbooks
# overrunning a window together (each would think it has the whole window to itself).
#
# ansible-test runs this script in the target's directory and does not pass
# integration_config.yml as variables: the simulator's URLs are read from it here.
set -eux
# shellcheck source=../setup_flywp/files/simulator.sh
source ../setup_flywp/files/simulator.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FLYWP_STATE_DIR=$work/state

flywp_reset
flywp_control PATCH /config '{"rate_limit": 10, "rate_window": 3}' >/dev/null
flywp_control POST /seed '{"servers": [{"name": "it-budget-1"}, {"name": "it-budget-2"}]}' >/dev/null

for server in it-budget-1 it-budget-2; do
    ansible-playbook -i localhost, -e "@$FLYWP_CONFIG" -e "budget_server=$server" jobs.yml >"$work/$server.out" 2>&1 &
done
failed=0
for job in $(jobs -p); do wait "$job" || failed=1; done
if ((failed)); then
    tail -n 40 "$work"/*.out
    exit 1
fi

flywp_control GET /requests >"$work/requests.json"
"$FLYWP_PYTHON" - "$work/requests.json" <<'PY'
import json, math, sys
log = json.load(open(sys.argv[1]))['requests']
answered = [entry for entry in log if entry['status'] == 200 or entry['status'] == 201]
refused = [entry for entry in log if entry['status'] == 429]
posts = [entry for entry in answered if entry['method'] == 'POST']
windows = math.ceil(len(answered) / 10.0)
print('%d answered (%d POST), %d refused, %d windows' % (len(answered), len(posts), len(refused), windows))
assert len(posts) == 24, [(entry['method'], entry['path'], entry['status']) for entry in log]
assert len(log) == len(answered) + len(refused), [entry['status'] for entry in log]
assert len(refused) <= windows, [(round(entry['time'] - log[0]['time'], 2), entry['status']) for entry in log]
PY
