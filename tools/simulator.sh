#!/usr/bin/env bash
# Run the FlyWP API simulator in the foreground: tools/simulator.sh [--port N] [more options]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

ensure_venv newest core >&2
cd "$ROOT"
((${#})) || set -- --port 8765
exec "$(venv_python newest)" -m simulator "$@"
