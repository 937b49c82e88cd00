"""Where a run lost time against the rate limit: its request log, window by window.

    python tools/bench/windows.py build/bench/<date>/A-cron_loop/requests.json LIMIT WINDOW [clock]

The simulator's windows are fixed and start at the first request after the last one ended
(like Laravel's), or with `clock` at every multiple of WINDOW in unix time (the simulator's
rate_window_start: clock), so each line shows a window's start (seconds from the first request), the
idle time before it (since the previous window ended), the answers it held, and when its
last accepted request came. Idle gaps and windows not filled are the time a client lost;
with the run's run.json beside the log, also the time before the first request (Ansible's
start-up) and after the last.
"""

import json
import os
import sys


def windows(log, window, aligned=False):
    """The simulator's windows: [{start, accepted (any answer but 429), refused, last accepted}, ...]."""
    rows = []
    for entry in log:
        at = entry['time']
        if not rows or at >= rows[-1]['start'] + window:
            start = at // window * window if aligned else at
            rows.append({'start': start, 'accepted': 0, 'refused': 0, 'last': at})
        if entry['status'] == 429:
            rows[-1]['refused'] += 1
        else:
            rows[-1]['accepted'] += 1
            rows[-1]['last'] = at
    return rows


def main(argv):
    path, limit, window = argv[0], int(argv[1]), float(argv[2])
    aligned = argv[3:] == ['clock']
    with open(path, encoding='utf-8') as handle:
        log = json.load(handle)
    if not log:
        print('no requests')
        return 0
    first, previous_end = log[0]['time'], None
    print('%8s %8s %9s %8s %12s' % ('start s', 'idle s', 'accepted', '429s', 'last at s'))
    for row in windows(log, window, aligned):
        idle = 0.0 if previous_end is None else row['start'] - previous_end
        cells = (row['start'] - first, idle, row['accepted'], limit, row['refused'], row['last'] - first)
        print('%8.2f %8.2f %5d/%-3d %8d %12.2f' % cells)
        previous_end = row['start'] + window
    print('last request at %.2f s' % (log[-1]['time'] - first))
    run_path = os.path.join(os.path.dirname(path), 'run.json')
    if os.path.exists(run_path):  # the process's start and end, beside the log
        with open(run_path, encoding='utf-8') as handle:
            run = json.load(handle)
        before, after = first - run['started'], run['ended'] - log[-1]['time']
        print('first request %.2f s after the start; the end %.2f s after the last request' % (before, after))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
