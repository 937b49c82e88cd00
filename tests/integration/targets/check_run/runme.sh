#!/usr/bin/env bash
# A check run's predictions live as long as that run: --check of a playbook that would create
# the server it-delta and a site on it passes (the site task shows what it would do, with a
# warning); --check of a second playbook with only the site then fails, as nothing in that
# run creates it-delta. The modules get the run's identity from the collection's action
# plugins, so this runs them as users do, through ansible-playbook, on one state directory.
set -eux
# shellcheck source=../setup_flywp/files/simulator.sh
source ../setup_flywp/files/simulator.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export FLYWP_STATE_DIR=$work/state ANSIBLE_NOCOLOR=1
flywp_reset

# Whether a run's output says this; older cores wrap warnings over lines.
said() {
    tr -s ' \n' '  ' <"$1" | grep -qF -- "$2"
}

ansible-playbook -i localhost, -e "@$FLYWP_CONFIG" --check server_and_site.yml >"$work/first.out" 2>&1 || {
    cat "$work/first.out"
    exit 1
}
said "$work/first.out" 'does not exist yet: an earlier task of this check run would create it' || {
    cat "$work/first.out"
    exit 1
}

if ansible-playbook -i localhost, -e "@$FLYWP_CONFIG" --check site.yml >"$work/second.out" 2>&1; then
    cat "$work/second.out"
    echo 'The second check run saw the first one'"'"'s prediction' >&2
    exit 1
fi
said "$work/second.out" "There is no FlyWP server named 'it-delta'" || {
    cat "$work/second.out"
    exit 1
}
