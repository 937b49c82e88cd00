#!/usr/bin/env bash
# Create or update the venvs: tools/venv.sh [newest] [2.18]  (default: both).
# .venv      the newest ansible-core this machine's Python allows, plus the lint/doc tools
# .venv-2.18 ansible-core 2.18, the oldest this collection supports
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

names=("$@")
((${#names[@]})) || names=(newest 2.18)
for name in "${names[@]}"; do
    ensure_venv "$name"
    version=$("$(venv_dir "$name")/bin/ansible" --version)
    say "$(venv_dir "$name"): Python $(venv_python_version "$name"), ${version%%$'\n'*}"
done
