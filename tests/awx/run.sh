#!/usr/bin/env bash
# The AWX job test: run flywp.cloud jobs the way AWX / Automation Controller runs them,
# through `ansible-runner transmit | ansible-runner worker | ansible-runner process`,
# against the FlyWP API simulator, with the API token injected only as the FlyWP
# credential type (extensions/awx/) injects it.
#
#   tests/awx/run.sh        (from anywhere; `make test` runs it with the venv on PATH)
#
# Needs python (with requests), ansible-runner and ansible-core on PATH. Three jobs run:
#   build            job template: project/job.yml makes a server, a site and an SSH key
#   inventory-sync   inventory source: ansible-inventory over project/inventory/flywp.yml
#   rerun            the job template again: nothing may change
#
# What counts as the job's artifacts, in which the token must not appear: everything
# `ansible-runner process` writes (artifacts/: job_events/, stdout, stderr, status, rc,
# and the inventory's output.json) and everything it prints. Not artifacts: the private
# data directory's env/envvars, where the credential puts the token as AWX does, and
# the runner's artifacts/command, its record of the whole environment of the process it
# started (so it holds env/envvars again; AWX stores that environment masked as the
# job's job_env). The test checks the token is in env/envvars, so the search can find it.
#
# FLYWP_AWX_KEEP=1 keeps the scratch directory for a look afterwards.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=$(command -v python || command -v python3 || true)
[[ -n $PYTHON ]] || {
    echo "ERROR: no python on PATH" >&2
    exit 1
}
for tool in ansible-runner ansible-playbook ansible-inventory; do
    command -v "$tool" >/dev/null || {
        echo "ERROR: $tool is not on PATH (activate the venv: make venv)" >&2
        exit 1
    }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flywp-awx.XXXXXX")
