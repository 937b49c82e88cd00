#!/usr/bin/env bash
# The Event-Driven Ansible test: the real ansible-rulebook runs the example rulebook
# (extensions/eda/rulebooks/flywp_changes.yml, with the event source flywp.cloud.changes and the
# playbooks/eda_*.yml reactions) against the FlyWP API simulator, from the collection built and
# installed as a user installs it.
#
#   tests/eda/run.sh        (from anywhere; `make test` runs it with the main venv on PATH)
#
# ansible-rulebook runs as docs/eda.md's quick start says, with FLYWP_API_TOKEN and FLYWP_API_URL
# exported and nothing else. What happens through the API while the rulebook watches, and what
# must follow, each once:
#   a server is created and becomes ready   SSH key and cron job put on it (flywp.cloud.eda_server_ready)
#   a site is added to it                   its first backup started (flywp.cloud.eda_site_active)
#   that backup fails                       a new backup of the site (flywp.cloud.eda_backup_failed)
#   a server is removed                     its address leaves known_hosts (flywp.cloud.eda_server_removed)
# Each reaction's playbook leaves a record file, and the test counts them; then it watches a while
# longer, to see nothing twice, and shows the source's pace in the simulator's request log (the
# rate limit makes interval 1 s too short for the source's share, so it polls at an even pace).
# Then the rulebook is stopped, the account changed (a server created, one deleted, one renamed),
# and the rulebook started again on the same state directory: the source must report each of
# those changes once and nothing else (the "Event:" lines of its log), and the reactions follow.
# It also checks that a bad argument ends ansible-rulebook with one sentence, and that
# meta/decision-environment.yml makes an ansible-builder context.
#
# ansible-rulebook gets a venv of its own (.venv-rulebook at the root: Python 3.12 or 3.13,
# tests/eda/requirements.txt; a stamp skips pip when nothing changed) and needs Java 17 or newer:
# where it is missing, the script installs openjdk-17-jre-headless when it runs as root with
# apt-get, and fails saying what to install otherwise. It is never skipped.
#
# FLYWP_EDA_KEEP=1 keeps the scratch directory for a look afterwards.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
VENV=$ROOT/.venv-rulebook
REQUIREMENTS=$HERE/requirements.txt
JAVA_PACKAGE=openjdk-17-jre-headless
TIMEOUT=${FLYWP_EDA_TIMEOUT:-120} # seconds for each thing the test waits for

