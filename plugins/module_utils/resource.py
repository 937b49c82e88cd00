# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The resource state machine every state module runs.

A ResourceType declares one kind of FlyWP object: its endpoints, its natural key, the
map from module parameters to API fields, and what may be done about a difference.
converge() brings a set of desired objects about with one list request, in check mode
without writing, and reports a diff. The FlyWP API has no update endpoints, so a
difference is either replaced (create the new object, then delete the old one, so nothing
is ever missing) or reported as a warning.
"""

from __future__ import annotations

from ansible_collections.flywp.cloud.plugins.module_utils.answers import same_id
from ansible_collections.flywp.cloud.plugins.module_utils.errors import FlyWPAPIError, FlyWPError
from ansible_collections.flywp.cloud.plugins.module_utils.endpoints import ENDPOINTS

NEVER, WITH_FORCE, ALWAYS = 'never', 'with force', 'always'
FIRST_POLL, POLL_GROWTH, LONGEST_POLL = 1.0, 1.5, 15.0


class ResourceType:
    """How one kind of FlyWP object is found, made, compared and removed.

    name      endpoint prefix in endpoints.py and the singular result key ('ssh_key')
    plural    the result key of lists ('ssh_keys')
    label     what a person calls it ('SSH key')
    id_arg    the path argument that names one object ('key_id')
    fields    module parameter -> API field; only these are sent on create
    key       the parameters that identify an object among its siblings
    key_defaults  parameter -> the API's value for a key field it leaves out or blank
    fold_key  how a key value is compared once trimmed (str, or lower case for domains)
    key_checks  parameter -> validation.py function that refuses a bad value before any request
    choices   parameter -> the values the API takes for it (the modules' argument specs use them)
    secrets   parameters sent on create but never compared, returned or shown
    unchecked parameters sent on create but not compared as given (the API may not echo them,
              or echo them reformatted); `derived` compares them instead
    derived   API field -> function(item) computing what the API shows for a parameter it
              does not echo (an SSH key's fingerprint for its public key), or None
    replace   what a difference leads to: NEVER (warn), WITH_FORCE, ALWAYS
    compare_as  API field -> function giving the form both sides are compared in (a cron
              frequency the API spells with other spaces or case is the same frequency)
    ready     statuses that end a wait; `failed` ends it with a failure
    gone      statuses that count as already deleted
    """

    def __init__(self, name, plural, label, id_arg, fields, key, secrets=(), unchecked=(), derived=None,
                 replace=NEVER, ready=(), gone=(), fold_key=str, key_defaults=None, key_checks=None,
                 compare_as=None, choices=None):
        self.name, self.plural, self.label, self.id_arg = name, plural, label, id_arg
        self.fields, self.key, self.secrets, self.unchecked = fields, key, secrets, unchecked
        self.derived = derived or {}
        self.replace, self.ready, self.gone = replace, ready, gone
        self.fold_key = fold_key
        self.key_defaults = key_defaults or {}
        self.key_checks = key_checks or {}
        self.compare_as = compare_as or {}
        self.choices = choices or {}

    def endpoint(self, action):
        name = '%s.%s' % (self.name, action)
        return name if name in ENDPOINTS else None

    def key_value(self, param, value):
        """One key field as it is compared, the same way for what is given and what is listed:
        trimmed, folded, and the API's default when it is missing or blank."""
        text = '' if value is None else str(value).strip()
        return self.fold_key(text or self.key_defaults.get(param, ''))

    def key_of_item(self, item):
        return tuple(self.key_value(param, item.get(param)) for param in self.key)

    def key_of_object(self, obj):
        return tuple(self.key_value(param, obj.get(self.fields[param])) for param in self.key)

    def missing_key(self, obj):
        """The key fields a listed object leaves out (or blank) that have no default: such an
        object cannot be told apart from one that is asked for."""
        return [param for param in self.key if param not in self.key_defaults
                and not str(obj.get(self.fields[param]) or '').strip()]

    def describe(self, item):
        return ', '.join('%s %r' % (param, item.get(param)) for param in self.key)

    def body(self, item):
        """The create request body: given parameters under their API names."""
        return dict((field, item[param]) for param, field in self.fields.items() if item.get(param) is not None)

    def expected(self, item):
        """What the API should show for the item: its fields, less secrets, plus derived ones."""
        shown = dict((field, item[param]) for param, field in self.fields.items()
                     if item.get(param) is not None and param not in self.secrets + self.unchecked)
        for field, compute in self.derived.items():
            value = compute(item)
            if value is not None:
                shown[field] = value
        return shown

    def differences(self, obj, item):
        """Fields the object shows with another value than the item asks for."""
        same = dict((field, lambda live, wanted, form=form: form(live) == form(wanted))
                    for field, form in self.compare_as.items())
        return dict((field, (obj[field], value)) for field, value in self.expected(item).items()
                    if field in obj and not same.get(field, _same_value)(obj[field], value))

    def is_gone(self, obj):
        return obj.get('status') in self.gone


def _same_value(live, wanted):
    if isinstance(wanted, bool) or isinstance(live, bool):
        return bool(live) == bool(wanted)
    return str(live) == str(wanted)


class KeyIndex:
    """The objects of one list by natural key, built once: matching N items costs O(N)."""

    def __init__(self, rtype, objects):
        self.rtype = rtype
        self.by_key = {}
        for obj in objects:
            self.by_key.setdefault(rtype.key_of_object(obj), []).append(obj)

    def only_match(self, item):
        """The one object with the item's key, or None; several fail and name their ids."""
        matches = self.by_key.get(self.rtype.key_of_item(item), [])
        if len(matches) > 1:
            raise FlyWPError('%d FlyWP %ss match %s (ids %s): give the id, or remove the duplicates.' % (
                len(matches), self.rtype.label, self.rtype.describe(item), ', '.join(str(obj.get('id')) for obj in matches)))
        return matches[0] if matches else None


def converge(client, rtype, items, parent=None, state='present', exclusive=False, force=False,
             check_mode=False, wait=False, wait_timeout=600, existing=None):
    """Bring the items about among the rtype objects under `parent`, with one list request.

    `existing`: the objects to match the items against when the caller already has them
    (one fetched by its id), instead of listing the parent's objects.

    Returns {'changed', 'objects' (for 'present' one per item, for 'absent' those removed),
    'before' and 'after' (for a diff), 'warnings'}.
    """
    parent = parent or {}
    keys = set(check_unique(rtype, items))
    if existing is None:
        existing = client.list(rtype.endpoint('list'), **parent)
    existing = [obj for obj in existing if not rtype.is_gone(obj)]
    for obj in existing:
        if rtype.missing_key(obj):
            # It might be one of the items: creating that item again could make a duplicate.
            raise FlyWPError('The FlyWP API listed %s %s without its %s (id %s), so the task cannot tell whether it '
                             'is one of those asked for; nothing was changed.' % (
                                 'an' if rtype.label[0] in 'aeiouS' else 'a', rtype.label,
                                 ' and '.join(rtype.missing_key(obj)), obj.get('id')))
    index = KeyIndex(rtype, existing)

    plan, warnings = [], []
    for item in items:
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
    deletes = [match for item, match, action in plan if action in ('delete', 'replace')]
    if exclusive and state == 'present':
        deletes += [obj for obj in existing if rtype.key_of_object(obj) not in keys]

    # Create before deleting, so that a failure half-way never leaves anything missing.
    objects, created = [], []
    for item, match, action in plan:
        if action in ('create', 'replace'):
            match = _predicted(rtype, item) if check_mode else client.call(
                rtype.endpoint('create'), body=rtype.body(item), **parent)
            created.append(match)
        if match is not None:
            objects.append(match)
    for obj in deletes:
        if not check_mode:
            client.call(rtype.endpoint('delete'), **dict(parent, **{rtype.id_arg: obj['id']}))
    if wait and not check_mode and rtype.ready and state == 'present':
        try:
            objects = [wait_until_ready(client, rtype, obj, parent, wait_timeout) for obj in objects]
        except FlyWPError as error:
            # The writes are done: a failed wait still reports that something changed.
            error.result.setdefault('changed', bool(created or deletes))
            raise
        # The diff shows the created objects as the wait left them, not as first answered.
        ready = dict((str(obj['id']), obj) for obj in objects)
        created = [ready.get(str(obj['id']), obj) for obj in created]

    # The diff covers the objects the items name, and with `exclusive` every sibling.
    scope = existing if exclusive else [obj for obj in existing if rtype.key_of_object(obj) in keys]
    deleted = set(str(obj['id']) for obj in deletes)
    return {
        'changed': bool(created or deletes),
        'objects': objects,
        'before': scope,
        'after': [obj for obj in scope if str(obj['id']) not in deleted] + created,
        'warnings': warnings,
    }


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


def _predicted(rtype, item):
    """What check mode shows for an object it would create."""
    return dict(rtype.expected(item), id=None)


def _difference_warning(rtype, item, changed):
    fields = ', '.join('%s is %r, not %r' % (field, live, wanted) for field, (live, wanted) in sorted(changed.items()))
    hint = ' Set force=true to replace it.' if rtype.replace == WITH_FORCE else (
        ' The FlyWP API cannot change it in place; delete and recreate the %s to change it.' % rtype.label)
    return 'The %s with %s differs: %s. It was left as it is.%s' % (rtype.label, rtype.describe(item), fields, hint)


def read_current(client, rtype, obj, parent):
    """The current state of one object: by its own endpoint, else from its list. None when gone."""
    if rtype.endpoint('get'):
        current = find_by_id(client, rtype, obj['id'], parent)
    else:
        current = next((other for other in client.list(rtype.endpoint('list'), **parent)
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
    return '%r (id %s)' % (obj.get(rtype.fields[rtype.key[0]]), obj.get('id'))


def find_by_id(client, rtype, object_id, parent=None):
    """The object with this id, read by its own endpoint (one request); None when the API says
    there is none (a 404 that says the route is missing is an error, never "none")."""
    try:
        return client.call(rtype.endpoint('get'), **dict(parent or {}, **{rtype.id_arg: object_id}))
    except FlyWPAPIError as error:
        if error.is_missing(rtype.name, object_id):
            return None
        raise


def find_by_key(client, rtype, item, parent=None):
    """The one object whose natural key is the item's (a dict of key parameters), with one list
    request; None when there is none. Several fail and ask for the id."""
    candidates = [obj for obj in client.list(rtype.endpoint('list'), **(parent or {})) if not rtype.is_gone(obj)]
    return KeyIndex(rtype, candidates).only_match(item)
