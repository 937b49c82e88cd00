# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The resource state machine every state module runs: converge().

It brings a set of wanted objects about among the objects of one parent, in phases:
find (one list request), plan (create, keep, replace, delete), write (create before
deleting, nothing in check mode), wait (until each object is ready, where the declaration
has a ready status), and record (the hints the declaration asks for: a created id, a
deleted name, a check run's predictions). It reports a diff. The contract knows no update
endpoint, so a difference is either replaced (create the new object, then delete the old
one, so nothing is ever missing) or reported as a warning.

What one kind of object is, converge reads from its declaration (declaration.py,
resource_types.py); nothing here names a particular resource.
"""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.answers import same_id
from ansible_collections.flywp.cloud.plugins.module_utils.declaration import ALWAYS, PREDICTIONS, WITH_FORCE
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError, FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.timestamps import moment

FIRST_POLL, POLL_GROWTH, LONGEST_POLL = 1.0, 1.5, 15.0


class KeyIndex:
    """The objects of one list by natural key, built once: matching N items costs O(N)."""

    def __init__(self, rtype, objects):
        self.rtype = rtype
        self.by_key = {}
        for obj in objects:
            self.by_key.setdefault(rtype.key_of_object(obj), []).append(obj)

    def all_matches(self, item):
        return self.by_key.get(self.rtype.key_of_item(item), [])

    def only_match(self, item):
        """The one object with the item's key, or None; several fail and name their ids."""
        matches = self.all_matches(item)
        if len(matches) > 1:
            raise FlyWPError('%d FlyWP %ss match %s (ids %s): give the id, or remove the duplicates.' % (
                len(matches), self.rtype.label, self.rtype.describe(item), ', '.join(str(obj.get('id')) for obj in matches)))
        return matches[0] if matches else None


def converge(client, rtype, items, parent=None, state='present', exclusive=False, force=False, check_mode=False,
             diff=True, wait=False, wait_timeout=600, existing=None, fresh_for=None, hints=None):
    """Bring the items about among the rtype objects under `parent` ({id argument: id}), with
    one list request.

    parent    a parent id of None is one a check run would create: nothing is under it yet
    existing  the objects to match the items against when the caller already has them (one
              read by its id), instead of listing the parent's objects
    fresh_for for a resource with many objects per key (backups): the age in seconds below
              which the newest ready one counts (else one in progress does); None: a new one
              is always made, and the list is read only for the diff and check mode
    hints     hints.Hints scoped to the parent: what is recorded of the objects made and removed

    Returns {'changed', 'objects' (for 'present' one per item, for 'absent' those removed),
    'before' and 'after' (for a diff), 'warnings'}.
    """
    parent = parent or {}
    keys = set(check_unique(rtype, items))
    if any(parent_id is None for parent_id in parent.values()):
        existing = []
    elif existing is None and rtype.many_per_key and fresh_for is None and not (diff or check_mode):
        existing = []  # a new one is made whatever is there
    if existing is None:
        existing = client.list(rtype.endpoints.list, **parent)
    existing = [obj for obj in existing if not rtype.is_gone(obj)]
    _refuse_keyless(rtype, existing)
    index = KeyIndex(rtype, existing)

    plan, warnings, scope = _plan(client, rtype, items, index, state, force, fresh_for)
    deletes = [match for item, match, action in plan if action in ('delete', 'replace')]
    if exclusive and state == 'present':
        deletes += [obj for obj in existing if rtype.key_of_object(obj) not in keys]
    if not rtype.many_per_key:
        # The diff covers the objects the items name, and with `exclusive` every sibling.
        scope = existing if exclusive else [obj for obj in existing if rtype.key_of_object(obj) in keys]

    # Create before deleting, so that a failure half-way never leaves anything missing.
    objects, created = [], []
    for item, match, action in plan:
        if action in ('create', 'replace'):
            match = _predicted(rtype, item, parent) if check_mode else client.call(
                rtype.endpoints.create, body=rtype.body(item), **parent)
            created.append(match)
        if match is not None:
            objects.append(match)
    for obj in deletes:
        if not check_mode:
            client.call(rtype.endpoints.delete, **dict(parent, **{rtype.id_arg: obj['id']}))

    deleted = set(str(obj['id']) for obj in deletes)
    after = [obj for obj in scope if str(obj['id']) not in deleted] + created
    if rtype.many_per_key and created:
        after = created  # the new one is the newest: it is the one that counts now
    outcome = {'changed': bool(created or deletes), 'objects': objects, 'before': scope, 'after': after,
               'warnings': warnings}
    if wait and not check_mode and rtype.ready and state == 'present':
        _wait_for_all(client, rtype, outcome, created, parent, wait_timeout)
    if hints is not None:
        _record(hints, rtype, items, outcome, deletes, state, check_mode)
    return outcome


def _refuse_keyless(rtype, existing):
    for obj in existing:
        if rtype.missing_key(obj):
            # It might be one of the items: creating that item again could make a duplicate.
            raise FlyWPError('The FlyWP API listed %s without its %s (id %s), so the task cannot tell whether it is '
                             'one of those asked for; nothing was changed.' % (
                                 rtype.a_label, ' and '.join(rtype.missing_key(obj)), obj.get('id')))


def _plan(client, rtype, items, index, state, force, fresh_for):
    """[(item, match, action)], the warnings, and for many objects per key the diff's scope."""
    plan, warnings, scope = [], [], []
    for item in items:
        if rtype.many_per_key:
            newest_ready = newest(index.all_matches(item), rtype.ready, rtype.recency)
            scope.extend([newest_ready] if newest_ready else [])
            match = _fresh(client, rtype, index.all_matches(item), newest_ready, fresh_for)
        else:
            match = index.only_match(item)
        if state == 'absent':
            action = 'delete' if match else 'none'
        elif match is None:
            action = 'create'
        else:
            changed = rtype.differences(match, item)
            action = 'replace' if changed and (rtype.replace == ALWAYS or rtype.replace == WITH_FORCE and force) else 'keep'
            if changed and action == 'keep':
                warnings.append(_difference_warning(rtype, item, changed))
        plan.append((item, match, action))
    return plan, warnings, scope


def _fresh(client, rtype, candidates, newest_ready, fresh_for):
    """Of many objects of one key: the newest ready one younger than fresh_for, else the newest
    on its way to ready; None (make one) when there is neither, or no fresh_for."""
    if fresh_for is None:
        return None
    made_at = moment(newest_ready, rtype.recency) if newest_ready else None
    if made_at is not None and client.clock() - made_at < fresh_for:
        return newest_ready
    return newest(candidates, rtype.in_progress, rtype.recency)


def newest(objects, statuses, recency):
    """The most recent object in one of the statuses (None: in any), or None: by the first of its
    `recency` fields that is set, then by id."""
    def order(obj):
        number = str(obj.get('id'))
        return moment(obj, recency) or 0.0, int(number) if number.isdigit() else 0
    return max((obj for obj in objects if statuses is None or obj.get('status') in statuses), key=order, default=None)


def _wait_for_all(client, rtype, outcome, created, parent, timeout):
    try:
        outcome['objects'] = [wait_until_ready(client, rtype, obj, parent, timeout) for obj in outcome['objects']]
    except FlyWPError as error:
        # The writes are done: a failed wait still reports that something changed, and what.
        error.result.setdefault('changed', outcome['changed'])
        waited = error.result.get(rtype.name)
        error.result.setdefault('diff', {'before': _first(outcome['before']), 'after': waited if created else
                                         _first(outcome['after'])})
        raise
    # The diff shows the created objects as the wait left them, not as first answered.
    ready = dict((str(obj['id']), obj) for obj in outcome['objects'])
    made = set(str(obj['id']) for obj in created)
    outcome['after'] = [ready.get(str(obj['id']), obj) if str(obj['id']) in made else obj for obj in outcome['after']]


def _record(hints, rtype, items, outcome, deletes, state, check_mode):
    """What the tasks after this one remember (hints.py), as the declaration asks."""
    if check_mode:
        if PREDICTIONS in rtype.hints and state == 'present':
            made = [item for item, obj in zip(items, outcome['objects']) if obj.get('id') is None]
            hints.would_make(rtype, [rtype.key_of_item(item) for item in made])
        return
    if state == 'present':
        hints.made(rtype, [(rtype.key_of_object(obj), obj['id']) for obj in outcome['objects']])
    hints.removed(rtype, [rtype.key_of_object(obj) for obj in deletes])


def check_unique(rtype, items):
    """The natural keys of the items; fails when two items name the same object.

    converge() checks this itself; a module may call it first to refuse such a list
    before any request.
    """
    keys = [rtype.key_of_item(item) for item in items]
    if len(set(keys)) < len(keys):
        raise FlyWPError('Two of the %ss asked for have the same %s: each must be listed once.' % (
            rtype.label, ' and '.join(rtype.key)))
    return keys


def _predicted(rtype, item, parent):
    """What check mode shows for an object it would create: what the API would show of the
    item, its parent's id, and for a resource made many times the status a new one starts in."""
    predicted = dict(rtype.expected(item), id=None)
    if rtype.parent is not None and rtype.parent.id_arg in parent:
        predicted[rtype.parent.id_arg] = parent[rtype.parent.id_arg]
    if rtype.many_per_key and rtype.in_progress:
        predicted['status'] = rtype.in_progress[0]
    return predicted


def _difference_warning(rtype, item, changed):
    fields = ', '.join('%s is %r, not %r' % (field, live, wanted) for field, (live, wanted) in sorted(changed.items()))
    # What the collection knows is the contract, not FlyWP: the dashboard may have the action.
    hint = ' Set force=true to replace it.' if rtype.replace == WITH_FORCE else (
        ' The collection knows no FlyWP API endpoint that changes %s of %s in place; if the FlyWP dashboard can, '
        'flywp.cloud.api can send that request (docs/any-endpoint.md).' % (
            ' or '.join(sorted(changed)), rtype.a_label))
    return 'The %s with %s differs: %s. It was left as it is.%s' % (rtype.label, rtype.describe(item), fields, hint)


def object_by_id(client, rtype, object_id, key, present):
    """[the object] the task names by id, else [] (already gone, with state=absent).

    An object is never created from an id: with state=present a missing one fails. `key`,
    the natural key given beside the id (or None), must be the object's, as the FlyWP API
    cannot change it.
    """
    obj = find_by_id(client, rtype, object_id)
    if obj is None or rtype.is_gone(obj):
        if present:
            raise FlyWPError('There is no FlyWP %s with id %s: %s is never created from an id. Check the id, or give '
                             'only the %s to create one.' % (rtype.label, object_id, rtype.a_label, rtype.key[0]))
        return []
    live = obj.get(rtype.named_by)
    if key is not None and rtype.key_value(rtype.key[0], key) != rtype.key_value(rtype.key[0], live):
        raise FlyWPError('The FlyWP %s with id %s is named %r, not %r, and the FlyWP API cannot rename %s. Check the '
                         'id and the %s.' % (rtype.label, object_id, live, key, rtype.a_label, rtype.key[0]))
    return [obj]


def read_current(client, rtype, obj, parent):
    """The current state of one object: by its own endpoint, else from its list. None when gone."""
    if rtype.endpoints.get:
        current = find_by_id(client, rtype, obj['id'], parent)
    else:
        current = next((other for other in client.list(rtype.endpoints.list, **parent)
                        if same_id(other.get('id'), obj['id'])), None)
    return None if current is None or rtype.is_gone(current) else current


def wait_until_ready(client, rtype, obj, parent, timeout):
    """Poll the object until its status is ready; fail on `failed`, on its disappearance or on timeout.

    Polls start after a second and grow by half each time up to 15 s, so a long wait
    (a server takes minutes to provision) costs a handful of requests a minute. The
    client's clock measures the wait and its sleep spends it.
    """
    deadline = client.clock() + timeout
    interval = FIRST_POLL
    while True:
        status = obj.get('status')
        if status in rtype.ready:
            return obj
        if status == 'failed':
            raise FlyWPError('The FlyWP %s %s ended in status failed.' % (rtype.label, _name(rtype, obj)),
                             result={rtype.name: obj})
        if client.clock() + interval > deadline:
            raise FlyWPError('The FlyWP %s %s is still %r after wait_timeout (%s s). It goes on in FlyWP; run the '
                             'task again, or raise wait_timeout.' % (rtype.label, _name(rtype, obj), status, timeout),
                             result={rtype.name: obj})
        client.sleep(interval)
        interval = min(interval * POLL_GROWTH, LONGEST_POLL)
        current = read_current(client, rtype, obj, parent)
        if current is None:
            raise FlyWPError('The FlyWP %s %s disappeared while waiting for it to be ready.' % (rtype.label, _name(rtype, obj)),
                             result={rtype.name: obj})
        obj = current


def _name(rtype, obj):
    return '%r (id %s)' % (obj.get(rtype.named_by), obj.get('id'))


def _first(objects):
    return objects[0] if objects else {}


def find_by_id(client, rtype, object_id, parent=None):
    """The object with this id, read by its own endpoint (one request); None when the API says
    there is none (a 404 that says the route is missing is an error, never "none")."""
    try:
        return client.call(rtype.endpoints.get, **dict(parent or {}, **{rtype.id_arg: object_id}))
    except FlyWPAPIError as error:
        if error.is_missing(rtype, object_id):
            return None
        raise


def find_by_key(client, rtype, item, parent=None):
    """The one object whose natural key is the item's (a dict of key parameters), with one list
    request; None when there is none. Several fail and ask for the id."""
    candidates = [obj for obj in client.list(rtype.endpoints.list, **(parent or {})) if not rtype.is_gone(obj)]
    return KeyIndex(rtype, candidates).only_match(item)
