#!/usr/bin/env bash
# The report role's page in a real browser: the role renders the account of a seeded simulator
# (tests/report/seed.py: a small agency's account, one server named with markup), headless
# Chromium opens the file, and check_dom.py reads the DOM it rendered: every server and site
# is there as text, the title is the role's, and no markup from the API became an element or
# ran. A page with a script of its own, opened the same way, shows the check can fail.
#
#   tests/report/run.sh [--screenshot DIR] [--servers N --sites S] [--keep DIR]
#
#   --screenshot DIR   also write DIR/report.png (1280 px wide) and DIR/report-phone.png (390 px)
#   --servers N        N generated servers of --sites S sites each (default 10) instead
#   --keep DIR         keep the page, the seed and the DOM in DIR
#
# It needs the main venv's Python (ansible-core, on PATH first: `make test` runs it so) and
# Chromium: $CHROMIUM, else the first of chromium, chromium-browser and google-chrome on the
# PATH (GitHub's runners have google-chrome); where none is, the script installs Debian's
# package when it runs as root with apt-get, and fails saying what to install otherwise. It is
# never skipped.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CHROMIUM_PACKAGE=chromium
TITLE='FlyWP fleet'

say() { printf '==> %s\n' "$*"; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

screenshots='' servers='' sites=10 keep=''
while (($#)); do
    case $1 in
        --screenshot) screenshots=$2 && shift 2 ;;
        --servers) servers=$2 && shift 2 ;;
        --sites) sites=$2 && shift 2 ;;
        --keep) keep=$2 && shift 2 ;;
        *) die "unknown argument $1 (see the top of $0)" ;;
    esac
done

find_chromium() {
    local name
    for name in ${CHROMIUM:-} chromium chromium-browser google-chrome; do
        command -v "$name" >/dev/null 2>&1 && browser=$name && return 0
    done
    return 1
}

browser=''
ensure_chromium() {
    find_chromium && return 0
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        say "installing $CHROMIUM_PACKAGE (the page is checked in a real browser)"
        # --no-upgrade: nothing else of the machine changes.
        DEBIAN_FRONTEND=noninteractive apt-get install --no-upgrade -y -q "$CHROMIUM_PACKAGE" >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install --no-upgrade -y -q "$CHROMIUM_PACKAGE" >/dev/null 2>&1; } ||
            die "apt-get could not install $CHROMIUM_PACKAGE"
        hash -r
    fi
    find_chromium || die "the browser check needs Chromium, and this script cannot install it here: install the package $CHROMIUM_PACKAGE (Debian, Ubuntu: apt-get install chromium; Fedora: dnf install chromium), or run it as root with apt-get"
}

python=$(command -v python3) || die "python3 is not on the PATH"
"$python" -c 'import ansible' 2>/dev/null || die "$python has no ansible-core: put the main venv's bin first on PATH (make test does)"
ensure_chromium

work=$(mktemp -d "${TMPDIR:-/tmp}/flywp-report.XXXXXX")
sim_pid=''
cleanup() {
    if [[ -n $sim_pid ]]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
    if [[ -n $keep ]]; then # also when a check failed: that is when they are looked at
        mkdir -p "$keep"
        for file in report.html seed.json dom.html; do [[ ! -e $work/$file ]] || cp "$work/$file" "$keep/"; done
        say "kept in $keep: report.html, seed.json, dom.html"
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# chromium_headless ARGS... FILE: one headless run, with a profile of its own and nothing
# fetched in the background (no updates, sync or component downloads).
chromium_headless() {
    local profile
    profile=$(mktemp -d "$work/profile.XXXXXX")
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" "$@" 2>>"$work/chromium.log"
}

# The control: Chromium, run this way, does run a page's own script (else the check below could not fail).
printf '<!DOCTYPE html><html><head><title>before</title></head><body><script>document.title="after"</script></body></html>' >"$work/control.html"
chromium_headless --dump-dom "file://$work/control.html" | grep -q '<title>after</title>' ||
    die "Chromium did not run the control page's script; its log: $(tail -n 5 "$work/chromium.log")"

# The simulator: the rate limit out of reach and no waits, since neither is what is checked.
mkdir -p "$work/collections/ansible_collections/flywp"
ln -s "$ROOT" "$work/collections/ansible_collections/flywp/cloud"
(cd "$ROOT" && exec "$python" -m simulator --port 0 --url-file "$work/url" --rate-limit 1000000 \
    --delay-server-creating 0 --delay-server-provisioning 0 --delay-site-creating 0 \
    --delay-backup-pending 0 --delay-backup-running 0 >"$work/simulator.log" 2>&1) &
sim_pid=$!
for _ in $(seq 100); do [[ -s $work/url ]] && break; sleep 0.1; done
[[ -s $work/url ]] || die "the simulator did not start: $(cat "$work/simulator.log")"
api_url=$(cat "$work/url")

"$python" "$HERE/seed.py" ${servers:+--servers "$servers" --sites "$sites"} >"$work/seed.json"
# 100 servers a request: the simulator takes bodies of up to 1 MiB.
"$python" - "${api_url%/api/v1}/_simulator/seed" "$work/seed.json" <<'PY'
import json, sys, urllib.request
with open(sys.argv[2], encoding='utf-8') as handle:
    servers = json.load(handle)['servers']
for start in range(0, len(servers), 100):
    body = json.dumps({'servers': servers[start:start + 100]}).encode()
    request = urllib.request.Request(sys.argv[1], data=body, method='POST', headers={'Content-Type': 'application/json'})
    urllib.request.urlopen(request, timeout=300).read()
PY

say "the report role renders the simulator's account"
FLYWP_API_URL=$api_url FLYWP_API_TOKEN=flywp-demo-token FLYWP_STATE_DIR=$work/state \
    ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_PYTHON_INTERPRETER=$python ANSIBLE_NOCOLOR=1 \
    ansible-playbook -i localhost, "$HERE/report.yml" -e "report_path=$work/report.html" >"$work/ansible.out" 2>&1 ||
    { cat "$work/ansible.out"; die "the report role failed"; }
grep -F 'marked for attention' "$work/ansible.out" | sed 's/^ *"msg": //'

say "Chromium renders it"
chromium_headless --dump-dom "file://$work/report.html" >"$work/dom.html"
"$python" "$HERE/check_dom.py" "$work/dom.html" "$work/seed.json" "$TITLE"

if [[ -n $screenshots ]]; then
    mkdir -p "$screenshots"
    chromium_headless --hide-scrollbars --window-size=1280,1400 --screenshot="$screenshots/report.png" "file://$work/report.html" >/dev/null
    chromium_headless --hide-scrollbars --window-size=390,1400 --screenshot="$screenshots/report-phone.png" "file://$work/report.html" >/dev/null
    say "screenshots: $screenshots/report.png, $screenshots/report-phone.png"
fi
