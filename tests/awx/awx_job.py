# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The AWX side of tests/awx/run.sh: inject a credential as AWX does, and read a job's results.

  awx_job.py inject INPUTS INJECTORS CREDENTIAL_JSON ENVVARS
      Render the credential type's `env` injectors from a credential's inputs the way AWX
      does (CredentialType.inject_credential: a Jinja2 ImmutableSandboxedEnvironment, the
      inputs left empty are left out of the namespace) and write them to a runner
      env/envvars file. Also check the type marks api_token secret.
  awx_job.py stats ARTIFACT_DIR CHANGED
      The job's playbook_on_stats event: no failure, no unreachable host, something ok,
      and changed hosts (CHANGED=yes) or none (CHANGED=no).
  awx_job.py task ARTIFACT_DIR TASK PATH=VALUE...
      The last runner_on_ok event of the task named TASK has a result where each dotted
      PATH (changed, server.name) holds VALUE (read as JSON when it parses: true, 3).
  awx_job.py inventory OUTPUT_JSON HOST [UNSAFE_PATH...]
      The output of `ansible-inventory --list --export` holds HOST in the group flywp,
      with its FlyWP host variables and no API token among them. AWX stores each variable
      as the JSON value it reads: ansible_host must be a plain string, and only a string
      that could be a template may be listed as {"__ansible_unsafe": "..."} (which the
      inventory AWX hands to a job turns back into an unsafe string); each UNSAFE_PATH
      (such as flywp_sites[0].title) must be.

Each command prints one line saying what it found, and exits 1 when the check fails.
"""

from __future__ import annotations

import glob
import json
import os
import re
import sys

import yaml
from jinja2 import sandbox


IPV4 = re.compile(r'^[0-9]{1,3}([.][0-9]{1,3}){3}$')
TEMPLATE_MARKS = re.compile(r'[{}]|#jinja2:')


class CheckFailed(Exception):
    pass


def unsafe_wrappers(value, path):
    """(path, text) of every {"__ansible_unsafe": text} in a variable's value."""
    if isinstance(value, dict):
        if set(value) == {'__ansible_unsafe'}:
            return [(path, value['__ansible_unsafe'])]
        return [found for key, item in value.items() for found in unsafe_wrappers(item, '%s.%s' % (path, key))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in unsafe_wrappers(item, '%s[%d]' % (path, index))]
    return []


def inject(inputs_file, injectors_file, credential_file, envvars_file):
    with open(inputs_file) as handle:
        inputs = yaml.safe_load(handle)
    with open(injectors_file) as handle:
        injectors = yaml.safe_load(handle)
    with open(credential_file) as handle:
        credential = json.load(handle)
    fields = dict((field['id'], field) for field in inputs['fields'])
    if not fields.get('api_token', {}).get('secret'):
        raise CheckFailed('the credential type does not mark api_token secret')
    missing = [name for name in inputs.get('required', []) if not credential.get(name)]
    if missing:
        raise CheckFailed('the credential lacks the required inputs %s' % ', '.join(missing))
    unknown = sorted(set(credential) - set(fields))
    if unknown:
        raise CheckFailed('the credential has inputs the type does not declare: %s' % ', '.join(unknown))
    # As AWX: an input left empty is not in the namespace, so it renders as ''.
    namespace = dict((name, value) for name, value in credential.items() if value)
    templates = sandbox.ImmutableSandboxedEnvironment()
    env = dict((name, templates.from_string(template).render(**namespace))
               for name, template in injectors.get('env', {}).items())
    if set(injectors) - {'env'}:
        raise CheckFailed('the injectors use more than env: %s' % ', '.join(sorted(injectors)))
    os.makedirs(os.path.dirname(envvars_file), exist_ok=True)
    with open(envvars_file, 'w') as handle:
        yaml.safe_dump(env, handle, default_flow_style=False)
    os.chmod(envvars_file, 0o600)
    shown = dict((name, '********' if any(credential.get(field) and credential[field] in value
                                          for field in fields if fields[field].get('secret')) else value)
                 for name, value in env.items())
    return 'injected %s' % ', '.join('%s=%s' % item for item in sorted(shown.items()))


def events(artifact_dir):
    found = []
    for path in glob.glob(os.path.join(artifact_dir, 'job_events', '*.json')):
        with open(path) as handle:
            found.append(json.load(handle))
    if not found:
        raise CheckFailed('no job events in %s' % artifact_dir)
    return sorted(found, key=lambda event: event.get('counter', 0))


