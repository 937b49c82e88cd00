#!/usr/bin/env bash
# The collection has a role named backup (roles/backup), which ansible-test would run in
# place of a role target of the same name; so this target runs its tasks from a playbook.
set -eux
ANSIBLE_ROLES_PATH=.. ansible-playbook runme.yml -i "${INVENTORY_PATH}" -e @../../integration_config.yml "$@"
