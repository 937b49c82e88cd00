# shellcheck shell=bash
# The checks of the tests/*/run.sh scripts; source it.
#
#   check LABEL COMMAND...   run a check: print "ok  LABEL: its last line", or FAILED with all it said
#   checks_summary NAME      print "NAME: N passed, N failed"; fail when one failed

passed=0
failed=0

check() {
    local label=$1 output
    shift
    if output=$("$@" 2>&1); then
        passed=$((passed + 1))
        printf 'ok      %s: %s\n' "$label" "${output##*$'\n'}"
    else
        failed=$((failed + 1))
        printf 'FAILED  %s\n' "$label"
        printf '        %s\n' "${output//$'\n'/$'\n'        }"
    fi
}

checks_summary() {
    echo "$1: $passed passed, $failed failed"
    ((failed == 0))
}
