# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The state file: private, named without the token, written whole, and loud and safe when it
cannot be used. Each failure is made to happen for real where the machine allows it: a
directory or a file this user may not write (as root, in a child process that becomes
`nobody`), a lock the file system refuses, a disk that is full."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import pickle
import shutil
import stat
import tempfile

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils import state_file
from ansible_collections.flywp.cloud.plugins.module_utils.state_file import SharedState, state_dir

URL, TOKEN = 'https://app.flywp.com/api/v1', 'tok-Secret-31f0'
NOBODY = 65534


@pytest.fixture
def directory(tmp_path):
    return str(tmp_path / 'state')


@pytest.fixture
def warned():
    return []


def shared(directory, warned, url=URL, token=TOKEN):
    return SharedState(url, token, directory=directory, warn=warned.append)


def count_up(document):
    document['n'] = document.get('n', 0) + 1
    return document['n']


def test_the_files_are_private_and_hold_no_token(directory, warned):
    state = shared(directory, warned)
    state.update(count_up)
    names = sorted(os.listdir(directory))
    assert [name.split('-')[0].split('.')[0] for name in names] == ['salt', 'state', 'state']
    assert names[1].endswith('.json') and names[2].endswith('.lock')
    assert stat.S_IMODE(os.stat(directory).st_mode) == 0o700
    for name in names:
        assert stat.S_IMODE(os.stat(os.path.join(directory, name)).st_mode) == 0o600
        with open(os.path.join(directory, name), 'rb') as handle:
            content = handle.read()
        assert TOKEN.encode() not in content and URL.encode() not in content
    assert warned == []


def test_one_file_per_url_and_token(directory, warned):
    paths = set(shared(directory, warned, url, token).path
                for url, token in [(URL, TOKEN), (URL, 'other'), ('http://127.0.0.1:1/api/v1', TOKEN), (URL, TOKEN)])
    assert len(paths) == 3


def test_processes_see_each_others_changes(directory, warned):
    first, second = shared(directory, warned), shared(directory, warned)
    assert [first.update(count_up), second.update(count_up), first.update(count_up)] == [1, 2, 3]
    assert second.read() == {'n': 3}


def test_a_file_a_stopped_writer_left_beside_the_document_goes_at_the_next_write(directory, warned):
    """A process stopped while writing (a cancelled job's) leaves its file beside the document,
    never a document cut short; every write is under the lock, so the next one removes it."""
    state = shared(directory, warned)
    state.update(count_up)
    left = '%s.%d.tmp' % (state.path, 4194303)
    with open(left, 'w', encoding='utf-8') as handle:
        handle.write('{"n": 7')  # cut short
    assert state.read() == {'n': 1}
    assert state.update(count_up) == 2
    assert not os.path.exists(left) and warned == []
    assert sorted(name.split('-')[0].split('.')[0] for name in os.listdir(directory)) == ['salt', 'state', 'state']


@pytest.mark.parametrize('setting', ['off', '', 'none'])
def test_flywp_state_dir_off_keeps_it_in_the_process_without_a_warning(monkeypatch, setting, warned):
    monkeypatch.setenv('FLYWP_STATE_DIR', setting)
    assert state_dir() is None
    state = SharedState(URL, TOKEN, warn=warned.append)
    assert state.path is None and state.update(count_up) == 1 and state.update(count_up) == 2
    assert warned == []


def test_the_default_directory_is_per_user(monkeypatch, tmp_path):
    monkeypatch.delenv('FLYWP_STATE_DIR')
    monkeypatch.setenv('XDG_STATE_HOME', str(tmp_path))
    assert state_dir() == str(tmp_path / 'flywp.cloud')
    monkeypatch.delenv('XDG_STATE_HOME')
    assert state_dir() == os.path.join(os.path.expanduser('~'), '.local', 'state', 'flywp.cloud')


# --- every failure: in-process state, one warning with the path and the fix ---

def assert_one_warning(warned, path, fix):
    assert len(warned) == 1, warned
    assert path in warned[0] and fix in warned[0] and 'FLYWP_STATE_DIR' in warned[0]


@pytest.mark.parametrize('content', ['not json', '[1, 2]', '{"window": "x"'])
def test_a_corrupt_file_is_left_alone_and_said(directory, warned, content):
    state = shared(directory, warned)
    with open(state.path, 'w') as handle:
        handle.write(content)
    path = state.path
    assert [state.update(count_up), state.update(count_up)] == [1, 2]
    assert_one_warning(warned, path, 'Remove the file')
    with open(path) as handle:
        assert handle.read() == content


def test_a_directory_that_cannot_be_made_is_said(tmp_path, warned):
    blocked = tmp_path / 'file'
    blocked.write_text('')
    state = shared(str(blocked / 'state'), warned)
    assert state.path is None and state.update(count_up) == 1
    assert_one_warning(warned, str(blocked / 'state'), 'writable by this user')


