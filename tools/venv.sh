#!/usr/bin/env bash
# Create or update the venvs: tools/venv.sh [CORE...]  (default: every core a Python here runs)
# .venv       the main venv: the newest stable ansible-core (tools/lib.sh NEWEST_CORE), or the
#             newest this machine's Pythons run, plus the lint, docs and packaging tools
# .venv-CORE  ansible-core CORE (2.15 ... 2.22), one a core make test runs (tools/lib.sh CORES)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

find_pythons
MAIN_CORE=$(main_core)
cores=("$@")
if ((${#cores[@]} == 0)); then
    for core in "${CORES[@]}"; do
        if [[ -n $(core_python "$core") ]]; then cores+=("$core"); else warn "no Python here runs ansible-core $core"; fi
    done
fi
for core in "${cores[@]}"; do
    ensure_venv "$core"
    say "$(venv_dir "$core"): Python $(venv_python_version "$core"), ansible-core $(venv_core_version "$core")"
done
