#!/usr/bin/env bash
# make bench: the rate-limit benchmark (tools/bench/README.md). Arguments go to bench.py:
#   tools/bench/bench.sh [--quick] [--cases ABCD] [--sites-limit 60/60] [--output FILE]
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=../lib.sh
source "$(dirname "$0")/../lib.sh"

ensure_venv newest core
exec "$(venv_python newest)" "$ROOT/tools/bench/bench.py" "$@"