def test_a_lock_the_file_system_refuses_is_said(directory, warned, monkeypatch):
    def refuse(handle, operation):
        raise OSError(errno.ENOLCK, 'No locks available')

    state = shared(directory, warned)
    state.update(count_up)
    monkeypatch.setattr(state_file.fcntl, 'flock', refuse)
    assert [state.update(count_up), state.update(count_up)] == [1, 2]  # a new count, in this process
    assert_one_warning(warned, state.directory, 'No locks available')


def test_a_full_disk_keeps_the_file_whole_and_the_decision(directory, warned, monkeypatch):
    state = shared(directory, warned)
    state.update(count_up)
    path, real_fdopen = state.path, os.fdopen

    class FullDisk:
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc_info):
            self.handle.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, 'No space left on device')

    def fdopen(fd, mode='r', *args, **kwargs):
        handle = real_fdopen(fd, mode, *args, **kwargs)
        return FullDisk(handle) if mode == 'w' else handle

    monkeypatch.setattr(state_file.os, 'fdopen', fdopen)

    def decide(document):
        document['n'] += 1
        return ('wait', 30.0)

    assert state.update(decide) == ('wait', 30.0)  # the decision made stands though it was not saved
    assert state.update(count_up) == 3  # the process goes on from what it decided
    assert_one_warning(warned, path, 'No space left on device')
    with open(path) as handle:
        assert json.load(handle) == {'n': 1}  # the last whole document, not a truncated one
    assert [name for name in os.listdir(directory) if name.endswith('.tmp')] == []


def as_another_user(function, *args):
    """function(*args) in a child process that may not write what this user made: as root, the
    child becomes `nobody` (root may write anything); otherwise the files' modes deny this user."""
    if os.geteuid() != 0:
        return function(*args)
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        try:
            os.close(reader)
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            outcome = function(*args)
        except BaseException as error:  # pylint: disable=broad-except
            outcome = error
        with os.fdopen(writer, 'wb') as pipe:
            pipe.write(pickle.dumps(outcome))
        os._exit(0)  # pylint: disable=protected-access
    os.close(writer)
    with os.fdopen(reader, 'rb') as pipe:
        outcome = pickle.loads(pipe.read())
    os.waitpid(pid, 0)
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def count_twice_with_warnings(directory):
    warned = []
    state = SharedState(URL, TOKEN, directory=directory, warn=warned.append)
    return [state.update(count_up), state.update(count_up)], warned


@pytest.fixture
def reachable(warned):
    """A state directory others may reach (pytest's own folders are the owner's only), with the
    state made by its owner and a salt others may read: what the child is denied is only what
    the test takes away."""
    top = tempfile.mkdtemp(prefix='flywp-state-test-')
    os.chmod(top, 0o755)
    directory = os.path.join(top, 'state')
    state = shared(directory, warned)
    state.update(count_up)
    os.chmod(directory, 0o755)
    os.chmod(os.path.join(directory, 'salt'), 0o644)
    yield directory, state
    os.chmod(directory, 0o700)
    shutil.rmtree(top)


@pytest.mark.filterwarnings('ignore::DeprecationWarning')  # fork() beside the simulator's threads: the child only reads
def test_a_read_only_directory_is_said(reachable):
    directory, state = reachable
    os.remove(state.path)
    os.remove(state.path[:-len('.json')] + '.lock')
    os.chmod(directory, 0o555)
    counts, warnings = as_another_user(count_twice_with_warnings, directory)
    assert counts == [1, 2]
    assert_one_warning(warnings, directory, 'writable by this user')
    assert 'Permission denied' in warnings[0] or 'Read-only' in warnings[0]


@pytest.mark.filterwarnings('ignore::DeprecationWarning')
def test_a_state_file_of_another_user_is_said(reachable):
    directory, state = reachable
    os.chmod(directory, 0o777)
    for path in (state.path, state.path[:-len('.json')] + '.lock'):
        os.chmod(path, 0o000)
    counts, warnings = as_another_user(count_twice_with_warnings, directory)
    assert counts == [1, 2]
    assert_one_warning(warnings, state.path, 'writable by this user')


def _key_of(directory, start):
    start.wait()
    return os.path.basename(SharedState(URL, TOKEN, directory=directory).path)


@pytest.mark.filterwarnings('ignore::DeprecationWarning')
def test_two_first_processes_agree_on_the_salt(directory):
    """Processes that start together on an empty directory all name the same file."""
    os.makedirs(directory, mode=0o700)
    context = multiprocessing.get_context('fork')
    with context.Manager() as manager:
        start = manager.Event()
        with context.Pool(8) as pool:
            pending = [pool.apply_async(_key_of, (directory, start)) for number in range(8)]
            start.set()
            names = set(result.get(timeout=60) for result in pending)
    assert len(names) == 1
    assert [name for name in os.listdir(directory) if name.startswith('salt')] == ['salt']
