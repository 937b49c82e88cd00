# -*- coding: utf-8 -*-
# Copyright: flywp.cloud contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The words a FlyWP resource is declared in; resource_types.py holds the declarations.

A ResourceType is every fact the collection knows of one kind of FlyWP object: its
endpoints and where each comes from in the contract (docs/api-contract.md), its fields with
their API names, choices, defaults and checks, its natural key, its label, its life cycle,
what a difference leads to, and which hints the modules keep of it. Code names an endpoint
by its resource and action (SERVER.endpoints.list), never by a string, and module argument
specs, errors, the inventory, the event source and the fleet role's checks read choices,
defaults and labels from the declaration.

This file imports only validation.py, which imports nothing of the collection: every other
file may import it.
"""

from __future__ import annotations

from collections import namedtuple
from urllib.parse import quote, unquote

from ansible_collections.flywp.cloud.plugins.module_utils.validation import InvalidInput, is_id

# Where an endpoint's shape comes from (docs/api-contract.md): FlyWP's overview, what its
# Laravel stack does by default, or the conventional REST shape of a dashboard feature. An
# ASSUMED endpoint answered with 404 or 405 is said to be perhaps missing from the user's API.
DOC, LIKELY, ASSUMED = 'doc', 'likely', 'assumed'
SOURCES = (DOC, LIKELY, ASSUMED)

# What a difference between a wanted object and the live one leads to: the contract knows no
# update endpoint, so it is either reported (NEVER), or the object is replaced (created anew,
# then the old one deleted) when asked (WITH_FORCE) or always (ALWAYS).
NEVER, WITH_FORCE, ALWAYS = 'never', 'with force', 'always'

# The hints the modules keep of a resource (hints.py): the id a name had, and what a check run
# would create, for the tasks after it.
NAMES, PREDICTIONS = 'names', 'predictions'

# The actions an endpoint may serve, and their methods.
METHODS = {'list': 'GET', 'create': 'POST', 'get': 'GET', 'delete': 'DELETE'}


class Field:
    """One field of a resource, as a module parameter and as the API names it.

    api       the API's name for it (the parameter's own name by default)
    kind      'str' or 'bool', as a module option takes it
    choices   the values the API takes; None when it takes any
    default   the API's value when it is left out or blank, where the contract says one
    secret    sent on create, never compared, returned or shown
    echoed    False when the API does not show it back (or shows it reformatted): sent on
              create, never compared as given (the resource's `derived` may compare it)
    check     validation.py function: refuses a bad value before any request, and returns the
              value as it is sent and compared
    fold      how a key value is compared once trimmed (lower case for domains)
    compare_as  the form both sides are compared in (a cron frequency spelt with other spaces)
    needed    for an object to be created: required with state=present
    """

    def __init__(self, api=None, kind='str', choices=None, default=None, secret=False, echoed=True, check=None,
                 fold=None, compare_as=None, needed=False):
        self.api, self.kind, self.default = api, kind, default
        self.choices = list(choices) if choices is not None else None
        self.secret, self.echoed, self.check, self.needed = secret, echoed, check, needed
        self.fold = fold or str
        self.compare_as = compare_as


class Endpoint:
    """One endpoint of the API: a resource's action, its method and path, and its source.

    The path's placeholders are the id arguments of the resource and of its parents, such as
    /servers/{server_id}/ssh-keys/{key_id}; each is filled quoted, so that an id stays one
    segment of the path.
    """

    __slots__ = ('resource', 'action', 'method', 'path', 'source')
    declared = True  # one of the declarations', which docs/api-contract.md lists

    def __init__(self, resource, action, path, source, method=None):
        if source not in SOURCES:
            raise ValueError('%s.%s: source %r is none of %s' % (resource.name, action, source, ', '.join(SOURCES)))
        self.resource, self.action, self.path, self.source = resource, action, path, source
        self.method = method or METHODS[action]
        unknown = [name for name in self._placeholders() if name not in _id_owners(resource)]
        if unknown:
            raise ValueError('%s.%s: the path %s names %s, which no resource of its lineage has as its id' % (
                resource.name, action, path, ', '.join(unknown)))

    def __repr__(self):
        return '%s.endpoints.%s (%s %s)' % (self.resource.name.upper(), self.action, self.method, self.path)

    def path_with(self, ids):
        """The path with its ids filled in; KeyError when one it needs is not given."""
        return self.path.format(**dict((key, quote(str(value), safe='')) for key, value in ids.items()))

    def objects_in(self, path):
        """[(resource, id)] of the objects this endpoint's `path` names by id, outermost first:
        /servers/12/ssh-keys/7 is [(SERVER, '12'), (SSH_KEY, '7')]."""
        owners = _id_owners(self.resource)
        pairs = zip(self.path.strip('/').split('/'), path.strip('/').split('/'))
        return [(owners[template[1:-1]], unquote(actual)) for template, actual in pairs
                if template.startswith('{') and template.endswith('}')]

    def innermost_object(self, path):
        """(resource, id) of the last object the path names by id, (SERVER, '12') for
        /servers/12/ssh-keys; None when it names none (/servers)."""
        objects = self.objects_in(path)
        return objects[-1] if objects else None

    @property
    def a_list(self):
        """What a list answer of this endpoint holds, for a message: 'a list of servers'."""
        return 'a list of %ss' % self.resource.label

    def _placeholders(self):
        return [part[1:-1] for part in self.path.strip('/').split('/') if part.startswith('{') and part.endswith('}')]


class GivenEndpoint(Endpoint):
    """An endpoint a task names by its method and path (flywp.cloud.api and its lookup): any
    FlyWP action, not only those the declarations know (docs/api-contract.md, tolerance 10).

    The path is whole, its ids in it. The objects it names are found by the resources'
    collection segments: /servers/12/sites/34/cache/purge names server 12 and site 34, so an
    error names them as it names a declared endpoint's. A method and path a declaration has
    (GET /servers/12/sites) keep that endpoint's source; any other is ASSUMED, as a path the
    collection does not know: a 404 or 405 there may be an action the user's FlyWP lacks.
    """

    __slots__ = ('collections',)
    declared = False

    def __init__(self, method, path, resources):  # pylint: disable=super-init-not-called
        self.resource, self.action, self.method, self.path = None, 'given', method, path
        self.collections = dict((rtype.collection, rtype) for rtype in resources)
        declared = [endpoint for rtype in resources for endpoint in rtype.endpoints
                    if endpoint is not None and endpoint.method == method and _same_shape(endpoint.path, path)]
        self.source = declared[0].source if declared else ASSUMED

    def __repr__(self):
        return 'a given endpoint (%s %s)' % (self.method, self.path)

    def path_with(self, ids):
        return self.path

    def objects_in(self, path):
        parts = [unquote(part) for part in path.strip('/').split('/')]
        return [(self.collections[name], object_id) for name, object_id in zip(parts, parts[1:])
                if name in self.collections and is_id(object_id)]

    @property
    def a_list(self):
        return 'a list'


def _same_shape(template, path):
    """Whether a path is a declared endpoint's template with ids in its placeholders."""
    wanted, given = template.strip('/').split('/'), path.strip('/').split('/')
    return len(wanted) == len(given) and all(
        part == actual or (part.startswith('{') and is_id(unquote(actual))) for part, actual in zip(wanted, given))


Endpoints = namedtuple('Endpoints', list(METHODS))


def _id_owners(resource):
    """{id argument: resource} of the resource and its parents."""
    owners = {}
    while resource is not None:
        owners[resource.id_arg] = resource
        resource = resource.parent
    return owners


class ResourceType:
    """How one kind of FlyWP object is found, made, compared and removed.

    name      its name in code and the singular result key ('ssh_key')
    plural    the result key of lists ('ssh_keys')
    label     what a person calls it ('SSH key'), and `article`, 'a' or 'an', before the label
    id_arg    the path argument that names one object ('key_id')
    parent    the resource it lives under (None: the account)
    endpoints action -> (path, source); the actions are list, create, get and delete
    fields    module parameter -> Field; only these are sent on create
    key       the parameters that identify an object among its siblings; the first is the one
              a person names it by (`named_by`, its API field)
    derived   API field -> function(item) computing what the API shows for a field it does not
              echo (an SSH key's fingerprint for its public key), or None
    replace   what a difference leads to: NEVER (a warning), WITH_FORCE, ALWAYS
    statuses  every status the contract gives it; `ready` end a wait (`failed` ends it with a
              failure), `in_progress` are on their way to ready, `gone` count as deleted
    many_per_key  objects of one key are many, and the newest counts (backups): a new one is
              made unless one is fresh enough (`converge`'s `fresh_for`); `recency` are the
              time fields that say how new one is, the first one set counts
    hints     NAMES and/or PREDICTIONS: what the modules remember of it (hints.py)
    """

    def __init__(self, name, plural, label, id_arg, endpoints, fields, key, article='a', parent=None, derived=None,
                 replace=NEVER, statuses=(), ready=(), in_progress=(), gone=(), many_per_key=False, recency=(),
                 hints=()):
        self.name, self.plural, self.label, self.article, self.id_arg = name, plural, label, article, id_arg
        self.parent = parent
        self.fields, self.key = fields, key
        for param, field in fields.items():
            field.api = field.api or param
        unknown = [param for param in key if param not in fields]
        if unknown:
            raise ValueError('%s: the key names %s, which are not fields' % (name, ', '.join(unknown)))
        self.derived = derived or {}
        self.replace = replace
        self.statuses, self.ready, self.in_progress, self.gone = statuses, ready, in_progress, gone
        self.many_per_key, self.recency = many_per_key, recency
        self.hints = hints
        self.endpoints = Endpoints(**dict(
            (action, Endpoint(self, action, *endpoints[action]) if action in endpoints else None) for action in METHODS))
        unknown = sorted(set(endpoints) - set(METHODS))
        if unknown:
            raise ValueError('%s: no action %s (the actions are %s)' % (name, ', '.join(unknown), ', '.join(METHODS)))

    def __repr__(self):
        return self.name.upper()

    @property
    def a_label(self):
        """The label with its article: 'an SSH key'."""
        return '%s %s' % (self.article, self.label)

    @property
    def collection(self):
        """The path segment its objects are listed under, and named by id after ('servers',
        'ssh-keys'): the last one of its list endpoint."""
        return self.endpoints.list.path.rstrip('/').rsplit('/', 1)[-1]

    @property
    def named_by(self):
        """The API field a person names an object by ('name', 'domain')."""
        return self.fields[self.key[0]].api

    # -- what the modules and their documentation take from the declaration

    def choices(self, param):
        return self.fields[param].choices

    def default(self, param):
        return self.fields[param].default

    def option(self, param, with_default=False, **spec):
        """A module argument spec entry for the field: its type, choices, no_log for a secret, and
        with_default the API's default (a filter, which must not default, leaves it out)."""
        field = self.fields[param]
        option = dict(type=field.kind)
        if field.choices is not None:
            option['choices'] = list(field.choices)
        if with_default and field.default is not None:
            option['default'] = field.default
        if field.secret:
            option['no_log'] = True
        option.update(spec)
        return option

    def checked(self, param, value):
        """A value of the field as it is sent and compared, or InvalidInput before any request."""
        check = self.fields[param].check
        return check(value) if check is not None and value is not None else value

    def given_value(self, param, value):
        """One parameter as a task gives it, checked before any request: a key field trimmed (blank:
        the API's default, else refused), then the field's check."""
        if param in self.key:
            value = str(value).strip() if value is not None else ''
            if not value and self.fields[param].default is None:
                raise InvalidInput('%s must not be empty.' % param)
            value = value or self.fields[param].default
        return self.checked(param, value)

    def item(self, given, present):
        """The object a task asks for, from its parameters: each given_value(), and the fields a new
        object needs present when state=present."""
        item = dict((param, self.given_value(param, given.get(param))) for param in self.fields)
        for param, field in self.fields.items():
            if field.needed and present and item[param] in (None, ''):
                raise InvalidInput('%s is required for the %s %r when state=present.' % (
                    param, self.label, item[self.key[0]]))
        return item

    # -- comparing what is given with what is listed

    def key_value(self, param, value):
        """One key field as it is compared, the same way for what is given and what is listed:
        trimmed, folded, and the API's default when it is missing or blank."""
        field = self.fields[param]
        text = '' if value is None else str(value).strip()
        return field.fold(text or field.default or '')

    def key_of_item(self, item):
        return tuple(self.key_value(param, item.get(param)) for param in self.key)

    def key_of_object(self, obj):
        return tuple(self.key_value(param, obj.get(self.fields[param].api)) for param in self.key)

    def missing_key(self, obj):
        """The key fields a listed object leaves out (or blank) that have no default: such an
        object cannot be told apart from one that is asked for."""
        return [param for param in self.key if self.fields[param].default is None
                and not str(obj.get(self.fields[param].api) or '').strip()]

    def describe(self, item):
        return ', '.join('%s %r' % (param, item.get(param)) for param in self.key)

    def body(self, item):
        """The create request body: given parameters under their API names."""
        return dict((field.api, item[param]) for param, field in self.fields.items() if item.get(param) is not None)

    def expected(self, item):
        """What the API should show for the item: its fields, less secrets and what it does not
        echo, plus derived ones."""
        shown = dict((field.api, item[param]) for param, field in self.fields.items()
                     if item.get(param) is not None and field.echoed and not field.secret)
        for api_field, compute in self.derived.items():
            value = compute(item)
            if value is not None:
                shown[api_field] = value
        return shown

    def differences(self, obj, item):
        """{API field: (live, wanted)} of the fields the object shows with another value than
        the item asks for; the key fields matched already, as key_value compares them (a domain
        the API spells in capitals is the same domain)."""
        forms = dict((field.api, field.compare_as) for field in self.fields.values() if field.compare_as)
        keys = set(self.fields[param].api for param in self.key)
        return dict((api_field, (obj[api_field], value)) for api_field, value in self.expected(item).items()
                    if api_field in obj and api_field not in keys and not _same(obj[api_field], value, forms.get(api_field)))

    def is_gone(self, obj):
        return obj.get('status') in self.gone


def _same(live, wanted, form=None):
    if form is not None:
        return form(live) == form(wanted)
    if isinstance(wanted, bool) or isinstance(live, bool):
        return bool(live) == bool(wanted)
    return str(live) == str(wanted)
