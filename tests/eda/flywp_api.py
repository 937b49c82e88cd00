# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What tests/eda/run.sh asks of the FlyWP API (the simulator), standard library only.

    flywp_api.py call METHOD PATH [JSON]          one request to the API; prints the data as JSON
    flywp_api.py control METHOD PATH [JSON]       one request to the simulator's control API
    flywp_api.py wait PATH FIELD VALUE SECONDS    until GET PATH's FIELD is VALUE; prints the object
    flywp_api.py records DIR                      the reactions recorded in DIR, one line each, sorted
    flywp_api.py pace FILE MOST                   the times of a request log saved in FILE (control GET
                                                  /requests); fails when two are more than MOST s apart

The API URL and token come from FLYWP_API_URL and FLYWP_API_TOKEN.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request


def request(method, url, body=None, token=None):
    headers = {'Accept': 'application/json', 'Content-Type': 'application/json'}
    if token:
        headers['Authorization'] = 'Bearer ' + token
    data = json.dumps(body).encode() if body is not None else None
    sent = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            text = answer.read().decode() or 'null'
    except urllib.error.HTTPError as error:
        sys.exit('%s %s answered %d: %s' % (method, url, error.code, error.read().decode()[:500]))
    payload = json.loads(text)
    return payload.get('data', payload) if isinstance(payload, dict) else payload


def api(method, path, body=None):
    return request(method, os.environ['FLYWP_API_URL'].rstrip('/') + path, body, os.environ['FLYWP_API_TOKEN'])


def control(method, path, body=None):
    base = os.environ['FLYWP_API_URL'].rstrip('/').rsplit('/api/', 1)[0]
    return request(method, base + '/_simulator' + path, body)


def wait(path, field, value, seconds):
    deadline = time.monotonic() + float(seconds)
    while True:
        found = api('GET', path)
        if str(found.get(field)) == value:
            return found
        if time.monotonic() > deadline:
            sys.exit('GET %s: %s is still %r after %s s, not %r' % (path, field, found.get(field), seconds, value))
        time.sleep(0.2)


def records(directory):
    lines = []
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name), encoding='utf-8') as handle:
            record = json.load(handle)
        lines.append('%s %s %s' % (record['kind'], record['change'], record['name']))
    return sorted(lines)


def pace(path, most):
    with open(path, encoding='utf-8') as handle:
        times = sorted(entry['time'] for entry in json.load(handle)['requests'])
    if len(times) < 3:
        sys.exit('%d requests in the log: too few to show a pace' % len(times))
    gaps = [later - earlier for earlier, later in zip(times, times[1:])]
    said = '%d requests over %.1f s, at %s s; gaps %.1f to %.1f s' % (
        len(times), times[-1] - times[0], ', '.join('%.1f' % (time_ - times[0]) for time_ in times), min(gaps), max(gaps))
    if max(gaps) > float(most):
        sys.exit('%s: more than %s s' % (said, most))
    return said


def main(argv):
    command, args = argv[1], argv[2:]
    if command in ('call', 'control'):
        body = json.loads(args[2]) if len(args) > 2 else None
        print(json.dumps((api if command == 'call' else control)(args[0], args[1], body), sort_keys=True))
    elif command == 'wait':
        print(json.dumps(wait(*args), sort_keys=True))
    elif command == 'records':
        print('\n'.join(records(args[0])))
    elif command == 'pace':
        print(pace(*args))
    else:
        sys.exit('unknown command %r' % command)


if __name__ == '__main__':
    main(sys.argv)
