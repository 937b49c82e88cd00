# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report page's view of an account: marks, ages, the summary, counted to an injected now."""

from __future__ import annotations

import calendar
import time

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.flywp.cloud.plugins.filter.account_report import account_report, age_text, unix_time

NOON = calendar.timegm((2026, 12, 2, 12, 0, 0))
NOW = '2026-12-02T12:00:00Z'
END_OF_LIFE = {'8.1': '2025-12-31', '8.2': '2026-12-31', '8.3': '2027-12-31'}


def backup(hours_ago, status='completed', backup_id=1, kind='full'):
    moment = time.strftime('%Y-%m-%dT%H:%M:%S.000000Z', time.gmtime(NOON - hours_ago * 3600))
    return {'id': backup_id, 'type': kind, 'status': status, 'created_at': moment,
            'completed_at': moment if status == 'completed' else None}


def site(domain, php='8.3', backups=(), status='active'):
    return {'id': 1, 'domain': domain, 'php_version': php, 'web_server': 'nginx', 'status': status,
            'backups': list(backups)}


def server(name, status='ready', sites=()):
    return {'id': 1, 'name': name, 'status': status, 'provider': 'hetzner', 'sites': list(sites)}


def report(servers, **options):
    options.setdefault('now', NOW)
    options.setdefault('php_end_of_life', END_OF_LIFE)
    return account_report(servers, **options)


def keys(marks):
    return [mark['key'] for mark in marks]


@pytest.mark.parametrize('text, expected', [
    ('2026-12-02T12:00:00.000000Z', NOON),
    ('2026-12-02T12:00:00Z', NOON),
    ('2026-12-02 12:00:00', NOON),
    ('2026-12-02T14:00:00+02:00', NOON),
    ('2026-12-02T07:00:00-0500', NOON),
    ('2026-12-02T12:00:00.25Z', NOON + 0.25),
    (NOON, NOON),
])
def test_iso_8601_times(text, expected):
    assert unix_time(text) == pytest.approx(expected)


@pytest.mark.parametrize('text', [None, '', 'yesterday', '2026-12-02', True])
def test_what_is_not_a_time(text):
    assert unix_time(text) is None


@pytest.mark.parametrize('seconds, text', [(-5, '0 min'), (59, '0 min'), (2700, '45 min'), (3600, '1 h'),
                                           (47 * 3600, '47 h'), (2 * 86400, '2 days'), (40 * 86400, '40 days')])
def test_ages_as_a_person_reads_them(seconds, text):
    assert age_text(seconds) == text


def test_a_recent_backup_and_a_ready_server_are_not_marked():
    page = report([server('web-1', sites=[site('a.example.com', backups=[backup(2)])])])
    assert page['attention'] == []
    shown = page['servers'][0]['sites'][0]
    assert shown['marks'] == [] and shown['backup'] == {'type': 'full', 'status': 'completed', 'age': '2 h'}
    assert 'backups' not in shown
    assert page['summary']['without_recent_backup'] == 0 and page['generated'] == '2026-12-02 12:00 UTC'


def test_each_mark():
    page = report([
        server('web-1', status='provisioning', sites=[
            site('never.example.com'),
            site('old.example.com', backups=[backup(30)]),
            site('failed.example.com', backups=[backup(3, backup_id=1), backup(1, status='failed', backup_id=2)]),
            site('eol.example.com', php='8.1', backups=[backup(1)]),
            site('running.example.com', backups=[backup(1, status='running')]),
        ]),
    ])
    web_1 = page['servers'][0]
    assert keys(web_1['marks']) == ['server-not-ready'] and web_1['marks'][0]['text'] == 'server provisioning'
    assert [keys(shown['marks']) for shown in web_1['sites']] == [
        ['backup-never'], ['backup-old'], ['backup-failed'], ['php-eol'], ['backup-never']]
    assert web_1['sites'][1]['marks'][0]['text'] == 'last completed backup 30 h old'
    assert web_1['sites'][3]['marks'][0]['text'] == 'PHP 8.1: end of life 2025-12-31'
    # the newest backup of any status is shown; recency is counted from the newest completed one
    assert web_1['sites'][2]['backup'] == {'type': 'full', 'status': 'failed', 'age': '1 h'}
    assert [(item['server'], item['site']) for item in page['attention']] == [
        ('web-1', None), ('web-1', 'never.example.com'), ('web-1', 'old.example.com'),
        ('web-1', 'failed.example.com'), ('web-1', 'eol.example.com'), ('web-1', 'running.example.com')]
    assert page['attention'][1]['anchor'] == 'server-0-site-0'
    summary = page['summary']
    assert (summary['servers'], summary['sites'], summary['without_recent_backup'], summary['failed_backups']) == (
        1, 5, 3, 1)
    assert summary['by_status'] == [{'status': 'provisioning', 'count': 1, 'ready': False}]
    assert summary['php'] == [
        {'version': '8.1', 'count': 1, 'end_of_life': '2025-12-31', 'past': True},
        {'version': '8.3', 'count': 4, 'end_of_life': '2027-12-31', 'past': False}]


