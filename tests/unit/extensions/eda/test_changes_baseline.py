# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The flywp.cloud.changes source keeps its baseline across restarts, in a file beside the
budget's state: started again, it reports each change made while it was stopped, once.

A restart is a new source (a new client, as a new process has) on the same state directory.
The simulator and the sources share one FakeClock; changes are made with a token of their own.
"""

from __future__ import annotations

import asyncio
import glob
import json
import logging
import os

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import SERVER, SITE
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError
from ansible_collections.flywp.cloud.plugins.module_utils.redaction import without_secrets
from ansible_collections.flywp.cloud.tests.unit.extensions.eda.harness import (
    ACTOR_TOKEN, CLOCK, actor, fail_the_sites_of, poll, source)

SOURCE_LOG = 'flywp.cloud.changes'


@pytest.fixture(scope='module')
def simulator_options():
    return {'clock': CLOCK.time}


@pytest.fixture(autouse=True)
def fresh(sim):
    sim.reset()
    sim.add_token(ACTOR_TOKEN)
    CLOCK.advance(3600)
    yield


def baseline_files():
    return sorted(glob.glob(os.path.join(os.environ['FLYWP_STATE_DIR'], 'changes-*.json')))


def warnings_about(caplog, path):
    return [record.getMessage() for record in caplog.records
            if record.levelno == logging.WARNING and record.name == SOURCE_LOG and str(path) in record.getMessage()]


# --- a restart reports what changed meanwhile, once ---

def test_a_restart_reports_each_change_made_while_it_was_stopped_once(sim):
    web_1, web_2, web_3 = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'a.example.com'}]},
                                    {'name': 'web-2', 'sites': [{'domain': 'b.example.com'}]}, {'name': 'web-3'}])
    first = source(sim, kinds=['server', 'site'])
    assert not first.resumed and poll(first) == []
    assert baseline_files() == [first.baseline.path]

    # Stopped; meanwhile a server is created, one deleted, one renamed, and a site added.
    client = actor(sim)
    created = client.call(SERVER.endpoints.create, body={'name': 'web-4'})
    client.call(SERVER.endpoints.delete, server_id=web_2['id'])
    sim.update_object('server', web_3['id'], name='web-3b')
    client.call(SITE.endpoints.create, server_id=web_1['id'], body={'domain': 'c.example.com'})
    sim.clear_requests()

    second = source(sim, kinds=['server', 'site'])
    assert second.resumed
    asyncio.run(second.poll())
    events = second.queue.events
    assert [(e['flywp']['kind'], e['flywp']['change'], e['flywp']['name']) for e in events] == [
        ('server', 'removed', 'web-2'), ('site', 'removed', 'b.example.com'), ('server', 'updated', 'web-3b'),
        ('server', 'added', 'web-4'), ('site', 'added', 'c.example.com')]
    assert events[2]['flywp']['changed'] == {'name': ['web-3', 'web-3b']}
    assert events[2]['meta'] == {'hosts': 'web-3b'} and events[0]['meta'] == {'hosts': 'localhost'}
    # One round, as any poll: the servers, then the sites of each server there is.
    assert [(entry['method'], entry['path']) for entry in sim.requests()] == [
        ('GET', '/servers'), ('GET', '/servers/%s/sites' % web_1['id']), ('GET', '/servers/%s/sites' % web_3['id']),
        ('GET', '/servers/%s/sites' % created['id'])]
    second.queue.events = []
    assert poll(second) == []

    # Restarted again: all that was already reported.
    assert poll(source(sim, kinds=['server', 'site'])) == []


def test_a_restart_with_nothing_changed_reports_nothing_even_with_emit_existing(sim):
    sim.seed([{'name': 'web-1'}, {'name': 'web-2'}])
    assert poll(source(sim)) == []
    again = source(sim, emit_existing=True)
    assert again.resumed and poll(again) == []


def test_without_a_saved_baseline_the_first_poll_is_the_baseline(sim, caplog):
    sim.seed([{'name': 'web-1'}])
    watcher = source(sim)
    assert baseline_files() == [] and not watcher.resumed
    with caplog.at_level(logging.INFO, logger=SOURCE_LOG):
        assert poll(watcher) == []
    assert 'this first poll is the baseline, kept in %s after each round' % watcher.baseline.path in caplog.text
    assert baseline_files() == [watcher.baseline.path]


def test_the_first_poll_after_a_restart_says_since_when(sim, caplog):
    sim.seed([{'name': 'web-1'}])
    poll(source(sim))
    with caplog.at_level(logging.INFO, logger=SOURCE_LOG):
        watcher = source(sim)
        poll(watcher)
    assert 'this first poll reported what changed since the baseline saved at ' in caplog.text
    assert watcher.baseline.path in caplog.text


def test_each_watch_keeps_a_baseline_of_its_own(sim):
    server = sim.seed([{'name': 'web-1', 'sites': [{'domain': 'a.example.com'}]}])[0]
    poll(source(sim, kinds=['server']))
    poll(source(sim, kinds=['server', 'site']))
    assert len(baseline_files()) == 2
    actor(sim).call(SITE.endpoints.create, server_id=server['id'], body={'domain': 'b.example.com'})
    assert poll(source(sim, kinds=['server'])) == []
    assert poll(source(sim, kinds=['server', 'site'])) == [('site', 'added', 'b.example.com')]


def test_a_round_that_fails_half_way_leaves_the_file_as_the_last_whole_round(sim):
    first_server, second_server = sim.seed([{'name': 'web-1'}, {'name': 'web-2'}])
    watcher = source(sim, kinds=['server', 'site'])
    poll(watcher)
    with open(watcher.baseline.path, 'rb') as handle:
        saved = handle.read()
    actor(sim).call(SITE.endpoints.create, server_id=first_server['id'], body={'domain': 'a.example.com'})
    put_right = fail_the_sites_of(sim, watcher, second_server['id'])
    with pytest.raises(FlyWPAPIError):
        poll(watcher)
    with open(watcher.baseline.path, 'rb') as handle:
        assert handle.read() == saved
    put_right()
    poll(watcher)
    with open(watcher.baseline.path, 'rb') as handle:
        assert handle.read() != saved


# --- what the file holds ---

def test_the_file_holds_no_secret_and_never_the_token(sim, tmp_path):
    sim.configure(extra_fields=True)  # every object with secret fields too
    sim.seed([{'name': 'web-1', 'sites': [{'domain': 'a.example.com'}]}])
    path = tmp_path / 'flywp' / 'baseline.json'
    watcher = source(sim, kinds=['server', 'site'], state_file=str(path))
    poll(watcher)
    text = path.read_text()
    document = json.loads(text)
    assert without_secrets(document) == document
    assert sim.token not in text and 'password' not in text
    assert document['api_url'] == sim.api_url and document['watching'] == {
        'kinds': ['server', 'site'], 'servers': [], 'sites': []}
    assert sorted(server['name'] for server in document['seen']['servers'].values()) == ['web-1']
    assert oct(os.stat(str(path)).st_mode & 0o777) == '0o600'
    assert baseline_files() == []  # named: nothing beside the budget's state


def test_a_file_of_another_account_is_never_compared_with(sim, tmp_path, caplog):
    """A state_file given to sources of two accounts: the second never reports the first's objects."""
    sim.seed([{'name': 'ours-1'}, {'name': 'ours-2'}])
    sim.add_token('other-token', account='other')
    sim.seed([{'name': 'theirs'}], account='other')
    path = str(tmp_path / 'baseline.json')
    poll(source(sim, state_file=path))
    with caplog.at_level(logging.WARNING, logger=SOURCE_LOG):
        other = source(sim, token='other-token', state_file=path)
        assert not other.resumed
        assert poll(other) == [] and poll(other) == []
    said = warnings_about(caplog, path)
    assert len(said) == 1 and 'holds the baseline of another API URL, token or watch' in said[0]
    assert 'Give each source a state_file of its own' in said[0]
    # The file stays the first source's.
    assert source(sim, state_file=path).resumed


