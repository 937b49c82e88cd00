"""Run every example playbook of the README and the guides, as it is written.

    python tools/doc_examples.py ROOT PROJECT CONTROL_URL

ROOT is the collection tree whose README.md, docs/*.md and roles/*/README.md are read.
PROJECT is a project laid out as docs/examples/project/, with the collection installed in
it: each example is written there as a playbook of its own and run with ansible-playbook
from there, as a user would after the guide's first steps. The environment is the
caller's, with FLYWP_API_TOKEN and FLYWP_API_URL (the simulator) and no other FlyWP
setting. CONTROL_URL is the simulator's control API (http://127.0.0.1:PORT/_simulator).

An example playbook is a ```yaml block that is a list of plays (each with `hosts`, and no
`sources`, which makes it a rulebook); task
lists, inventories and other files are not run. The examples run in the order a reader
meets them: the README's, then those of the guides its Documentation section links, in
that order, then any other guide's. Each example gets a FlyWP account of its own (the
simulator reset: a fresh account, as a newcomer's) and a machine of its own (an empty
FLYWP_STATE_DIR), except where CONTINUES says a guide's examples go on from
another's, as a reader runs them one after the other. A file the example reads with
lookup('ansible.builtin.file', 'NAME.pub') is made with `ssh-keygen -t ed25519 -f NAME`,
as the guides say. It fails when an example fails, or when it prints a warning (Ansible's,
or a Python warning): a newcomer's first run should not show one. Output a guide shows
right after an example (a plain ``` block that starts as Ansible's output does, with only
prose between the two) must be in what the run prints, line for line.
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request

import yaml

PUBLIC_KEY_FILE = re.compile(r"""lookup\(\s*['"]ansible\.builtin\.file['"]\s*,\s*['"]([^'"]+\.pub)['"]\s*\)""")
WARNING = re.compile(r'^(?:\[(?:DEPRECATION )?WARNING\]:|\S+\.py:\d+: \w*Warning: ).*$', re.MULTILINE)
# A plain block that shows Ansible's output: the run must print it.
ANSIBLE_OUTPUT = re.compile(r'^(?:ok|changed|fatal|skipping): \[|^(?:TASK|PLAY) \[|^PLAY RECAP')
# Asynchronous states end at once: the examples wait as written, without taking the time.
NO_DELAYS = {'delays': {'server_creating': 0, 'server_provisioning': 0, 'site_creating': 0, 'site_deleting': 0,
                        'backup_pending': 0, 'backup_running': 0}}
# A guide whose examples run on the account and machine another guide's examples left, as a
# reader who runs one after the other has them: the backup role's README backs up what the
# fleet role's README made (the README lists the fleet role first).
CONTINUES = {'roles/backup/README.md': 'roles/fleet/README.md'}
LINK = re.compile(r'\]\(([^)#\s]+\.md)(?:#[^)]*)?\)')


def guides(root):
    """README.md, then the guides its Documentation section links, in its order, then the others."""
    with open(os.path.join(root, 'README.md'), encoding='utf-8') as handle:
        readme = handle.read()
    section = re.search(r'^## Documentation\n(.*?)(?=^## |\Z)', readme, re.MULTILINE | re.DOTALL)
    linked = [os.path.normpath(path) for path in LINK.findall(section.group(1) if section else '')]
    others = sorted(os.path.join('docs', name) for name in os.listdir(os.path.join(root, 'docs')) if name.endswith('.md'))
    others += sorted(os.path.join('roles', role, 'README.md') for role in os.listdir(os.path.join(root, 'roles'))
                     if os.path.isfile(os.path.join(root, 'roles', role, 'README.md')))
    names = ['README.md']
    for name in linked + others:
        if name not in names and os.path.isfile(os.path.join(root, name)):
            names.append(name)
    return names


def is_playbook(text):
    try:
        plays = yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    # A rulebook's rulesets have hosts too, and sources and rules (docs/eda.md): not plays.
    return isinstance(plays, list) and bool(plays) and all(
        isinstance(play, dict) and 'hosts' in play and 'sources' not in play for play in plays)


def examples(root):
    """(guide, line, name of the first play, text, shown output or None) of each example playbook."""
    found = []
    for guide in guides(root):
        with open(os.path.join(root, guide), encoding='utf-8') as handle:
            text = handle.read()
        fences = list(re.finditer(r'^```(\w*)\n(.*?)^```$', text, re.MULTILINE | re.DOTALL))
        for index, fence in enumerate(fences):
            if fence.group(1) != 'yaml' or not is_playbook(fence.group(2)):
                continue
            after = fences[index + 1] if index + 1 < len(fences) else None
            shown = None
            if after and not after.group(1) and ANSIBLE_OUTPUT.match(after.group(2)) and \
                    not re.search(r'^#', text[fence.end():after.start()], re.MULTILINE):  # prose between, no heading
                shown = after.group(2)
            line = text.count('\n', 0, fence.start()) + 1
            found.append((guide, line, yaml.safe_load(fence.group(2))[0].get('name', ''), fence.group(2), shown))
    for guide, previous in CONTINUES.items():
        order = [example[0] for example in found]
        if guide in order and (previous not in order or order.index(previous) > order.index(guide)):
            raise SystemExit('%s goes on from the examples of %s, which a reader meets after it (or not at all)'
                             % (guide, previous))
    return found


def shows(output, shown):
    """Whether output holds the shown lines, one after the other (trailing spaces aside)."""
    lines = [line.rstrip() for line in output.splitlines()]
    wanted = [line.rstrip() for line in shown.strip('\n').splitlines()]
    return any(lines[start:start + len(wanted)] == wanted for start in range(len(lines) - len(wanted) + 1))


def control(url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b'null')


def main(root, project, control_url):
    failed = []
    state, last_guide = None, None
    for guide, line, name, text, shown in examples(root):
        where = '%s:%d' % (guide, line)
        playbook = 'example-%s-%d.yml' % (re.sub(r'[^a-z0-9]+', '-', guide.lower()).strip('-'), line)
        with open(os.path.join(project, playbook), 'w', encoding='utf-8') as handle:
            handle.write(text)
        for path in PUBLIC_KEY_FILE.findall(text):
            key = os.path.join(project, path)
            if not os.path.exists(key):
                os.makedirs(os.path.dirname(key), exist_ok=True)
                subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'example', '-f', key[:-4]],
                               check=True)
        # The first example of a guide that goes on from the one just run keeps its account.
        goes_on = state is not None and CONTINUES.get(guide) == last_guide
        if not goes_on:
            if state is not None:
                state.cleanup()
            state = tempfile.TemporaryDirectory(prefix='flywp-example-state.')
            control(control_url, 'POST', '/reset', {})
            control(control_url, 'PATCH', '/config', NO_DELAYS)
        last_guide = guide
        started = time.monotonic()
        run = subprocess.run(['ansible-playbook', playbook], cwd=project, env=dict(os.environ, FLYWP_STATE_DIR=state.name),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        warnings = WARNING.findall(run.stdout)
        problem = None
        if run.returncode:
            problem = 'ansible-playbook failed'
        elif warnings:
            problem = 'warnings: ' + ' '.join(warnings)
        elif shown is not None and not shows(run.stdout, shown):
            problem = 'the output the guide shows after it is not what it printed:\n' + shown
        if problem:
            print(run.stdout)
            failed.append('%s (%s): %s' % (where, name, problem))
            print('FAILED: ' + failed[-1])
        else:
            recap = re.search(r'^localhost\s+:\s+(.*)$', run.stdout, re.MULTILINE)
            summary = ' '.join(recap.group(1).split()) if recap else ''
            print('ok: %s (%s)%s, as written%s: %s (%.0f s)' % (
                where, name, ', after %s' % CONTINUES[guide] if goes_on else '',
                ', with the output it shows' if shown is not None else '', summary, time.monotonic() - started))
    if state is not None:
        state.cleanup()
    if not failed:
        print('ok: every example playbook of the README and the guides runs as written, in the order a reader meets them')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
