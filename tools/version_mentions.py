"""The collection's version where the docs and examples name it, held to galaxy.yml's.

    python tools/version_mentions.py ROOT              check: exit 1 and list what disagrees
    python tools/version_mentions.py ROOT --set X.Y.Z  move them to X.Y.Z (tools/release.sh)

The guides name the version a user gets (and the client's User-Agent says it, COLLECTION_VERSION): a tarball (flywp-cloud-X.Y.Z.tar.gz), an image tag
(flywp-ee:X.Y.Z), what `ansible-galaxy collection list` prints (flywp.cloud X.Y.Z), and a
version range of flywp.cloud ('flywp.cloud:>=A,<B', or `version: ">=A,<B"` under
`name: flywp.cloud`), and the definitions a lower bound (`version: ">=A"`). Each of the first
three must be galaxy.yml's version, a range must admit it and a lower bound must not exceed
it; the example project's requirements.yml with a range that excludes the version would not
install it (make test's project step). The plugins, the event sources and the roles' argument
specs say in `version_added` the release that first had them, or an option of them, which
must not be above galaxy.yml's version.

--set moves the exact ones to the new version, a range that would exclude it to that major
version's, ">=X.0.0,<X+1.0.0" (docs/versioning.md: a major version may break, a minor or
patch one may not), and a `version_added` that names no release of changelogs/changelog.yaml
to the new version: what it marks is new in this release (for 1.0.0, everything: 0.1.0 was
never released).
"""

import os
import re
import sys

import yaml

VERSION = r'(\d+\.\d+\.\d+)'
EXACT = [re.compile(r'flywp-cloud-%s\.tar\.gz' % VERSION), re.compile(r'flywp-(?:ee|de):%s\b' % VERSION),
         re.compile(r'^flywp\.cloud +%s$' % VERSION, re.MULTILINE)]
RANGE = re.compile(r'(flywp\.cloud:|version: ")>=%s,<%s' % (VERSION, VERSION))
LOWER = re.compile(r'version: ">=%s"' % VERSION)
NAMED = re.compile(r'name: flywp\.cloud\s*$')
ADDED = re.compile(r'^(\s*version_added: *["\']?)%s(["\']?\s*)$' % VERSION, re.MULTILINE)
# The code that says the version: the client's User-Agent (modules cannot read galaxy.yml where they run).
IN_CODE = {
    os.path.join('plugins', 'module_utils', 'client.py'): re.compile(r"^COLLECTION_VERSION = '%s'$" % VERSION, re.MULTILINE),
}


def files(root):
    """The docs and definitions a user reads (docs/docsite/rst/ is made from the guides)."""
    found = ['README.md']
    for top in ('docs', 'meta', 'roles', 'extensions'):
        for directory, dirs, names in os.walk(os.path.join(root, top)):
            dirs[:] = sorted(d for d in dirs if os.path.relpath(os.path.join(directory, d), root) != 'docs/docsite')
            found += sorted(os.path.relpath(os.path.join(directory, name), root) for name in names
                            if name.endswith(('.md', '.yml', '.yaml', '.cfg')))
    return found


def plugin_files(root):
    """The files whose docs say version_added: plugins, event sources, the roles' argument specs."""
    found = []
    for top in ('plugins', os.path.join('extensions', 'eda', 'plugins')):
        for directory, dirs, names in os.walk(os.path.join(root, top)):
            dirs.sort()
            found += sorted(os.path.relpath(os.path.join(directory, name), root) for name in names if name.endswith('.py'))
    roles = os.path.join(root, 'roles')
    for role in sorted(os.listdir(roles)) if os.path.isdir(roles) else []:
        spec = os.path.join('roles', role, 'meta', 'argument_specs.yml')
        if os.path.isfile(os.path.join(root, spec)):
            found.append(spec)
    return found


def released(root):
    """The versions changelogs/changelog.yaml has released."""
    path = os.path.join(root, 'changelogs', 'changelog.yaml')
    if not os.path.isfile(path):
        return set()
    with open(path, encoding='utf-8') as handle:
        return set((yaml.safe_load(handle) or {}).get('releases') or {})