def test_state_file_off_keeps_the_baseline_in_memory_only(sim):
    sim.seed([{'name': 'web-1'}])
    for off in ('off', False):  # a bare `off` in YAML is false
        watcher = source(sim, state_file=off)
        assert watcher.baseline is None and poll(watcher) == []
        assert baseline_files() == []
    actor(sim).call(SERVER.endpoints.create, body={'name': 'web-2'})
    assert poll(source(sim, state_file='off')) == []  # a new baseline: what changed meanwhile is not reported


def test_flywp_state_dir_off_keeps_the_baseline_in_memory_only(sim, monkeypatch, caplog):
    monkeypatch.setenv('FLYWP_STATE_DIR', 'off')
    with caplog.at_level(logging.INFO, logger=SOURCE_LOG):
        watcher = source(sim)
        assert watcher.baseline is None and poll(watcher) == []
    assert 'this first poll is the baseline, kept in memory only' in caplog.text
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


# --- a file that cannot be used: one warning, then as without one ---

@pytest.mark.parametrize('content, words', [
    ('{"format": 1, "seen": ', 'does not hold JSON'),
    ('[]', 'cannot be used: it is not a baseline of this version of the source'),
    ('{"format": 99}', 'cannot be used: it is not a baseline of this version of the source'),
])
def test_a_corrupt_file_is_one_warning_then_as_without_one(sim, caplog, content, words):
    sim.seed([{'name': 'web-1'}])
    path = source(sim).baseline.path
    with open(path, 'w') as handle:
        handle.write(content)
    with caplog.at_level(logging.WARNING, logger=SOURCE_LOG):
        watcher = source(sim)
        actor(sim).call(SERVER.endpoints.create, body={'name': 'web-2'})
        assert poll(watcher) == [] and poll(watcher) == []
    said = warnings_about(caplog, path)
    assert len(said) == 1 and words in said[0] and 'Remove it (the source writes a new one when started again)' in said[0]
    assert 'keeps its baseline in memory only' in said[0]
    with open(path) as handle:
        assert handle.read() == content  # left for a person to look at


