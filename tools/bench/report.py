# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The bench's report: where and on what it ran, what each case is, and the table (Markdown)."""

import os
import platform
import subprocess
import time

COLUMNS = ('case', 'run', 'limit', 'must send', 'floor s', 'wall s', 'wall/floor', 'requests', '429s', 'failed',
           'peak MiB', 'result')


def _command(argv, cwd=None):
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return ''


def _cpu_model():
    try:
        with open('/proc/cpuinfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown CPU'


def _memory_gib():
    try:
        with open('/proc/meminfo', encoding='utf-8') as handle:
            for line in handle:
                if line.startswith('MemTotal:'):
                    return '%.0f GiB' % (int(line.split()[1]) / 2 ** 20)
    except OSError:
        pass
    return '? GiB'


def machine_lines(root, bin_dir, mode, cases):
    """Markdown list lines: date, machine, versions, the commit measured."""
    commit = _command(['git', 'rev-parse', '--short', 'HEAD'], root) or 'no git'
    if _command(['git', 'status', '--porcelain', '--', 'plugins'], root):
        commit += ' with uncommitted changes in plugins/'
    ansible = _command([os.path.join(bin_dir, 'ansible'), '--version']).split('\n', 1)[0] or 'ansible not found'
    return [
        '- date: %s' % time.strftime('%Y-%m-%d %H:%M %Z'),
        '- machine: %d cores (%s), %s, %s, load average at the start %s' % (
            os.cpu_count(), _cpu_model(), _memory_gib(), platform.system(), ' '.join('%.2f' % n for n in os.getloadavg())),
        '- %s, Python %s; the collection at commit %s' % (ansible, platform.python_version(), commit),
        '- bench: %s, cases %s' % (mode, cases),
    ]


def legend(params):
    p = params
    return {
        'A': '%d hosts x %d cron jobs, forks %d, one FlyWP server (by id) per host' % (p.a_hosts, p.a_jobs, p.a_forks),
        'B': '1 host, %d cron jobs; the window is not told to the client (no X-RateLimit-Reset before a 429)' % p.b_jobs,
        'C': 'a cron task naming its server, among %s; limit raised, so this counts requests, not waits'
             % format(p.c_servers, ','),
        'D': 'the inventory plugin (`ansible-inventory --list`)',
        'E': 'the collection\'s client alone, %d GETs in one process (no Ansible)' % p.e_gets,
        'F': 'one token, several jobs at once as in separate containers (each its own HOME, TMPDIR and state '
             'directory, or one state directory shared), each %d hosts x %d cron jobs, forks %d'
             % (p.f_hosts, p.f_jobs, p.f_forks),
        'G': '%d hosts x %d cron jobs, forks %d, written through `flywp.cloud.api` or `ansible.builtin.uri`' % (
            p.a_hosts, p.a_jobs, p.a_forks),
    }


def _number(value, form):
    return '-' if value is None else form % value


def _cells(row):
    return [
        row.case, row.run, '%d/%g s' % row.limit, format(row.must_send, ','), _number(row.floor, '%.0f'),
        _number(row.wall, '%.1f'), _number(row.ratio, '%.2f'), _number(row.requests, '%d'), _number(row.refused, '%d'),
        _number(row.failed, '%d'), _number(row.peak_mib, '%.0f'), row.result,
    ]


def table(rows, params):
    """The legend, the table, then the message of each failure under it."""
    names = legend(params)
    lines = ['%s: %s  ' % (letter, names[letter]) for letter in dict.fromkeys(row.case for row in rows)]
    lines += ['', '| %s |' % ' | '.join(COLUMNS), '|' + '---|' * len(COLUMNS)]
    lines += ['| %s |' % ' | '.join(_cells(row)) for row in rows]
    notes = ['- %s %s: %s' % (row.case, row.run, row.note) for row in rows if row.note]
    if notes:
        lines += ['', 'What failed:', ''] + notes
    return lines
