# shellcheck shell=bash
# For the targets run by a runme.sh (which ansible-test runs in the target's directory,
# without integration_config.yml as variables): source it, with `needs/target/setup_flywp`
# in the target's aliases.
#
#   FLYWP_CONFIG           integration_config.yml (for ansible-playbook -e "@$FLYWP_CONFIG")
#   flywp_setting KEY      a top-level value of it
#   flywp_control METHOD PATH [JSON]   a call of the simulator's control API; prints the answer
#   flywp_reset            a reset simulator, the rate limit out of reach, no delays

FLYWP_CONFIG=$(cd ../.. && pwd)/integration_config.yml
FLYWP_PYTHON=${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}

flywp_setting() {
    sed -n "s/^$1:[[:space:]]*[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$FLYWP_CONFIG"
}

flywp_control() {
    "$FLYWP_PYTHON" - "$(flywp_setting flywp_simulator_url)" "$@" <<'PY'
import json, sys, urllib.request
control, method, path = sys.argv[1:4]
body = sys.argv[4].encode() if len(sys.argv) > 4 else None
request = urllib.request.Request(control + path, data=body, method=method, headers={'Content-Type': 'application/json'})
print(urllib.request.urlopen(request, timeout=30).read().decode())
PY
}

flywp_reset() {
    flywp_control POST /reset '{}' >/dev/null
    flywp_control PATCH /config '{"rate_limit": 1000, "delays": {"server_creating": 0, "server_provisioning": 0,
        "site_creating": 0, "site_deleting": 0, "backup_pending": 0, "backup_running": 0}}' >/dev/null
}
