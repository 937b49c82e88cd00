#!/usr/bin/env bash
# The flywp.cloud.flywp inventory plugin through ansible-inventory and ansible-playbook,
# against the FlyWP API simulator.
#
# ansible-test runs this script in the target's directory and, unlike a role target, does
# not pass integration_config.yml as variables: the simulator's URLs and the token are read
# from ../../integration_config.yml. The token goes into the environment with tracing off,
# and is never printed.
set -eux

config=$(cd ../.. && pwd)/integration_config.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The value of a top-level "key: value" of the config file, without quotes.
setting() {
    sed -n "s/^$1:[[:space:]]*[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$config"
}

{ set +x; } 2>/dev/null
FLYWP_API_TOKEN=$(setting flywp_api_token)
INVENTORY_TEST_TOKEN=$FLYWP_API_TOKEN # for options.flywp.yml, which reads it with a lookup
export FLYWP_API_TOKEN INVENTORY_TEST_TOKEN
set -x
FLYWP_API_URL=$(setting flywp_api_url)
export FLYWP_API_URL
[[ -n $FLYWP_API_URL && -n $(setting flywp_simulator_url) ]]
ANSIBLE_ROLES_PATH=$(cd .. && pwd) # setup_flywp
export ANSIBLE_ROLES_PATH

playbook() {
    ansible-playbook -i localhost, -e "@$config" -e "work=$work" "$@"
}

# Reset the simulator and seed a fleet: small or large.
prepare() {
    playbook prepare.yml -e "fleet=$1"
}

# Check what a case wrote to $work, and the requests it sent: checks/CASE.yml.
check() {
    playbook check.yml -e "case=$1" "${@:2}"
}

# Exit with an error if the API token is in one of these files or directories.
no_token() {
    { set +x; } 2>/dev/null
    if grep -rqF -- "$FLYWP_API_TOKEN" "$@"; then
        echo "The API token was found in $*" >&2
        exit 1
    fi
    set -x
}

# The text of a file on one line: the messages of older ansible-core versions are wrapped.
one_line() {
    tr '\n' ' ' <"$1" | tr -s ' '
}

# Every ready server, default groups, prefixed variables: --list and --graph.
prepare small
ansible-inventory -i inventories/defaults.flywp.yml --list --output "$work/defaults.json" 2>"$work/defaults.err"
ansible-inventory -i inventories/defaults.flywp.yml --graph >"$work/defaults.graph"
check defaults
no_token "$work"

# The token from a lookup (not from FLYWP_API_TOKEN), filters, host names, sites, compose.
env -u FLYWP_API_TOKEN ansible-inventory -i inventories/options.flywp.yml --list --output "$work/options.json"
check options

# What AWX imports (--list --export): plain values are plain strings; a server named with a
# template gets another host name, its values that hold the template stay marked unsafe,
# and a play that uses them never runs the template.
prepare templates
ansible-inventory -i inventories/export.flywp.yml --list --export --output "$work/export.json"
check export
ansible-playbook -i inventories/export.flywp.yml -e "work=$work" use.yml
[[ ! -e $work/ran ]]
no_token "$work"

# A misspelt option fails the source, naming it; a misspelt status warns.
if ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true ansible-inventory -i inventories/unknown_option.flywp.yml --list \
    >"$work/unknown_option.out" 2>"$work/unknown_option.err"; then
    echo "ansible-inventory took an unknown option" >&2
    exit 1
fi
one_line "$work/unknown_option.err" | grep -qF 'has no option include_site (did you mean include_sites?)'
ansible-inventory -i inventories/unknown_status.flywp.yml --list >"$work/unknown_status.out" 2>"$work/unknown_status.err"
one_line "$work/unknown_status.err" | grep -qF "status 'redy' is not a FlyWP server status"

# 250 servers: one request a page of 100.
prepare large
ansible-inventory -i inventories/defaults.flywp.yml --list --output "$work/pages.json"
check pages

# The cache: a second run sends nothing; --flush-cache and an expired cache fetch again.
export ANSIBLE_INVENTORY_CACHE_CONNECTION=$work/cache
ansible-inventory -i inventories/cached.flywp.yml --list --output "$work/cache.json"
check cache -e pages=3
ansible-inventory -i inventories/cached.flywp.yml --list --output "$work/cache.json"
check cache -e pages=0
[[ -n $(ls -A "$work/cache") ]]
no_token "$work/cache"
if ansible-inventory --help | grep -qF -- --flush-cache; then
    ansible-inventory -i inventories/cached.flywp.yml --flush-cache --list --output "$work/cache.json"
else # before ansible-core 2.19, only ansible-playbook has --flush-cache
    ansible-playbook -i inventories/cached.flywp.yml --flush-cache count.yml -e count=250
fi
check cache -e pages=3
# The cache written by the flushed run is made 2 seconds older than a cache_timeout of 1
# second (the jsonfile cache compares its files' modification time with the clock).
find "$work/cache" -type f -exec touch -d '2 seconds ago' {} +
ANSIBLE_INVENTORY_CACHE_TIMEOUT=1 ansible-inventory -i inventories/cached.flywp.yml --list --output "$work/cache.json"
check cache -e pages=3
no_token "$work/cache"
unset ANSIBLE_INVENTORY_CACHE_CONNECTION

# A bad token or URL: the API's reason, no traceback; fatal when unparsed sources are.
prepare small
if FLYWP_API_TOKEN=not-a-valid-token ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED=true \
    ansible-inventory -i inventories/defaults.flywp.yml --list >"$work/bad_token.out" 2>"$work/bad_token.err"; then
    echo "ansible-inventory succeeded with a bad token" >&2
    exit 1
fi
one_line "$work/bad_token.err" | grep -qF 'The FlyWP API answered 401 to GET /servers: the API token was not accepted.'
FLYWP_API_URL=${FLYWP_API_URL%/api/v1}/api/v9 ansible-inventory -i inventories/defaults.flywp.yml --list \
    >"$work/bad_url.out" 2>"$work/bad_url.err"
one_line "$work/bad_url.err" | grep -qF 'The FlyWP API answered 404 to GET /servers'
if grep -F Traceback "$work"/bad_*; then exit 1; fi
no_token "$work"

# A playbook reaches a server host of the inventory.
prepare small
ansible-playbook -i inventories/reach.flywp.yml -e "work=$work" reach.yml
