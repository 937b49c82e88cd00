#!/usr/bin/env bash
# A cancelled job leaves nothing broken (cancel.py says how each point is reached): AWX cancels a
# job with SIGTERM, then SIGKILL after a grace period. At each point of a server + site + cron
# chain the job is stopped with each signal, and the same job run again must converge: no
# object made twice, the state file readable, its lock free, no process of the job left.
set -eux
# shellcheck source=../setup_flywp/files/simulator.sh
source ../setup_flywp/files/simulator.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$FLYWP_PYTHON" cancel.py "$FLYWP_CONFIG" "$work"