def stats(artifact_dir, changed):
    final = [event for event in events(artifact_dir) if event.get('event') == 'playbook_on_stats']
    if len(final) != 1:
        raise CheckFailed('%d playbook_on_stats events, not 1' % len(final))
    data = final[0]['event_data']
    counts = dict((name, sum((data.get(name) or {}).values())) for name in ('ok', 'changed', 'failures', 'dark', 'skipped'))
    summary = ', '.join('%s=%d' % item for item in sorted(counts.items()))
    if counts['failures'] or counts['dark']:
        raise CheckFailed('the job failed: %s' % summary)
    if not counts['ok']:
        raise CheckFailed('nothing ran: %s' % summary)
    if changed == 'yes' and not counts['changed']:
        raise CheckFailed('the job changed nothing: %s' % summary)
    if changed == 'no' and counts['changed']:
        raise CheckFailed('the job changed something: %s' % summary)
    return 'playbook_on_stats: %s' % summary


def task(artifact_dir, name, *expectations):
    results = [event['event_data'] for event in events(artifact_dir)
               if event.get('event') == 'runner_on_ok' and event.get('event_data', {}).get('task') == name]
    if not results:
        raise CheckFailed('no runner_on_ok event for the task %r' % name)
    res = results[-1].get('res', {})
    for expectation in expectations:
        path, text = expectation.split('=', 1) if '=' in expectation else (expectation, '')
        try:
            wanted = json.loads(text)
        except ValueError:
            wanted = text
        value = res
        for part in path.split('.'):
            value = value.get(part) if isinstance(value, dict) else None
        if value != wanted:
            raise CheckFailed('the task %r returned %s = %r, not %r' % (name, path, value, wanted))
    return 'task %r: %s' % (name, ', '.join(expectations))


def inventory(output_file, host, *unsafe_paths):
    with open(output_file) as handle:
        data = json.load(handle)
    hostvars = data.get('_meta', {}).get('hostvars', {})
    if host not in hostvars:
        raise CheckFailed('no host %r in the inventory (hosts: %s)' % (host, ', '.join(sorted(hostvars)) or 'none'))
    if host not in data.get('flywp', {}).get('hosts', []):
        raise CheckFailed('the host %r is not in the group flywp' % host)
    variables = hostvars[host]
    for name in ('flywp_id', 'flywp_status', 'flywp_ip_address', 'flywp_sites'):
        if name not in variables:
            raise CheckFailed('the host %r has no %s (variables: %s)' % (host, name, ', '.join(sorted(variables))))
    leaked = [name for name in variables if 'token' in name.lower()]
    if leaked:
        raise CheckFailed('the host %r has token variables: %s' % (host, ', '.join(leaked)))
    if not isinstance(variables.get('ansible_host'), str) or not IPV4.match(variables['ansible_host']):
        raise CheckFailed('AWX would store ansible_host as %s, not as an IP address' % json.dumps(variables.get('ansible_host')))
    wrapped = [found for name, value in sorted(variables.items()) for found in unsafe_wrappers(value, name)]
    plain_but_wrapped = [path for path, text in wrapped if not TEMPLATE_MARKS.search(text)]
    if plain_but_wrapped:
        raise CheckFailed('AWX would store these variables as {"__ansible_unsafe": ...} dicts: %s' % ', '.join(plain_but_wrapped))
    not_wrapped = sorted(set(unsafe_paths) - set(path for path, text in wrapped))
    if not_wrapped:
        raise CheckFailed('these variables hold a template but are not marked unsafe: %s' % ', '.join(not_wrapped))
    groups = sorted(name for name, group in data.items() if name != '_meta' and host in (group.get('hosts') or []))
    sites = len(variables['flywp_sites'])
    return 'inventory: %s with %d site%s, groups %s, ansible_host %s; marked unsafe: %s' % (
        host, sites, '' if sites == 1 else 's', ', '.join(groups), variables['ansible_host'],
        ', '.join(path for path, text in wrapped) or 'nothing')


def main(argv):
    # command: (function, fewest arguments, most arguments)
    commands = {'inject': (inject, 4, 4), 'stats': (stats, 2, 2), 'task': (task, 3, None), 'inventory': (inventory, 2, None)}
    command = commands.get(argv[1] if len(argv) > 1 else None)
    arguments = argv[2:]
    if command is None or len(arguments) < command[1] or command[2] is not None and len(arguments) > command[2]:
        sys.stderr.write(__doc__)
        return 2
    try:
        print(command[0](*arguments))
    except CheckFailed as failure:
        print('FAILED: %s' % failure)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