def key(version):
    return tuple(int(part) for part in version.split('.'))


def of_flywp(text, match):
    """Whether a range or lower bound is flywp.cloud's: named in it, or on the line before."""
    if match.group(0).startswith('flywp.cloud:'):
        return True
    lines = text[:match.start()].rstrip(' ').split('\n')
    return len(lines) >= 2 and bool(NAMED.search(lines[-2]))


def code_files(root):
    return [path for path in sorted(IN_CODE) if os.path.isfile(os.path.join(root, path))]


def exact(path):
    """The patterns of a version that must be galaxy.yml's, in this file."""
    return EXACT + ([IN_CODE[path]] if path in IN_CODE else [])


def problems(root, version):
    """What disagrees with VERSION, as 'PATH:LINE: what', in the order of the files and their lines."""
    found = []
    for path in files(root) + code_files(root):
        with open(os.path.join(root, path), encoding='utf-8') as handle:
            text = handle.read()
        here = []
        for pattern in exact(path):
            here += [(match, '%s names %s, not %s' % (match.group(0), match.group(1), version))
                     for match in pattern.finditer(text) if match.group(1) != version]
        here += [(match, 'the range >=%s,<%s excludes %s' % (match.group(2), match.group(3), version))
                 for match in RANGE.finditer(text)
                 if of_flywp(text, match) and not key(match.group(2)) <= key(version) < key(match.group(3))]
        here += [(match, '>=%s is above %s' % (match.group(1), version))
                 for match in LOWER.finditer(text) if of_flywp(text, match) and key(match.group(1)) > key(version)]
        for match, what in sorted(here, key=lambda item: item[0].start()):
            found.append('%s:%d: %s' % (path, text.count('\n', 0, match.start()) + 1, what))
    for path in plugin_files(root):
        with open(os.path.join(root, path), encoding='utf-8') as handle:
            text = handle.read()
        for match in ADDED.finditer(text):
            if key(match.group(2)) > key(version):
                found.append('%s:%d: version_added %s is above %s' % (
                    path, text.count('\n', 0, match.start()) + 1, match.group(2), version))
    return found


def move(root, version):
    major = key(version)[0]
    changed = []
    for path in files(root) + code_files(root):
        with open(os.path.join(root, path), encoding='utf-8') as handle:
            text = original = handle.read()
        for pattern in exact(path):
            text = pattern.sub(lambda match: match.group(0).replace(match.group(1), version), text)

        def widen(match, text=text):
            if not of_flywp(text, match) or key(match.group(2)) <= key(version) < key(match.group(3)):
                return match.group(0)
            return '%s>=%d.0.0,<%d.0.0' % (match.group(1), major, major + 1)
        text = RANGE.sub(widen, text)
        if text != original:
            with open(os.path.join(root, path), 'w', encoding='utf-8') as handle:
                handle.write(text)
            changed.append(path)
    known = released(root)
    for path in plugin_files(root):
        with open(os.path.join(root, path), encoding='utf-8') as handle:
            text = original = handle.read()
        text = ADDED.sub(lambda match: match.group(0) if match.group(2) in known
                         else match.group(1) + version + match.group(3), text)
        if text != original:
            with open(os.path.join(root, path), 'w', encoding='utf-8') as handle:
                handle.write(text)
            changed.append(path)
    return changed


def main(argv):
    if len(argv) not in (1, 3) or (len(argv) == 3 and argv[1] != '--set'):
        raise SystemExit(__doc__)
    root = argv[0]
    if len(argv) == 3:
        if not re.match(r'^%s$' % VERSION, argv[2]):
            raise SystemExit('not a version X.Y.Z: %r' % argv[2])
        for path in move(root, argv[2]):
            print('%s: names %s now' % (path, argv[2]))
        version = argv[2]
    else:
        with open(os.path.join(root, 'galaxy.yml'), encoding='utf-8') as handle:
            version = yaml.safe_load(handle)['version']
    found = problems(root, version)
    for problem in found:
        print(problem)
    print('the docs name version %s%s' % (version, ' everywhere' if not found else ', but not in %d places' % len(found)))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