def test_a_file_whose_baseline_is_damaged_is_one_warning(sim, caplog):
    sim.seed([{'name': 'web-1'}])
    watcher = source(sim)
    poll(watcher)
    with open(watcher.baseline.path) as handle:
        document = json.load(handle)
    document['seen']['servers'] = ['web-1']
    with open(watcher.baseline.path, 'w') as handle:
        json.dump(document, handle)
    with caplog.at_level(logging.WARNING, logger=SOURCE_LOG):
        again = source(sim)
        assert not again.resumed and poll(again) == []
    said = warnings_about(caplog, watcher.baseline.path)
    assert len(said) == 1 and 'cannot be used: its servers are not a mapping by id' in said[0]


def test_an_unreadable_file_is_one_warning_then_as_without_one(sim, tmp_path, caplog):
    sim.seed([{'name': 'web-1'}])
    path = tmp_path / 'baseline.json'
    path.mkdir()  # a directory where the file should be: it cannot be read
    with caplog.at_level(logging.WARNING, logger=SOURCE_LOG):
        watcher = source(sim, state_file=str(path))
        assert poll(watcher) == [] and poll(watcher) == []
    said = warnings_about(caplog, path)
    assert len(said) == 1 and 'cannot be read (' in said[0] and 'Make it readable by this user, or remove it' in said[0]


def test_an_unwritable_file_is_one_warning_then_as_without_one(sim, tmp_path, caplog):
    sim.seed([{'name': 'web-1'}])
    (tmp_path / 'volume').write_text('a file where the directory should be')
    path = tmp_path / 'volume' / 'baseline.json'
    with caplog.at_level(logging.INFO, logger=SOURCE_LOG):
        watcher = source(sim, state_file=str(path))
        assert poll(watcher) == []
        actor(sim).call(SERVER.endpoints.create, body={'name': 'web-2'})
        assert poll(watcher) == [('server', 'added', 'web-2')]
    said = warnings_about(caplog, path)
    assert len(said) == 1 and 'cannot be written (' in said[0]
    assert 'this first poll is the baseline, kept in memory only' in caplog.text
    assert 'Make %s writable by this user (in a container, mount a writable volume there), or set state_file' % (
        tmp_path / 'volume') in said[0]
    assert not path.exists()


def test_a_state_directory_that_cannot_be_used_is_one_warning_of_the_source(sim, tmp_path, monkeypatch, caplog):
    blocked = tmp_path / 'not-a-directory'
    blocked.write_text('')
    monkeypatch.setenv('FLYWP_STATE_DIR', str(blocked))
    sim.seed([{'name': 'web-1'}])
    with caplog.at_level(logging.WARNING, logger=SOURCE_LOG):
        watcher = source(sim)
        assert watcher.baseline is None and poll(watcher) == [] and poll(watcher) == []
    said = [message for message in warnings_about(caplog, blocked) if 'baseline' in message]
    assert len(said) == 1 and 'cannot be kept in %s either' % blocked in said[0]
    assert 'or give the source a state_file' in said[0]
