#!/usr/bin/env bash
# The test pipeline: tools/test.sh [STEP...]  (default: every step); tools/test.sh --list: the steps
#
# A step of each ansible-core version (CORE: 2.15 ... 2.22, tools/lib.sh CORES; NEWEST: the
# main venv's, 2.21; EE: the cores of AWX's and Automation Controller's execution
# environments, 2.15 and 2.16):
#   sanity-CORE              ansible-test sanity --venv (no ignore files allowed): every test on
#                            NEWEST, the tests whose outcome depends on the core on the others
#   units-CORE               plain pytest over tests/unit, in the core's venv
#   units-ansible-test       ansible-test units, on NEWEST (a fork a test: the costly way)
#   integration-CORE         ansible-test integration against the simulator, on EE and NEWEST
#   awx-CORE                 tests/awx/run.sh (if it exists), on EE and NEWEST
# and once:
#   ansible-lint             production profile, offline
#   docs                     antsibull-docs lint-collection-docs --plugin-docs
#   docs-site                the HTML documentation site (tools/docs_site.sh --check)
#   changelog                antsibull-changelog lint
#   build                    ansible-galaxy collection build + install + ansible-doc smoke check
#   project                  the tarball in a user's project (tools/project_layout.sh)
#   ee                       ansible-builder create + introspect (if meta/execution-environment.yml)
#   eda                      tests/eda/run.sh (if it exists)
#   report-browser           tests/report/run.sh: the report role's page rendered by headless Chromium
#   bench-smoke              make bench's case C in its quick form: the benchmark still runs (no timing checked)
#   galaxy-importer          Galaxy's import checks on the tarball, offline, no warning allowed (tools/galaxy_importer.sh)
#   workflows                .github/workflows/: actionlint, and every command they run is the repository's
#                            (tools/workflows.sh)
# A name without its version stands for all of them (sanity, units, integration, awx);
# STEP-newest for NEWEST's (pytest: units-NEWEST). A step of a core no Python here runs is
# skipped, and says so.
#
# Two lanes run the steps, two at a time (most steps keep one core busy, and the machines
# this runs on have two), each lane taking the longest step still to run (ORDER). A lane
# runs ansible-test in a copy of the working tree of its own, at
# build/ansible_collections/flywp/cloud (lane 1) and build/lane-2/ansible_collections/flywp/cloud
# (lane 2): ansible-test writes into the tree it runs in. A step's output goes to
# build/logs/STEP.log and is shown whole when the step ends, with a line of its own; the
# timings table says how long each step took and in which lane, and the last line counts
# them. Steps given on the command line run in the same way; a single step runs in the
# foreground, its output shown as it comes.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"

# --list: the steps as declared (NEWEST_CORE's), whatever Pythons are here, one a line; the
# workflows' check (tools/workflow_commands.py) holds .github/workflows/ to them.
if [[ ${1:-} == --list ]]; then MAIN_CORE=$NEWEST_CORE; else find_pythons; fi
NEWEST=$(main_core)
MAIN_CORE=$NEWEST # known from here on, in every subshell
LANE_CORES=("${EE_CORES[@]}") # integration and awx
[[ " ${EE_CORES[*]} " == *" $NEWEST "* ]] || LANE_CORES+=("$NEWEST")
# The sanity tests whose outcome depends on the core (its module loader, argument spec and
# documentation schemas, its Pythons), run on every core; the others look at the code alone
# (pylint, pep8, yamllint, the shell scripts' and the boilerplate checks) and run on NEWEST.
CORE_SANITY_TESTS=(ansible-doc compile import runtime-metadata validate-modules)

ALL_STEPS=()
for core in "${CORES[@]}"; do ALL_STEPS+=("sanity-$core"); done
for core in "${CORES[@]}"; do ALL_STEPS+=("units-$core"); done
ALL_STEPS+=(units-ansible-test)
for core in "${LANE_CORES[@]}"; do ALL_STEPS+=("integration-$core"); done
ALL_STEPS+=(ansible-lint docs docs-site changelog build project ee)
for core in "${LANE_CORES[@]}"; do ALL_STEPS+=("awx-$core"); done
ALL_STEPS+=(eda report-browser bench-smoke galaxy-importer workflows)
# The order in which the lanes take the steps: the longest first, so that the short ones
# fill the end of both lanes.
ORDER=("integration-$NEWEST")
for core in "${EE_CORES[@]}"; do ORDER+=("integration-$core"); done
ORDER+=("sanity-$NEWEST" units-ansible-test "awx-$NEWEST")
for core in "${EE_CORES[@]}"; do ORDER+=("awx-$core"); done
for core in "${CORES[@]}"; do [[ $core == "$NEWEST" ]] || ORDER+=("sanity-$core"); done
ORDER+=(ansible-lint)
for core in "${CORES[@]}"; do ORDER+=("units-$core"); done
ORDER+=(project galaxy-importer docs-site build bench-smoke ee eda report-browser docs changelog workflows)
if [[ ${1:-} == --list ]]; then
    printf '%s\n' "${ALL_STEPS[@]}"
    exit 0