def test_now_is_what_the_ages_and_ends_of_life_are_counted_to():
    servers = [server('web-1', sites=[site('a.example.com', php='8.2', backups=[backup(2)])])]
    assert report(servers)['attention'] == []
    # 8.2's end of life is the last day of 2026: past from the first second of 2027
    assert report(servers, now='2026-12-31T23:59:59Z')['servers'][0]['sites'][0]['backup']['age'] == '29 days'
    assert keys(report(servers, now='2026-12-31T23:59:59Z')['attention'][0]['marks']) == ['backup-old']
    assert keys(report(servers, now='2027-01-01T00:00:00Z')['attention'][0]['marks']) == ['php-eol', 'backup-old']
    assert report(servers, now='2026-12-02T13:00:00+01:00')['servers'][0]['sites'][0]['backup']['age'] == '2 h'


def test_the_max_age_decides_old():
    servers = [server('web-1', sites=[site('a.example.com', backups=[backup(5)])])]
    assert report(servers, backup_max_age='6h')['attention'] == []
    assert keys(report(servers, backup_max_age='4h')['attention'][0]['marks']) == ['backup-old']
    assert keys(report(servers, backup_max_age=4 * 3600)['attention'][0]['marks']) == ['backup-old']
    assert report(servers, backup_max_age='36h')['backup_max_age'] == '36 h'
    assert report(servers, backup_max_age='1w')['backup_max_age'] == '7 days'


def test_without_backups_no_backup_mark():
    page = report([server('web-1', sites=[{'domain': 'a.example.com', 'php_version': '8.3'}])], backups=False)
    assert page['attention'] == [] and page['backups'] is False
    assert page['servers'][0]['sites'][0]['backup'] is None


def test_servers_by_status_ready_first_and_php_versions_in_order():
    page = report([server('a', status='failed'), server('b'), server('c', status='creating'), server('d'),
                   server('e', sites=[site('x.example.com', php='8.10'), site('y.example.com', php='8.9'),
                                      site('z.example.com', php=None)])])
    assert [(entry['status'], entry['count']) for entry in page['summary']['by_status']] == [
        ('ready', 3), ('creating', 1), ('failed', 1)]
    assert [entry['version'] for entry in page['summary']['php']] == ['', '8.9', '8.10']


@pytest.mark.parametrize('options, message', [
    ({'now': 'tomorrow'}, "report now 'tomorrow': expected a time in ISO 8601"),
    ({'backup_max_age': 'a day'}, "report_backup_max_age: duration 'a day'"),
    ({'php_end_of_life': {'8.1': '31/12/2025'}}, "PHP 8.1: '31/12/2025' is not a date as YYYY-MM-DD"),
    ({'php_end_of_life': {'8.1': '2025-02-30'}}, "PHP 8.1: '2025-02-30' is not a date."),
    ({'php_end_of_life': ['8.1']}, 'expected a mapping of PHP versions to dates'),
])
def test_bad_options_are_refused_with_a_sentence(options, message):
    with pytest.raises(AnsibleFilterError) as raised:
        report([], **options)
    assert message in str(raised.value)


def test_now_defaults_to_the_current_time():
    page = account_report([], now='')
    assert page['generated'].endswith(' UTC') and page['summary']['servers'] == 0


def test_a_backup_that_does_not_say_when():
    page = report([server('web-1', sites=[site('a.example.com', backups=[{'id': 1, 'type': 'full', 'status': 'completed'}])])])
    shown = page['servers'][0]['sites'][0]
    assert shown['backup']['age'] is None
    assert [mark['text'] for mark in shown['marks']] == ['last completed backup of unknown age']