say() { printf '==> %s\n' "$*"; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# --- Java 17 or newer ---

java_major() { # java_major [JAVA]: the major version of a java command (0 when none)
    local version
    version=$("${1:-java}" -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)\(\.[0-9]*\)*.*/\1/p' | head -n 1)
    echo "${version:-0}"
}

java_ok() { command -v java >/dev/null 2>&1 && (($(java_major) >= 17)); }

# A JDK 17+ installed beside an older default java: put it first on PATH.
installed_java() {
    local candidate
    for candidate in /usr/lib/jvm/*/bin/java; do
        if [[ ! -x $candidate ]] || (($(java_major "$candidate") < 17)); then continue; fi
        export JAVA_HOME=${candidate%/bin/java} PATH="${candidate%/java}:$PATH"
        return 0
    done
    return 1
}

ensure_java() {
    java_ok && return 0
    installed_java && java_ok && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing $JAVA_PACKAGE (ansible-rulebook needs Java 17 or newer)"
        # --no-upgrade: nothing else of the machine changes.
        DEBIAN_FRONTEND=noninteractive apt-get install --no-upgrade -y -q "$JAVA_PACKAGE" >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install --no-upgrade -y -q "$JAVA_PACKAGE" >/dev/null 2>&1; } ||
            die "apt-get could not install $JAVA_PACKAGE"
        hash -r
        java_ok || installed_java
    fi
    java_ok || die "ansible-rulebook needs Java 17 or newer, and this script cannot install it here (java -version says $(java_major)): install $JAVA_PACKAGE (Debian, Ubuntu), java-17-openjdk-headless (Fedora, RHEL) or another JDK 17+, or run it as root with apt-get"
}

# --- ansible-rulebook's venv ---

python_version_of() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || true; }

# A Python for ansible-rulebook: 3.12 (what it was measured with), else 3.13, from pyenv or the PATH.
find_python() {
    local root='' want candidate
    if command -v pyenv >/dev/null 2>&1; then root=$(pyenv root 2>/dev/null || true); fi
    root=${PYENV_ROOT:-${root:-$HOME/.pyenv}}
    for want in 3.12 3.13; do
        for candidate in "$root"/versions/"$want".*/bin/python3 "$(command -v "python$want" || true)"; do
            [[ -x $candidate && $(python_version_of "$candidate") == "$want" ]] || continue
            "$candidate" -c 'import ensurepip, venv' 2>/dev/null || continue
            echo "$candidate"
            return 0
        done
    done
    return 1
}

ensure_venv() {
    local base version stamp
    base=${FLYWP_RULEBOOK_PYTHON:-$(find_python || true)}
    [[ -n $base ]] || die "no Python 3.12 or 3.13 for ansible-rulebook (pyenv install 3.12, or set FLYWP_RULEBOOK_PYTHON)"
    version=$(python_version_of "$base")
    stamp="$(cat "$REQUIREMENTS" "$ROOT/requirements.txt" | sha256sum | cut -d' ' -f1) $version"
    if [[ -f $VENV/.flywp-stamp && $(cat "$VENV/.flywp-stamp") == "$stamp" && $(python_version_of "$VENV/bin/python") == "$version" ]]; then
        return 0
    fi
    say "setting up $VENV (Python $version from $base)"
    if [[ $(python_version_of "$VENV/bin/python") != "$version" ]]; then
        rm -rf "$VENV"
        "$base" -m venv "$VENV"
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-compile -r "$REQUIREMENTS" 2>&1 |
        grep -v 'is ignored: it is neither a file nor a directory' || true
    "$VENV/bin/ansible-rulebook" --version >/dev/null || die "ansible-rulebook did not install in $VENV"
    echo "$stamp" >"$VENV/.flywp-stamp"
}

ensure_java
ensure_venv
PYTHON=$VENV/bin/python
export PATH="$VENV/bin:$PATH" ANSIBLE_NOCOLOR=1
unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATHS ANSIBLE_INVENTORY FLYWP_API_TOKEN FLYWP_API_URL
say "$(ansible-rulebook --version | head -n 1), Java $(java_major)"

# --- the scratch directory, and what is stopped at the end ---

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flywp-eda.XXXXXX")
SIM_PID=''
RULEBOOK_PID=''
stop() { # stop PID: TERM its process group, then KILL what is left
    local pid=$1 i
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop "$RULEBOOK_PID"
    stop "$SIM_PID"
    if [[ -n ${FLYWP_EDA_KEEP:-} ]]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source-path=SCRIPTDIR source=../checks.sh
source "$HERE/../checks.sh"

# --- the collection, built and installed as a user installs it ---

export ANSIBLE_COLLECTIONS_PATH=$WORK/collections HOME=$WORK/home ANSIBLE_LOCAL_TEMP=$WORK/ansible-tmp
mkdir -p "$HOME" "$WORK/dist"
(cd "$WORK" && ansible-galaxy collection build "$ROOT" --output-path "$WORK/dist" >/dev/null)
ansible-galaxy collection install --offline -p "$WORK/collections" "$WORK"/dist/flywp-cloud-*.tar.gz >/dev/null
INSTALLED=$WORK/collections/ansible_collections/flywp/cloud
[[ -f $INSTALLED/extensions/eda/plugins/event_source/changes.py ]] || die "the tarball has no event source"
say "flywp.cloud built and installed in $WORK/collections"

# --- the FlyWP API simulator, quick enough for a test ---

# A rate limit of 240 a minute: the source's share (0.25) is 60, one request a second, so a round of
# two or more requests takes longer than interval (1 s) and the source spreads its share evenly;
# the reactions' playbooks have the other 180. The unit tests (tests/unit/extensions/eda/) check
# the share at the contract's 60 a minute.
SOURCE_EVERY=1 # seconds between the source's requests: 60 / (0.25 x 240)
(cd "$ROOT" && exec setsid "$PYTHON" -m simulator --port 0 --url-file "$WORK/simulator.url" --rate-limit 240 \
    --delay-server-creating 0.5 --delay-server-provisioning 1 --delay-site-creating 0.5 \
    --delay-backup-pending 0.3 --delay-backup-running 0.5) >"$WORK/simulator.log" 2>&1 </dev/null &
SIM_PID=$!
for ((i = 0; i < 300; i++)); do
    [[ -s $WORK/simulator.url ]] && break
    kill -0 "$SIM_PID" 2>/dev/null || {
        cat "$WORK/simulator.log" >&2
        die "the simulator exited"
    }
    sleep 0.1
done
FLYWP_API_URL=$(head -n 1 "$WORK/simulator.url")
[[ $FLYWP_API_URL == http* ]] || die "the simulator gave no URL in 30 s"
FLYWP_API_TOKEN=eda-test-$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')
export FLYWP_API_URL FLYWP_API_TOKEN FLYWP_STATE_DIR=$WORK/state
api() { "$PYTHON" "$HERE/flywp_api.py" "$@"; }
api control POST /tokens "{\"token\": \"$FLYWP_API_TOKEN\"}" >/dev/null
say "simulator at $FLYWP_API_URL"

# Two servers there from the start: old-1 is removed while the rulebook watches, spare-1 while it
# is stopped; their host keys are in the known_hosts file the reaction cleans.
SEEDED=$(api control POST /seed '{"servers": [{"name": "old-1", "ip_address": "198.51.100.77"},
    {"name": "spare-1", "ip_address": "198.51.100.88"}]}')
seeded_id() { "$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["servers"][int(sys.argv[2])]["id"])' "$SEEDED" "$1"; }
OLD_ID=$(seeded_id 0)
SPARE_ID=$(seeded_id 1)
KEY='AAAAC3NzaC1lZDI1NTE5AAAAINKCezZNuLsERhiLxRzKmL3flWz85VJhdicM9WrShEiF'
printf '198.51.100.77 ssh-ed25519 %s\n198.51.100.88 ssh-ed25519 %s\n192.0.2.1 ssh-ed25519 %s\n' "$KEY" "$KEY" "$KEY" \
    >"$WORK/known_hosts"

# --- the rulebook's inventory and variables ---

cp -R "$INSTALLED/extensions/eda/inventory" "$WORK/inventory"
cat >"$WORK/inventory/group_vars/flywp.yml" <<EOF
---
flywp_eda_ssh_keys:
  - name: e2e-deploy
    public_key: ssh-ed25519 $KEY deploy@example.com
flywp_eda_cron_jobs:
  - command: wp cron event run --due-now
    frequency: "*/5 * * * *"
EOF
cat >"$WORK/inventory/group_vars/all.yml" <<EOF
---
flywp_eda_records: $WORK/records
flywp_eda_known_hosts: $WORK/known_hosts
EOF
mkdir -p "$WORK/records"
printf -- '---\nflywp_changes_interval: 1\n' >"$WORK/vars.yml"

# --- the rulebook ---

RULEBOOK_LOG=$WORK/rulebook.log
rulebook_says() { grep -q -- "$1" "$RULEBOOK_LOG"; }
# wait_for LABEL SECONDS COMMAND...: until COMMAND succeeds, or fail saying LABEL.
wait_for() {
    local label=$1 seconds=$2 i
    shift 2
    for ((i = 0; i < seconds * 5; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        [[ -z $RULEBOOK_PID ]] || kill -0 "$RULEBOOK_PID" 2>/dev/null || {
            tail -n 40 "$RULEBOOK_LOG" >&2
            die "ansible-rulebook ended while the test waited for $label"
        }
        sleep 0.2
    done
    tail -n 40 "$RULEBOOK_LOG" >&2
    die "$label did not happen within $seconds s"
}

# start_rulebook LOG: the quick start's command (docs/eda.md), with the test's variables, logging to LOG.
start_rulebook() {
    RULEBOOK_LOG=$1
    (cd "$WORK" && exec setsid ansible-rulebook -r flywp.cloud.flywp_changes -i "$WORK/inventory" \
        --vars "$WORK/vars.yml" -v) >"$RULEBOOK_LOG" 2>&1 </dev/null &
    RULEBOOK_PID=$!
}

start_rulebook "$WORK/rulebook.log"
wait_for "the source's first poll (its baseline)" "$TIMEOUT" rulebook_says 'Watching 2 servers'
say "ansible-rulebook is watching (pid $RULEBOOK_PID)"

records_count() { find "$WORK/records" -name '*.json' | wc -l; }
records_at_least() { (($(records_count) >= $1)); }

# The changes, made through the API as a user or another playbook would.
api control PATCH /config '{"fail_next": {"backup": 1}}' >/dev/null # the site's first backup fails
WEB=$(api call POST /servers '{"name": "web-1", "provider": "hetzner", "region": "fsn1"}')
WEB_ID=$("$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$WEB")
api wait "/servers/$WEB_ID" status ready "$TIMEOUT" >/dev/null
wait_for "the reaction to web-1 becoming ready" "$TIMEOUT" records_at_least 1
SITE=$(api call POST "/servers/$WEB_ID/sites" '{"domain": "blog.example.com", "php_version": "8.3"}')
SITE_ID=$("$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$SITE")
wait_for "the reactions to the site and its failed backup" "$TIMEOUT" records_at_least 3
api call DELETE "/servers/$OLD_ID" >/dev/null
wait_for "the reaction to old-1 being removed" "$TIMEOUT" records_at_least 4
# A while longer, nothing may come twice; the source alone sends requests meanwhile: its pace.
api control DELETE /requests >/dev/null
sleep 15
api control GET /requests >"$WORK/quiet-requests.json"
stop "$RULEBOOK_PID"
RULEBOOK_PID=''

# --- the checks ---

# records_are DIR 'KIND NAME CHANGE[,CHANGE]'...: the reactions recorded in DIR are these, one each.
records_are() {
    local directory=$1
    shift
    "$PYTHON" - "$(api records "$directory")" "$@" <<'EOF'
import sys
found = [tuple(line.split(' ', 2)) for line in sys.argv[1].splitlines()]
# The change each reaction saw: a status change, or an object first seen already so.
wanted = dict(((kind, name), changes.split(',')) for kind, name, changes in (spec.split(' ') for spec in sys.argv[2:]))
seen = sorted((kind, name) for kind, _change, name in found)
if seen != sorted(wanted) or any(change not in wanted[(kind, name)] for kind, change, name in found):
    sys.exit('the reactions recorded: %s' % (found,))
print('%d reactions, one each: %s' % (len(found), '; '.join(' '.join(record) for record in found)))
EOF
}
expected_records() {
    records_are "$WORK/records" 'server web-1 added,updated' 'site blog.example.com added,updated' \
        'backup full added,updated' 'server old-1 removed'
}
check "each change is reacted to exactly once" expected_records

ssh_key_and_cron() { # ssh_key_and_cron SERVER_ID NAME
    local keys crons
    keys=$(api call GET "/servers/$1/ssh-keys")
    crons=$(api call GET "/servers/$1/crons")
    [[ $keys == *'"name": "e2e-deploy"'* && $crons == *'"command": "wp cron event run --due-now"'* ]] || {
        echo "SSH keys: $keys; cron jobs: $crons"
        return 1
    }
    echo "$2 has the SSH key e2e-deploy and the cron job"
}
check "the ready server got the standard SSH key and cron job" ssh_key_and_cron "$WEB_ID" web-1

two_backups() {
    local backups
    backups=$(api call GET "/sites/$SITE_ID/backups")
    "$PYTHON" - "$backups" <<'EOF'
import json, sys
statuses = sorted(backup['status'] for backup in json.loads(sys.argv[1]))
if len(statuses) != 2 or statuses[0] == statuses[1] or 'failed' not in statuses:
    sys.exit('the site has backups in these statuses: %s' % statuses)
print('blog.example.com: a failed backup, and the new one (%s)' % [s for s in statuses if s != 'failed'][0])
EOF
}
check "the added site was backed up, and again after that backup failed" two_backups

host_key_forgotten() { # host_key_forgotten ADDRESS: it left known_hosts, and 192.0.2.1 stayed
    grep -q -F "$1 " "$WORK/known_hosts" && {
        echo "$1 is still in known_hosts"
        return 1
    }
    grep -q '^192\.0\.2\.1 ' "$WORK/known_hosts" || {
        echo "the other host key went too"
        return 1
    }
    echo "$1 left known_hosts, 192.0.2.1 stayed"
}
check "the removed server's host key was forgotten" host_key_forgotten 198.51.100.77

no_trouble() { # no_trouble LOG PLAYS
    if grep -n -E 'Traceback|Source error|Terminating|A poll failed|WARNING - The baseline' "$1"; then return 1; fi
    # Every playbook run, finished or not when the rulebook was stopped, printed its play's name.
    local plays
    plays=$(grep -c '^PLAY \[' "$1" || true)
    ((plays == $2)) || {
        grep '^PLAY \[' "$1"
        return 1
    }
    echo "no traceback, no failed poll, no baseline warning; $2 playbook runs, one a reaction"
}
check "ansible-rulebook's output: no error, no playbook run twice" no_trouble "$WORK/rulebook.log" 4

# The source's requests while nothing else ran: one every SOURCE_EVERY seconds (from one answer to
# the next request). The bound on the gaps is ten times that, so a busy machine does not fail the
# test, yet a source that spent its share in bursts (60 requests in the first seconds of a
# minute, then none until the next) does.
even_pace() { "$PYTHON" "$HERE/flywp_api.py" pace "$WORK/quiet-requests.json" "$((SOURCE_EVERY * 10))"; }
check "the source spreads its share evenly (interval 1 s, stretched to its share)" even_pace

# --- stopped, the account changed, started again on the same state directory ---

baseline_kept() {
    local files
    files=$(find "$FLYWP_STATE_DIR" -name 'changes-*.json')
    [[ -n $files && $(wc -l <<<"$files") == 1 ]] || {
        echo "the state directory holds: $(ls "$FLYWP_STATE_DIR")"
        return 1
    }
    if grep -q -F "$FLYWP_API_TOKEN" "$files"; then
        echo "$files holds the token"
        return 1
    fi
    echo "$(basename "$files") beside the budget's $(cd "$FLYWP_STATE_DIR" && ls state-*.json), without the token"
}
check "the source kept its baseline in the state directory" baseline_kept

NEW=$(api call POST /servers '{"name": "web-2", "provider": "hetzner", "region": "fsn1"}')
NEW_ID=$("$PYTHON" -c 'import json, sys; print(json.loads(sys.argv[1])["id"])' "$NEW")
api wait "/servers/$NEW_ID" status ready "$TIMEOUT" >/dev/null
api call DELETE "/servers/$SPARE_ID" >/dev/null
api control PATCH "/objects/server/$WEB_ID" '{"name": "web-1-renamed"}' >/dev/null
say "while it was stopped: web-2 created, spare-1 deleted, web-1 renamed web-1-renamed"

sed -i "s|^flywp_eda_records: .*|flywp_eda_records: $WORK/records-2|" "$WORK/inventory/group_vars/all.yml"
mkdir -p "$WORK/records-2"
start_rulebook "$WORK/rulebook-2.log"
wait_for "the first poll after the restart" "$TIMEOUT" rulebook_says 'this first poll reported what changed since the baseline'
records_2_at_least() { (($(find "$WORK/records-2" -name '*.json' | wc -l) >= $1)); }
wait_for "the reactions to web-2 and spare-1" "$TIMEOUT" records_2_at_least 2
sleep 6 # nothing more may come
stop "$RULEBOOK_PID"
RULEBOOK_PID=''

events_after_the_restart() {
    local found wanted
    found=$(sed -n 's/.*flywp\.cloud\.changes - INFO - Event: //p' "$WORK/rulebook-2.log" | sort)
    wanted=$(printf '%s\n' "server 'spare-1' removed (id $SPARE_ID)" \
        "server 'web-1-renamed' updated (id $WEB_ID): name changed" "server 'web-2' added (id $NEW_ID)" | sort)
    [[ $found == "$wanted" ]] || {
        printf 'the source reported:\n%s\n' "$found"
        return 1
    }
    echo "$(wc -l <<<"$found") events, one each: $(paste -s -d ';' <<<"$found")"
}
check "after the restart the source reported each change once, and nothing else" events_after_the_restart
check "and the reactions followed, once each" records_are "$WORK/records-2" 'server web-2 added' 'server spare-1 removed'
check "the server created meanwhile got the standard SSH key and cron job" ssh_key_and_cron "$NEW_ID" web-2
check "the server deleted meanwhile left known_hosts" host_key_forgotten 198.51.100.88
check "ansible-rulebook's output after the restart: no error, no playbook run twice" no_trouble "$WORK/rulebook-2.log" 2

# A bad argument ends ansible-rulebook at once, with one sentence and no traceback.
cat >"$WORK/bad.yml" <<'EOF'
---
- name: A bad argument
  hosts: all
  sources:
    - flywp.cloud.changes:
        interval: 0
  rules:
    - name: Never
      condition: event.flywp is defined
      action:
        debug:
EOF
bad_argument() {
    local output rc=0
    output=$(cd "$WORK" && timeout 60 ansible-rulebook -r "$WORK/bad.yml" -i "$WORK/inventory" 2>&1) || rc=$?
    ((rc != 0 && rc != 124)) || {
        echo "ansible-rulebook ended with $rc"
        return 1
    }
    [[ $output == *'flywp.cloud.changes: interval must be a number of seconds from 1 to 86400, not 0.'* ]] || {
        echo "$output"
        return 1
    }
    if grep -E 'changes\.py:[0-9]+|start_source|Traceback' <<<"$output"; then return 1; fi
    echo "ended with $rc: $(grep -o 'SourceError: flywp.cloud.changes: [^'"'"']*' <<<"$output" | head -n 1)"
}
check "a bad argument stops the rulebook with one sentence" bad_argument

# The decision environment definition makes an ansible-builder context (no container engine here).
decision_environment() {
    local context=$WORK/de-context file
    (cd "$ROOT/meta" && ansible-builder create -f decision-environment.yml -c "$context" >/dev/null) || return 1
    # ansible-builder names it Containerfile, or Dockerfile when podman is not found
    file=$(cat "$context"/Containerfile "$context"/Dockerfile "$context"/_build/requirements.* "$context"/_build/bindep.txt 2>/dev/null)
    for wanted in ansible-rulebook java-17-openjdk flywp.cloud requests 'ENV FLYWP_STATE_DIR=/var/lib/flywp.cloud'; do
        [[ $file == *"$wanted"* ]] || {
            echo "the build context does not mention $wanted"
            return 1
        }
    done
    echo "ansible-builder create: a context with ansible-rulebook, Java 17, flywp.cloud, requests and the state directory"
}
check "meta/decision-environment.yml is a valid ansible-builder definition" decision_environment

checks_summary eda