SIM_PID=''
cleanup() {
    if [[ -n $SIM_PID ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    if [[ -n ${FLYWP_AWX_KEEP:-} ]]; then
        echo "kept $WORK"
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source-path=SCRIPTDIR source=../checks.sh
source "$HERE/../checks.sh"

# --- the FlyWP API simulator, and a token of its own for this test ---

(cd "$ROOT" && exec "$PYTHON" -m simulator --port 0 --url-file "$WORK/simulator.url") \
    >"$WORK/simulator.log" 2>&1 </dev/null &
SIM_PID=$!
for ((i = 0; i < 300; i++)); do
    [[ -s $WORK/simulator.url ]] && break
    kill -0 "$SIM_PID" 2>/dev/null || {
        cat "$WORK/simulator.log" >&2
        echo "ERROR: the simulator exited" >&2
        exit 1
    }
    sleep 0.1
done
API_URL=$(head -n 1 "$WORK/simulator.url")
[[ $API_URL == http* ]] || {
    echo "ERROR: the simulator gave no URL in 30 s" >&2
    exit 1
}
CONTROL_URL=${API_URL%%/api/*}/_simulator

# control METHOD PATH [JSON]: a request to the simulator's control API.
control() {
    "$PYTHON" - "$1" "$CONTROL_URL$2" "${3:-}" <<'EOF'
import sys, urllib.request
method, url, body = sys.argv[1:]
request = urllib.request.Request(url, data=body.encode() if body else None, method=method,
                                 headers={'Content-Type': 'application/json'})
urllib.request.urlopen(request, timeout=10).read()
EOF
}

TOKEN=awx-test-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')
control POST /tokens "{\"token\": \"$TOKEN\", \"permissions\": [\"read\", \"create\", \"update\", \"delete\"]}"
control PATCH /config '{"delays": {"server_creating": 0.3, "server_provisioning": 0.3, "site_creating": 0.3}}'
echo "simulator at $API_URL"

# --- what AWX prepares: the credential, the execution environment ---

# The credential, as a user fills it in; its inputs go through the credential type's
# injectors into the job's environment, nowhere else.
umask 077
printf '{"api_token": "%s", "api_url": "%s"}\n' "$TOKEN" "$API_URL" >"$WORK/credential.json"
inject() {
    "$PYTHON" "$HERE/awx_job.py" inject "$ROOT/extensions/awx/credential_type_inputs.yml" \
        "$ROOT/extensions/awx/credential_type_injectors.yml" "$WORK/credential.json" "$1/env/envvars"
}

# The execution environment: the collection installed (here, linked) and no FlyWP
# variables of its own.
mkdir -p "$WORK/ee/ansible_collections/flywp"
ln -s "$ROOT" "$WORK/ee/ansible_collections/flywp/cloud"
export ANSIBLE_COLLECTIONS_PATH=$WORK/ee ANSIBLE_NOCOLOR=1
unset FLYWP_API_TOKEN FLYWP_API_URL

# private_data_dir NAME [inventory]: a private data directory as AWX builds one: the
# project, the credential's env/envvars, and for a job template an inventory (localhost).
private_data_dir() {
    local pdd=$WORK/$1/private
    mkdir -p "$pdd"
    cp -R "$HERE/project" "$pdd/project"
    if [[ ${2:-} == inventory ]]; then
        mkdir -p "$pdd/inventory"
        echo "localhost ansible_connection=local ansible_python_interpreter=$PYTHON" >"$pdd/inventory/hosts"
    fi
    inject "$pdd"
}

# job NAME TRANSMIT-OPTIONS...: the three ansible-runner steps of an AWX job, piped.
job() {
    local name=$1
    shift
    if ! ansible-runner transmit "$WORK/$name/private" --ident "$name" "$@" |
        ansible-runner worker --private-data-dir "$WORK/$name/worker" |
        ansible-runner process "$WORK/$name/process" >"$WORK/$name/console.log" 2>&1; then
        tail -n 40 "$WORK/$name/console.log"
        return 1
    fi
    # The recap line of a playbook; an inventory update prints nothing.
    local recap
    recap=$(grep -A 1 '^PLAY RECAP' "$WORK/$name/console.log" | tail -n 1 | tr -s ' ' || true)
    echo "${recap:-finished}"
}

# nowhere_in_artifacts NAME TEXT: TEXT appears in none of the job's artifacts (see the top).
nowhere_in_artifacts() {
    local found
    found=$(grep -rlF --exclude=command -- "$2" "$WORK/$1/process" "$WORK/$1/console.log" || true)
    if [[ -n $found ]]; then
        echo "found in: ${found//$'\n'/, }"
        return 1
    fi
    echo "in none of $(find "$WORK/$1/process" -type f | wc -l) artifact files, nor in the output"
}

# no_token NAME: the token is in env/envvars (so the search can find it), and nowhere else.
no_token() {
    grep -qF -- "$TOKEN" "$WORK/$1/private/env/envvars" || {
        echo "the token is not even in env/envvars: the search would prove nothing"
        return 1
    }
    nowhere_in_artifacts "$1" "$TOKEN"
}

# --- the checks ---

check "job 'build': the credential is injected" private_data_dir build inventory
check "job 'build' runs" job build --playbook job.yml
check "job 'build': stats" "$PYTHON" "$HERE/awx_job.py" stats "$WORK/build/process/artifacts" yes
check "job 'build': the server is created" "$PYTHON" "$HERE/awx_job.py" task "$WORK/build/process/artifacts" \
    "Create the server" changed=true server.name=awx-web-1 server.status=ready
check "job 'build': the site is created" "$PYTHON" "$HERE/awx_job.py" task "$WORK/build/process/artifacts" \
    "Create the site" changed=true site.domain=awx.example.com site.status=active
check "job 'build': no token in the artifacts" no_token build
check "job 'build': no site password in the artifacts" \
    nowhere_in_artifacts build awx-Site-Password-6f1d2c
check "job 'build': no warning that the collection does not support this Ansible version" \
    nowhere_in_artifacts build 'does not support Ansible version'

# An inventory update runs ansible-inventory where a job runs ansible-playbook: the
# command line goes to the worker, whose private data directory it names. (The runner's
# command line wants --playbook, which it ignores with --binary.)
check "job 'inventory-sync': the credential is injected" private_data_dir inventory-sync
worker=$WORK/inventory-sync/worker
check "job 'inventory-sync' runs" job inventory-sync --binary ansible-inventory --playbook unused.yml \
    --cmdline "--list --export -i $worker/project/inventory/flywp.yml --output $worker/artifacts/inventory-sync/output.json"
check "job 'inventory-sync': the server is a host, as AWX would store it" "$PYTHON" "$HERE/awx_job.py" inventory \
    "$WORK/inventory-sync/process/artifacts/output.json" awx-web-1 'flywp_sites[0].title'
check "job 'inventory-sync': no token in the artifacts" no_token inventory-sync

check "job 'rerun': the credential is injected" private_data_dir rerun inventory
check "job 'rerun' runs" job rerun --playbook job.yml
check "job 'rerun': stats, nothing changed" "$PYTHON" "$HERE/awx_job.py" stats "$WORK/rerun/process/artifacts" no
check "job 'rerun': the server is found, not made" "$PYTHON" "$HERE/awx_job.py" task "$WORK/rerun/process/artifacts" \
    "Create the server" changed=false server.name=awx-web-1
check "job 'rerun': no token in the artifacts" no_token rerun

# meta/requirements.txt is the copy ansible-builder reads for meta/execution-environment.yml.
requirement_lines() { grep -v '^[[:space:]]*\(#\|$\)' "$1" | sed 's/[[:space:]]*#.*//' | sort; }
same_requirements() {
    diff <(requirement_lines "$ROOT/requirements.txt") <(requirement_lines "$ROOT/meta/requirements.txt") &&
        echo "both list: $(requirement_lines "$ROOT/requirements.txt" | tr '\n' ' ')"
}
check "meta/requirements.txt lists what requirements.txt lists" same_requirements

checks_summary awx-job
