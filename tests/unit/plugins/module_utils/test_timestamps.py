# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The API's times (timestamps.py): ISO 8601 in every form Laravel may send; and the newest of
many objects by them, as converge picks a backup."""

from __future__ import annotations

import calendar

import pytest

from ansible_collections.flywp.cloud.plugins.module_utils.resource import newest
from ansible_collections.flywp.cloud.plugins.module_utils.resource_types import BACKUP
from ansible_collections.flywp.cloud.plugins.module_utils.timestamps import moment, unix_time

NOON = calendar.timegm((2026, 11, 27, 12, 0, 0))


@pytest.mark.parametrize('text, expected', [
    ('2026-11-27T12:00:00.000000Z', NOON),
    ('2026-11-27T12:00:00Z', NOON),
    ('2026-11-27 12:00:00', NOON),  # no zone: UTC
    ('2026-11-27t12:00:00z', NOON),
    ('2026-11-27T12:00:00.5Z', NOON + 0.5),
    ('2026-11-27T14:00:00+02:00', NOON),
    ('2026-11-27T14:30:00+0230', NOON),
    ('2026-11-27T07:00:00-05:00', NOON),
    ('  2026-11-27T12:00:00Z  ', NOON),
    (NOON, NOON),
    (float(NOON), NOON),
])
def test_iso_8601_times_and_epoch_numbers(text, expected):
    assert unix_time(text) == pytest.approx(expected)


@pytest.mark.parametrize('text', [None, '', 'yesterday', '2026-11-27', '27/11/2026 12:00', True, '2026-11-27T12:00:00+2'])
def test_what_is_not_a_time_is_none(text):
    assert unix_time(text) is None


def test_moment_and_newest():
    done = {'id': 1, 'status': 'completed', 'completed_at': '2026-11-27T12:00:00Z'}
    later = {'id': 2, 'status': 'completed', 'created_at': '2026-11-27T13:00:00Z'}
    running = {'id': 3, 'status': 'running', 'created_at': '2026-11-27T14:00:00Z'}
    assert NOON + 60 - moment(done, BACKUP.recency) == 60
    assert moment({'id': 4}, BACKUP.recency) is None
    assert newest([done, later, running], ('completed',), BACKUP.recency) is later
    assert newest([done, running], ('pending', 'running'), BACKUP.recency) is running
    assert newest([], ('completed',), BACKUP.recency) is None
