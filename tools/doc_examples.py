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
lists, inventories and other files are not run. Each example gets a FlyWP account of its
own (the simulator reset, holding only what SEEDS says the example presupposes) and a
machine of its own (an empty FLYWP_STATE_DIR). A file the example reads with
lookup('ansible.builtin.file', 'NAME.pub') is made with `ssh-keygen -t ed25519 -f NAME`,
as the guides say. It fails when an example fails, or when it prints a warning: a
newcomer's first run should not show one.
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

FENCE = re.compile(r'^```yaml\n(.*?)^```$', re.MULTILINE | re.DOTALL)
PUBLIC_KEY_FILE = re.compile(r"""lookup\(\s*['"]ansible\.builtin\.file['"]\s*,\s*['"]([^'"]+\.pub)['"]\s*\)""")
WARNING = re.compile(r'^\[(?:DEPRECATION )?WARNING\]:.*$', re.MULTILINE)
# Asynchronous states end at once: the examples wait as written, without taking the time.
NO_DELAYS = {'delays': {'server_creating': 0, 'server_provisioning': 0, 'site_creating': 0, 'site_deleting': 0,
                        'backup_pending': 0, 'backup_running': 0}}
# What an example presupposes on the account, by (guide, name of its first play).
WEB_1 = {'servers': [{'name': 'web-1', 'sites': [{'domain': 'example.com'}]}]}
SEEDS = {
    # backup_servers names two servers of the account, with sites to back up
    ('roles/backup/README.md', 'Nightly backups'): {'servers': [
        {'name': 'web-1', 'sites': [{'domain': 'shop.example.com'}, {'domain': 'blog.example.com'}]},
        {'name': 'web-2', 'sites': [{'domain': 'example.org'}]},
    ]},
    # flywp.cloud.api acts on a server and a site that exist
    ('docs/any-endpoint.md', 'example.com on PHP 8.2'): WEB_1,
    ("docs/any-endpoint.md", "Purge example.com's cache after a deploy"): WEB_1,
    ('docs/any-endpoint.md', 'A database for reports, its password kept once'): WEB_1,
    ('docs/any-endpoint.md', 'The domains of web-1'): WEB_1,
}


def guides(root):
    names = ['README.md'] + sorted(os.path.join('docs', name) for name in os.listdir(os.path.join(root, 'docs'))
                                   if name.endswith('.md'))
    names += sorted(os.path.join('roles', role, 'README.md') for role in os.listdir(os.path.join(root, 'roles'))
                    if os.path.isfile(os.path.join(root, 'roles', role, 'README.md')))
    return names


def examples(root):
    """(guide, line, name of the first play, text) of each example playbook."""
    found = []
    for guide in guides(root):
        with open(os.path.join(root, guide), encoding='utf-8') as handle:
            text = handle.read()
        for match in FENCE.finditer(text):
            plays = yaml.safe_load(match.group(1))
            # A rulebook's rulesets have hosts too, and sources and rules (docs/eda.md): not plays.
            if isinstance(plays, list) and plays and all(
                    isinstance(play, dict) and 'hosts' in play and 'sources' not in play for play in plays):
                line = text.count('\n', 0, match.start()) + 1
                found.append((guide, line, plays[0].get('name', ''), match.group(1)))
    return found


def control(url, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method, headers={'Content-Type': 'application/json'})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read() or b'null')


def main(root, project, control_url):
    failed = []
    for guide, line, name, text in examples(root):
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
        control(control_url, 'POST', '/reset', {})
        control(control_url, 'PATCH', '/config', NO_DELAYS)
        if (guide, name) in SEEDS:
            control(control_url, 'POST', '/seed', SEEDS[guide, name])
        with tempfile.TemporaryDirectory(prefix='flywp-example-state.') as state:
            started = time.monotonic()
            run = subprocess.run(['ansible-playbook', playbook], cwd=project, env=dict(os.environ, FLYWP_STATE_DIR=state),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, check=False)
        warnings = WARNING.findall(run.stdout)
        if run.returncode or warnings:
            print(run.stdout)
            problem = 'ansible-playbook failed' if run.returncode else 'warnings: ' + ' '.join(warnings)
            failed.append('%s (%s): %s' % (where, name, problem))
            print('FAILED: ' + failed[-1])
        else:
            recap = re.search(r'^localhost\s+:\s+(.*)$', run.stdout, re.MULTILINE)
            summary = ' '.join(recap.group(1).split()) if recap else ''
            print('ok: %s (%s), as written: %s (%.0f s)' % (where, name, summary, time.monotonic() - started))
    if not failed:
        print('ok: every example playbook of the README and the guides runs as written')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
