#!/usr/bin/env bash
# make demo: set up .venv, start the FlyWP API simulator, run playbooks/demo.yml against
# it, show the dynamic inventory, and stop the simulator whatever happens.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

ensure_venv newest core
bin=$(venv_dir newest)/bin

# The collection is used from the working tree, through .cache/collections (a symlink).
collections=$ROOT/.cache/collections
mkdir -p "$collections/ansible_collections/flywp"
ln -sfn ../../../.. "$collections/ansible_collections/flywp/cloud"

trap stop_simulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
start_simulator "$ROOT" "$bin/python"

export FLYWP_API_URL=$SIM_API_URL FLYWP_API_TOKEN=$DEMO_TOKEN
export ANSIBLE_COLLECTIONS_PATH=$collections PATH="$bin:$PATH"
# The demo plays run on localhost: no inventory file needed, no warning about it.
export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false
quiet_ansible_core_dsa_warning # not ours, nor the newcomer's to act on (tools/lib.sh)
cd "$ROOT"

say "ansible-playbook playbooks/demo.yml   (FLYWP_API_URL=$FLYWP_API_URL)"
ansible-playbook playbooks/demo.yml

say "ansible-inventory -i playbooks/demo.flywp.yml --graph"
ansible-inventory -i playbooks/demo.flywp.yml --graph