fi
SKIP=77 # a step returns this when it has nothing to check (yet)
LANES=2
LOG_DIR=$BUILD_DIR/logs

# The steps asked for: a group name (sanity) stands for its steps, STEP-newest for NEWEST's.
requested=("$@")
((${#requested[@]})) || requested=("${ALL_STEPS[@]}")
steps=()
for step in "${requested[@]}"; do
    case $step in
        pytest) step=units-$NEWEST ;;
        *-newest) step=${step%-newest}-$NEWEST ;;
    esac
    found=''
    for known in "${ALL_STEPS[@]}"; do
        if [[ $known == "$step" ]] || [[ $step == @(sanity|units|integration|awx) && $known == "$step"-* ]]; then
            [[ " ${steps[*]} " == *" $known "* ]] || steps+=("$known")
            found=yes
        fi
    done
    [[ -n $found ]] || die "unknown step '$step' (steps: ${ALL_STEPS[*]}; groups: sanity units integration awx)"
done

# --- the steps (each runs in a subshell with set -e) ---

skip() {
    echo "$*" >"$SKIP_NOTE"
    exit "$SKIP"
}

# The Python a core's sanity tests run on: its venv's; but the oldest core's run on the modules'
# floor, when it is here (tests/config.yml: ansible-core 2.15 is the only core whose controller
# runs on it), so compile and import check the modules there.
MODULES_PYTHON=3.9
sanity_python() {
    if [[ $1 == "${CORES[0]}" && -n ${PYTHONS[$MODULES_PYTHON]:-} ]]; then echo "$MODULES_PYTHON"; else venv_python_version "$1"; fi
}

# ansible_test CORE PYTHON ARGS...: ansible-test of the core's venv, in the copy of the tree,
# for Python X.Y (found on the PATH as pythonX.Y: the venv's own, or build/pythons/).
ansible_test() {
    local core=$1 python=$2
    shift 2
    cd "$COLLECTION_COPY"
    PATH="$(venv_dir "$core")/bin:$PYTHONS_DIR:$PATH" ansible-test "$@" --python "$python" --color no
}

has_unit_tests() { [[ -n $(find "$1/tests/unit" \( -name 'test_*.py' -o -name '*_test.py' \) -print -quit 2>/dev/null) ]]; }

step_sanity() {
    local core=$1 python test tests=()
    if compgen -G "$COLLECTION_COPY/tests/sanity/ignore-*.txt" >/dev/null; then
        echo "sanity ignore files are not allowed; fix the code instead:" >&2
        compgen -G "$COLLECTION_COPY/tests/sanity/ignore-*.txt" >&2
        return 1
    fi
    if [[ $core != "$NEWEST" ]]; then
        for test in "${CORE_SANITY_TESTS[@]}"; do tests+=(--test "$test"); done
    fi
    python=$(sanity_python "$core")
    write_get_pip_shim "$core" "$python"
    ansible_test "$core" "$python" sanity --venv "${tests[@]}"
}

# Plain pytest, in the core's venv: the same tests as ansible-test units, at a fraction of the CPU.
step_units() {
    cd "$ROOT"
    local rc=0
    "$(venv_python "$1")" -m pytest -p no:cacheprovider tests/unit || rc=$?
    if ((rc == 5)) && ! has_unit_tests "$ROOT"; then skip "no unit tests yet"; fi
    return "$rc"
}

step_units_ansible_test() {
    has_unit_tests "$COLLECTION_COPY" || skip "no unit tests yet"
    ansible_test "$NEWEST" "$(venv_python_version "$NEWEST")" units
}

step_integration() {
    local target found=''
    for target in "$COLLECTION_COPY"/tests/integration/targets/*/; do
        # setup_* and prepare_* targets only serve the others (ansible-test's convention)
        [[ $(basename "$target") == @(setup|prepare)_* ]] && continue
        [[ -n $(ls -A "$target" 2>/dev/null) ]] && found=yes
    done
    [[ -n $found ]] || skip "no integration targets yet"
    # ansible-test passes HOME to the targets, not FLYWP_STATE_DIR, so the collection keeps its
    # shared state (state_file.py) under HOME, and setup_flywp forgets every budget file there.
    # A HOME of the run's own keeps two runs at once (the two lanes, another checkout) from
    # forgetting each other's names and budgets, and leaves the developer's own state alone.
    INTEGRATION_HOME=$(mktemp -d "${TMPDIR:-/tmp}/flywp-integration-home.XXXXXX")
    trap 'stop_simulator; rm -rf "$INTEGRATION_HOME"' EXIT
    start_simulator "$COLLECTION_COPY" "$(venv_python "$1")"
    cat >"$COLLECTION_COPY/tests/integration/integration_config.yml" <<EOF
---
flywp_api_url: $SIM_API_URL
flywp_api_token: $DEMO_TOKEN
flywp_simulator_url: $SIM_CONTROL_URL
EOF
    # shellcheck disable=SC2086 # INTEGRATION_TARGETS: some targets only, space-separated (development)
    HOME=$INTEGRATION_HOME ansible_test "$1" "$(venv_python_version "$1")" integration ${INTEGRATION_TARGETS:-}
}

step_ansible_lint() {
    cd "$ROOT"
    PATH="$(venv_dir newest)/bin:$PATH" ANSIBLE_COLLECTIONS_PATH=$BUILD_DIR ansible-lint --offline
    # A user's playbook with typos, in a project of its own where no token is set: the typos
    # are reported, the token is not.
    local out project=$BUILD_DIR/lint-project
    rm -rf "$project"
    mkdir -p "$project"
    cp tests/lint/user_playbook_with_typos.yml "$project/play.yml"
    git -C "$project" init -q .
    out=$(
        cd "$project" || exit 1
        env -u FLYWP_API_TOKEN PATH="$(venv_dir newest)/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$BUILD_DIR" \
            ansible-lint --offline --nocolor --format=pep8 play.yml 2>&1 || true
    )
    grep 'args\[module\]' <<<"$out" || true
    grep -q 'php_verison' <<<"$out" || die "ansible-lint did not report php_verison in tests/lint/"
    grep -q 'presentt' <<<"$out" || die "ansible-lint did not report state: presentt in tests/lint/"
    if grep -qi 'required.*api_token' <<<"$out"; then die "ansible-lint asked for api_token in tests/lint/"; fi
    echo "tests/lint/user_playbook_with_typos.yml: both typos reported, nothing about the token"
}

step_docs() {
    cd "$COLLECTION_COPY"
    PATH="$(venv_dir newest)/bin:$PATH" antsibull-docs lint-collection-docs --plugin-docs .
}

step_docs_site() {
    bash "$ROOT/tools/docs_site.sh" --check "$COLLECTION_COPY"
}

step_changelog() {
    cd "$ROOT"
    "$(venv_dir newest)/bin/antsibull-changelog" lint
}

step_build() {
    local bin dist=$BUILD_DIR/dist scratch=$BUILD_DIR/installed modules
    bin=$(venv_dir newest)/bin
    rm -rf "$dist" "$scratch"
    cd "$BUILD_DIR" # not inside an ansible_collections tree, so only the installed copy is seen
    export ANSIBLE_COLLECTIONS_PATH=$scratch
    "$bin/ansible-galaxy" collection build "$COLLECTION_COPY" --output-path "$dist"
    "$bin/ansible-galaxy" collection install --offline -p "$scratch" "$dist"/flywp-cloud-*.tar.gz
    "$bin/ansible-galaxy" collection list -p "$scratch" flywp.cloud
    modules=("$scratch"/ansible_collections/flywp/cloud/plugins/modules/[a-z]*.py)
    if [[ -f ${modules[0]} ]]; then
        local doc module
        module=$(basename "${modules[0]}" .py)
        doc=$("$bin/ansible-doc" "flywp.cloud.$module")
        head -n 12 <<<"$doc"
        echo "[... ansible-doc flywp.cloud.$module: $(wc -l <<<"$doc") lines]"
    else
        echo "no module to show with ansible-doc yet"
    fi
}

step_project() {
    bash "$ROOT/tools/project_layout.sh" "$COLLECTION_COPY"
}

step_ee() {
    [[ -f $ROOT/meta/execution-environment.yml ]] || skip "no meta/execution-environment.yml yet"
    local bin
    bin=$(venv_dir newest)/bin
    cd "$COLLECTION_COPY"
    rm -rf "$BUILD_DIR/ee-context"
    # introspect reads the file's relative paths (python: requirements.txt) against the
    # collection root; a copy there makes create read them the same way.
    cp meta/execution-environment.yml .execution-environment.yml
    "$bin/ansible-builder" create -f .execution-environment.yml -c "$BUILD_DIR/ee-context"
    rm -f .execution-environment.yml
    PATH="$bin:$PATH" "$bin/ansible-builder" introspect --sanitize "$BUILD_DIR"
}

step_awx() {
    [[ -f $ROOT/tests/awx/run.sh ]] || skip "no tests/awx/run.sh yet"
    cd "$ROOT"
    PATH="$(venv_dir "$1")/bin:$PATH" bash tests/awx/run.sh
}

# The rulebook test sets up its own venv (ansible-rulebook); it needs the main venv's Python.
step_eda() {
    [[ -f $ROOT/tests/eda/run.sh ]] || skip "no tests/eda/run.sh yet"
    cd "$ROOT"
    PATH="$(venv_dir newest)/bin:$PATH" bash tests/eda/run.sh
}

# The report role's page in a real browser; Chromium is installed when missing (as root, with
# apt-get), else the step fails saying what to install.
step_report_browser() {
    cd "$ROOT"
    PATH="$(venv_dir newest)/bin:$PATH" bash tests/report/run.sh
}

step_bench_smoke() {
    cd "$ROOT"
    tools/bench/bench.sh --quick --cases C --strict
}

step_galaxy_importer() {
    bash "$ROOT/tools/galaxy_importer.sh" "$COLLECTION_COPY"
}

step_workflows() {
    bash "$ROOT/tools/workflows.sh"
}

# step_core STEP: the ansible-core version a step is of (nothing for the others).
step_core() {
    case $1 in
        units-ansible-test) echo "$NEWEST" ;;
        sanity-* | units-* | integration-* | awx-*) echo "${1#*-}" ;;
    esac
}

describe() {
    local core what
    core=$(step_core "$1")
    case $1 in
        sanity-*) what="ansible-test sanity$([[ $core == "$NEWEST" ]] || echo ", the core's tests")" ;;
        units-ansible-test) what="ansible-test units" ;;
        units-*) what=pytest ;;
        integration-*) what="ansible-test integration" ;;
        awx-*) what=tests/awx/run.sh ;;
        *) echo "$1" && return ;;
    esac
    local python
    python=$(if [[ $1 == sanity-* ]]; then sanity_python "$core"; else venv_python_version "$core"; fi)
    echo "$what ($(venv_core_version "$core")$([[ $core != "$PRERELEASE_CORE" ]] || echo ', a pre-release'), Python $python)"
}

# CPU_SECONDS: the CPU seconds (user and system) of this shell's children that have ended,
# from bash's `times` (second line). Set, not printed: in a $(...) subshell, times counts
# nothing.
count_cpu() {
    local user system minutes seconds value milliseconds=0
    times >"$LOG_DIR/.times.$BASHPID"
    { read -r _ _ && read -r user system; } <"$LOG_DIR/.times.$BASHPID"
    rm -f "$LOG_DIR/.times.$BASHPID"
    for value in "$user" "$system"; do # 1m2.345s
        minutes=${value%%m*} seconds=${value#*m}
        seconds=${seconds%s}
        milliseconds=$((milliseconds + (10#$minutes * 60 + 10#${seconds%.*}) * 1000 + 10#${seconds#*.}))
    done
    CPU_SECONDS=$((milliseconds / 1000))
}

# Run one step, once its set-up is there: its output to the terminal ($1 = live) or to
# build/logs/STEP.log, shown whole when it ends. Its outcome and time go to
# build/logs/STEP.result.
run_step() {
    local mode=$1 step=$2 func arg core rc start cpu_before label outcome line log=$LOG_DIR/$2.log
    core=$(step_core "$step")
    if [[ -n $core && -z $(core_python "$core") ]]; then
        echo "skipped 0 $LANE 0" >"$LOG_DIR/$step.result"
        echo "--- $step: skipped, no Python here runs ansible-core $core ($(core_pythons "$core" | tr ' ' '\n' | sort -V | xargs))"
        return
    fi
    # shellcheck disable=SC2046 # needs prints one job a line
    if ! await_jobs $(needs "$step"); then
        echo "FAILED 0 $LANE 0" >"$LOG_DIR/$step.result"
        echo "--- $step: FAILED, its set-up ($(needs "$step" | xargs)) failed"
        return
    fi
    case $step in
        units-ansible-test) func=step_units_ansible_test arg='' ;;
        sanity-* | units-* | integration-* | awx-*) func=step_${step%%-*} arg=$core ;;
        *) func=step_${step//-/_} arg='' ;;
    esac
    label="$step: $(describe "$step")"
    SKIP_NOTE=$LOG_DIR/$step.skip
    : >"$SKIP_NOTE"
    count_cpu
    start=$SECONDS cpu_before=$CPU_SECONDS
    if [[ $mode == live ]]; then
        echo
        say "$label"
    else
        say "$label: started (lane $LANE, output in ${log#"$ROOT"/})"
    fi
    set +e
    if [[ $mode == live ]]; then
        (
            set -e
            "$func" "$arg"
        ) 2>&1 | quiet_pip | tee "$log"
    else
        (
            set -e
            "$func" "$arg"
        ) 2>&1 | quiet_pip >"$log"
    fi
    rc=${PIPESTATUS[0]}
    set -e
    count_cpu
    local took=$((SECONDS - start)) cpu=$((CPU_SECONDS - cpu_before))
    if ((rc == 0)); then
        outcome=ok line="--- $step: ok (${took} s)"
    elif ((rc == SKIP)) && [[ -s $SKIP_NOTE ]]; then
        outcome=skipped line="--- $step: skipped, $(cat "$SKIP_NOTE") (${took} s)"
    else
        outcome=FAILED line="--- $step: FAILED with exit code $rc (${took} s)"
    fi
    rm -f "$SKIP_NOTE"
    echo "$outcome $took $LANE $cpu" >"$LOG_DIR/$step.result"
    if [[ $mode == live ]]; then
        echo "$line"
    else
        # One step's output at a time, whole, however the lanes' steps end.
        (
            flock 9
            echo
            say "$label (lane $LANE)"
            cat "$log"
            echo "$line"
        ) 9>"$LOG_DIR/.terminal.lock"
    fi
}

# A lane: run the steps it takes from the queue (build/logs/.queue, one step a line) until
# none is left.
run_lane() {
    LANE=$1
    local step
    if ((LANE > 1)); then COLLECTION_COPY=$BUILD_DIR/lane-$LANE/ansible_collections/flywp/cloud; fi
    while step=$(next_step) && [[ -n $step ]]; do
        run_step logged "$step"
    done
}

# Take the next step of the queue, in order (a lane then waits for the step's set-up: taking
# a later step instead would hold back the longest one); nothing when the queue is empty.
next_step() {
    (
        flock 9
        head -n 1 "$LOG_DIR/.queue"
        sed -i 1d "$LOG_DIR/.queue"
    ) 9>"$LOG_DIR/.queue.lock"
}

# --- set-up, then the steps ---

begin=$SECONDS
rm -rf "$LOG_DIR"
mkdir -p "$LOG_DIR"

# The steps asked for, in the order the lanes take them; one lane when only one step is.
queue=()
for step in "${ORDER[@]}"; do
    [[ " ${steps[*]} " == *" $step "* && " ${queue[*]} " != *" $step "* ]] && queue+=("$step")
done
lanes=$LANES
((${#queue[@]} > 1)) || lanes=1

# The venvs and shellcheck are made in the background, SETUP_JOBS at a time (pip waits on the
# network as much as on the CPU), in the order the steps need them; a step starts as soon as
# what it needs is there: the steps of a core do not wait for the other venvs, nor the tests
# for the main venv's tools.
SETUP_JOBS=3
setup() {
    case $1 in
        shellcheck) ensure_shellcheck ;;
        tools) await_jobs "$NEWEST" && ensure_venv "$NEWEST" tools ;; # into the main venv, once its core is there
        *) ensure_venv "$1" core && write_get_pip_shim "$1" ;;
    esac
}

# What a step needs of the set-up: its core's venv (the steps that run the lint, docs and
# packaging tools, and the AWX test on the main venv, its tools too), and shellcheck for the
# whole sanity set.
needs() {
    local core
    core=$(step_core "$1")
    case $1 in
        "awx-$NEWEST" | ansible-lint | docs | docs-site | changelog | project | ee) echo "$NEWEST" tools ;;
        *) echo "${core:-$NEWEST}" ;;
    esac
    if [[ $1 == "sanity-$NEWEST" || $1 == workflows ]]; then echo shellcheck; fi
}

# One set-up job; build/logs/set-up-JOB.done (or .failed) says when it is over.
set_up() {
    local job=$1 start=$SECONDS rc=0 line
    (setup "$job") >"$LOG_DIR/set-up-$job.log" 2>&1 || rc=$?
    if ((rc == 0)); then line="--- set-up $job: done ($((SECONDS - start)) s)"; else line="--- set-up $job: FAILED ($((SECONDS - start)) s)"; fi
    (
        flock 9
        cat "$LOG_DIR/set-up-$job.log"
        echo "$line"
    ) 9>"$LOG_DIR/.terminal.lock"
    if ((rc == 0)); then touch "$LOG_DIR/set-up-$job.done"; else touch "$LOG_DIR/set-up-$job.failed"; fi
}

# Wait until these set-up jobs are over; fail when one of them failed.
await_jobs() {
    local job
    for job in "$@"; do
        until [[ -e $LOG_DIR/set-up-$job.done ]]; do
            [[ ! -e $LOG_DIR/set-up-$job.failed ]] || return 1
            sleep 1
        done
    done
}

# The set-up jobs in the order the lanes need them; none for a core no Python here runs.
setup_jobs=()
for step in "${queue[@]}"; do
    core=$(step_core "$step")
    [[ -z $core || -n $(core_python "$core") ]] || continue
    for job in $(needs "$step"); do
        [[ " ${setup_jobs[*]} " == *" $job "* ]] || setup_jobs+=("$job")
    done
done
say "set-up: ${setup_jobs[*]}, in the background, $SETUP_JOBS at a time"
(
    for job in "${setup_jobs[@]}"; do
        while (($(jobs -rp | wc -l) >= SETUP_JOBS)); do wait -n || true; done
        set_up "$job" &
    done
    wait
) &
setup_pid=$!

# pythonX.Y of every Python here, for ansible-test --python X.Y (a venv has only its own).
PYTHONS_DIR=$BUILD_DIR/pythons
rm -rf "$PYTHONS_DIR"
mkdir -p "$PYTHONS_DIR"
for version in "${!PYTHONS[@]}"; do
    [[ -z ${PYTHONS[$version]} ]] || ln -s "${PYTHONS[$version]}" "$PYTHONS_DIR/python$version"
done

say "set-up: copying the working tree to $COLLECTION_COPY"
sync_collection_copy
for ((lane = 2; lane <= lanes; lane++)); do
    rm -rf "$BUILD_DIR/lane-$lane"
    mkdir -p "$BUILD_DIR/lane-$lane/ansible_collections/flywp"
    cp -a "$COLLECTION_COPY" "$BUILD_DIR/lane-$lane/ansible_collections/flywp/cloud"
done

if ((lanes == 1)); then
    LANE=1
    for step in "${queue[@]}"; do run_step live "$step"; done
else
    echo
    say "${#queue[@]} steps in $lanes lanes"
    printf '%s\n' "${queue[@]}" >"$LOG_DIR/.queue"
    lane_pids=()
    for ((lane = 1; lane <= lanes; lane++)); do
        run_lane "$lane" &
        lane_pids+=($!)
    done
    for pid in "${lane_pids[@]}"; do wait "$pid" || true; done
fi
wait "$setup_pid" || true

# The outcomes, in the pipeline's order.
passed=() failed=() skipped=() timings=()
for step in "${ALL_STEPS[@]}"; do
    [[ " ${steps[*]} " == *" $step "* ]] || continue
    outcome=FAILED took=0 lane='-' cpu=0
    if [[ -s $LOG_DIR/$step.result ]]; then read -r outcome took lane cpu <"$LOG_DIR/$step.result"; fi
    case $outcome in
        ok) passed+=("$step") ;;
        skipped) skipped+=("$step") ;;
        *) failed+=("$step") outcome=FAILED ;;
    esac
    timings+=("$(printf '%-20s %5d s  %-8s lane %s  %5d s of CPU' "$step" "$took" "$outcome" "$lane" "$cpu")")
done

echo
say "timings"
printf '  %s\n' "${timings[@]}"
count_cpu
echo "  total                $((SECONDS - begin)) s  (set-up included; $CPU_SECONDS s of CPU)"
((${#skipped[@]} == 0)) || echo "skipped steps: ${skipped[*]}"
((${#failed[@]} == 0)) || echo "failed steps: ${failed[*]}"
summary="make-test: ${#passed[@]} passed, ${#failed[@]} failed"
((${#skipped[@]} == 0)) || summary+=", ${#skipped[@]} skipped"
echo "$summary"
((${#failed[@]} == 0))
