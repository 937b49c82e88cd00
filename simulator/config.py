"""The simulator's modes, delays and limits: their defaults and their checks."""

import copy

DELAY_KEYS = (
    'server_creating', 'server_provisioning',
    'site_creating', 'site_deleting',
    'backup_pending', 'backup_running',
)
FAIL_KINDS = ('server', 'site', 'backup')

DEFAULT_CONFIG = {
    'rate_limit': 60,
    'rate_window': 60.0,
    'rate_window_start': 'first-request',
    'max_per_page': 100,
    'default_per_page': 15,
    'delays': {
        'server_creating': 1.0,
        'server_provisioning': 2.0,
        'site_creating': 1.0,
        'site_deleting': 0.0,
        'backup_pending': 0.5,
        'backup_running': 1.0,
    },
    'bare_json': False,
    'string_ids': False,
    'extra_fields': False,
    'create_status': 201,
    'delete_status': 200,
    'pagination': 'meta',
    'rate_limit_headers': 'retry-after',
    'error_format': 'message',
    'fail_next': {'server': 0, 'site': 0, 'backup': 0},
}

CHOICES = {
    'rate_window_start': ('first-request', 'clock'),
    'create_status': (201, 200),
    'delete_status': (200, 204),
    'pagination': ('meta', 'links', 'none'),
    'rate_limit_headers': ('retry-after', 'http-date', 'reset-only', 'none'),
    'error_format': ('message', 'error', 'html'),
}
SWITCHES = ('bare_json', 'string_ids', 'extra_fields')
# key -> (minimum, whole numbers only)
COUNTS = {
    'rate_limit': (1, True),
    'rate_window': (0.001, False),
    'max_per_page': (1, True),
    'default_per_page': (1, True),
}


class ConfigError(ValueError):
    """A config change that names an unknown key or has a wrong value."""


def _number(key, value, minimum, whole):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f'{key} must be a number, not {value!r}')
    if whole and not float(value).is_integer():
        raise ConfigError(f'{key} must be a whole number, not {value!r}')
    if value < minimum:
        raise ConfigError(f'{key} must be at least {minimum}, not {value!r}')
    return int(value) if whole else float(value)


def _mapping(key, value, known, check):
    if not isinstance(value, dict):
        raise ConfigError(f'{key} must be an object with the keys {", ".join(known)}')
    result = {}
    for name, item in value.items():
        if name not in known:
            raise ConfigError(f'unknown {key} key {name!r}; known: {", ".join(known)}')
        result[name] = check(f'{key}.{name}', item)
    return result


def _check_value(key, value):
    if key == 'delays':
        return _mapping(key, value, DELAY_KEYS, lambda name, item: _number(name, item, 0, False))
    if key == 'fail_next':
        return _mapping(key, value, FAIL_KINDS, lambda name, item: _number(name, item, 0, True))
    if key in CHOICES:
        if isinstance(value, bool) or value not in CHOICES[key]:
            raise ConfigError(f'{key} must be one of {", ".join(map(str, CHOICES[key]))}, not {value!r}')
        return value
    if key in SWITCHES:
        if not isinstance(value, bool):
            raise ConfigError(f'{key} must be true or false, not {value!r}')
        return value
    minimum, whole = COUNTS[key]
    return _number(key, value, minimum, whole)


def merged(config, changes):
    """Return a copy of config with the changes applied; nested objects are merged key by key."""
    if not isinstance(changes, dict):
        raise ConfigError('the config changes must be a JSON object')
    result = copy.deepcopy(config)
    for key, value in changes.items():
        if key not in DEFAULT_CONFIG:
            raise ConfigError(f'unknown config key {key!r}; known: {", ".join(DEFAULT_CONFIG)}')
        checked = _check_value(key, value)
        if isinstance(checked, dict):
            result[key].update(checked)
        else:
            result[key] = checked
    return result
