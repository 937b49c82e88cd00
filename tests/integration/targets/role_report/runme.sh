#!/usr/bin/env bash
# The report role against the simulator, as a user runs it (ansible-playbook), in four runs and
# a round trip. Each page is read by check_page.py with an HTML parser, never matched as bytes:
#   first   now, with a fleet to compare with and the fleet spec written: marks, differences,
#           a server named with markup shown as text, no token, 1 + N + M + 2N GET requests;
#   later   report_now three days later: every completed backup is old; 1 + N + M requests;
#   cheap   report_backups false: no backup read, 1 + N requests;
#   refused a bad option, and a bad fleet: the role stops before any request.
# Then the spec is converged with the fleet role: changed=0, and the simulator's log holds no
# write; no server named by a template was made, and no template in a title ran.
set -eux
# shellcheck source=../setup_flywp/files/simulator.sh
source ../setup_flywp/files/simulator.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FLYWP_STATE_DIR=$work/state ANSIBLE_NOCOLOR=1
# A token of this run's own, so the page and the spec can be searched for it.
export REPORT_TOKEN=it-report-Secret-Token-7f3a REPORT_MARKER=$work/templated
flywp_reset
flywp_control POST /tokens "{\"token\": \"$REPORT_TOKEN\"}" >/dev/null
flywp_control POST /seed "$(sed "s#@MARKER@#$REPORT_MARKER#" seed.json)" >/dev/null
flywp_control DELETE /requests >/dev/null

# The requests of the last run: "METHOD PATH" a line; the log is cleared.
requests() {
    flywp_control GET /requests | "$FLYWP_PYTHON" -c '
import json, sys
for entry in json.load(sys.stdin)["requests"]:
    print(entry["method"], entry["path"])'
    flywp_control DELETE /requests >/dev/null
}

# expect_requests COUNT: that many requests since the last call, every one a GET.
expect_requests() {
    local log
    log=$(requests)
    [[ $(grep -c . <<<"$log") -eq $1 ]] || { echo "expected $1 requests, got:"; echo "$log"; exit 1; }
    if grep -v -e '^GET ' -e '^$' <<<"$log"; then echo 'a write request'; exit 1; fi
}

play() {
    local out=$1
    shift
    ansible-playbook -i localhost, -e "@$FLYWP_CONFIG" "$@" >"$work/$out.out" 2>&1 || {
        cat "$work/$out.out"
        return 1
    }
    if grep -qF "$REPORT_TOKEN" "$work/$out.out"; then echo "the token is in the output of $out"; exit 1; fi
}

EOL='{"report_php_end_of_life": {"8.1": "2020-01-01", "8.2": "2999-12-31", "8.3": "2999-12-31"}}'
# N = 3 servers, M = 6 sites.
play first report.yml -e "report_path=$work/first.html" -e "report_fleet_spec_path=$work/fleet.yml" \
    -e @fleet.yml -e "$EOL"
expect_requests $((1 + 3 + 6 + 2 * 3))
grep -qF "first.html: 3 servers, 6 sites, 5 marked for attention, 9 differences from the fleet." "$work/first.out"
"$FLYWP_PYTHON" check_page.py first "$work/first.html" "$work/fleet.yml"

later=$("$FLYWP_PYTHON" -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"))')
play later report.yml -e "report_path=$work/later.html" -e "report_now=$later" -e "$EOL"
expect_requests $((1 + 3 + 6))
"$FLYWP_PYTHON" check_page.py later "$work/later.html"

play cheap report.yml -e "report_path=$work/cheap.html" -e report_backups=false -e "$EOL"
expect_requests $((1 + 3))
"$FLYWP_PYTHON" check_page.py cheap "$work/cheap.html"

# Bad options stop the role before any request, with a sentence naming them.
for bad in 'report_backup_max_age=soon' 'report_now=tomorrow' \
    '{"report_fleet_servers": [{"name": "web-1", "sites": [{"domian": "a.example.com"}]}]}'; do
    if ansible-playbook -i localhost, -e "@$FLYWP_CONFIG" report.yml -e "report_path=$work/refused.html" -e "$bad" \
        >"$work/refused.out" 2>&1; then
        echo "the role ran with $bad"
        exit 1
    fi
    grep -qE "duration 'soon'|report now 'tomorrow'|unknown field 'domian'; did you mean 'domain'" "$work/refused.out"
    [[ ! -e $work/refused.html ]]
    expect_requests 0
done

# The servers of the account as the API lists them (one GET, not counted: the log is cleared after).
servers() {
    "$FLYWP_PYTHON" - "$(flywp_setting flywp_api_url)" <<'PY'
import json, os, sys, urllib.request
request = urllib.request.Request(sys.argv[1] + '/servers?per_page=100', headers={
    'Authorization': 'Bearer ' + os.environ['REPORT_TOKEN'], 'Accept': 'application/json'})
for server in json.load(urllib.request.urlopen(request, timeout=30))['data']:
    print(server['id'], server['status'], server['name'])
PY
    flywp_control DELETE /requests >/dev/null
}

# The round trip: the server that was provisioning is ready now (the fleet role would wait for it).
before=$(servers)
waiting=$(awk '$2 == "provisioning" {print $1}' <<<"$before")
[[ -n $waiting ]]
flywp_control PATCH "/objects/server/$waiting" '{"status": "ready"}' >/dev/null
play converge converge.yml -e "spec_path=$work/fleet.yml"
grep -qE 'localhost +: ok=[0-9]+ +changed=0 +unreachable=0 +failed=0' "$work/converge.out"
grep -qF '3 servers in the fleet. Changed: 0 servers, 0 sites, SSH keys on 0 servers, cron jobs on 0 servers.' "$work/converge.out"
log=$(requests)
[[ -n $log ]]
if grep -v '^GET ' <<<"$log"; then echo 'the round trip sent a write'; exit 1; fi
# Nothing was made (a server named by its template's value, it-report-42) and no template ran.
[[ $(servers | cut -d' ' -f1,3-) == $(cut -d' ' -f1,3- <<<"$before") ]]
[[ ! -e $REPORT_MARKER ]]
