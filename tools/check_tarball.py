"""Check a seed.lightsail collection tarball: python3 tools/check_tarball.py TARBALL [IMPORTER_RESULT_JSON].

Fails when the tarball holds tests, benchmarks, local tooling, caches or build output, or lacks a file users
need (every plugin, role and playbook file git lists, meta/, docs/*.md, the changelog, README.md,
requirements.txt, bindep.txt), or when MANIFEST.json does not carry galaxy.yml's version and the amazon.aws
dependency. With galaxy-importer's importer_result.json (antsibull-nox's build-import-check session writes it
beside the tarball), every module and plugin must also have the documentation ansible-doc read from it.
"""

import fnmatch
import json
import os
import subprocess
import sys
import tarfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Never shipped: tests, benchmarks, local tooling, caches, build output.
FORBIDDEN = ('tests', 'benchmarks', 'tools', '.ci', '.git', '.tmp', '.nox', '.ansible', '.venv*', '.pytest_cache',
             '.hypothesis', '__pycache__', '*.pyc', 'Makefile', 'conftest.py', 'pytest.ini', 'requirements-dev.txt',
             'noxfile.py', 'antsibull-nox.toml', 'galaxy-importer.cfg', '.ansible-lint', '.yamllint', '.gitignore',
             'collections', 'context', 'build', 'site', '.plugin-cache.yaml', '*.tar.gz', 'importer_result.json')
# Always shipped: files git lists (tracked or new, not ignored) under these paths, and these files.
SHIPPED_DIRS = ('plugins', 'roles', 'playbooks', 'meta', 'changelogs')
SHIPPED_FILES = ('README.md', 'CHANGELOG.rst', 'requirements.txt', 'bindep.txt', 'MANIFEST.json', 'FILES.json')
REQUIRED = ('plugins/modules', 'plugins/inventory', 'meta/runtime.yml', 'meta/execution-environment.yml',
            'changelogs/changelog.yaml')
# galaxy-importer content types that must carry doc_strings (action plugins are documented by their module; a
# filter or test plugin by its .yml file, not by the .py file that holds several of them).
DOCUMENTED_TYPES = ('module', 'inventory', 'lookup')
DOCUMENTED_BY_YAML = ('filter', 'test')


def expected_files():
    """Return the paths the tarball must hold."""
    listed = subprocess.run(['git', '-C', ROOT, 'ls-files', '--cached', '--others', '--exclude-standard', '-z'],
                            check=True, capture_output=True).stdout.decode().split('\0')
    expected = set(SHIPPED_FILES)
    for path in filter(None, listed):
        if not os.path.isfile(os.path.join(ROOT, path)):
            continue  # deleted in the work tree
        top = path.split('/', 1)[0]
        if top in SHIPPED_DIRS and not path.endswith('.plugin-cache.yaml'):
            expected.add(path)
        elif top == 'docs' and path.count('/') == 1 and path.endswith('.md'):
            expected.add(path)
    return expected


def content_problems(names, manifest, expected):
    """Return what is wrong with the tarball's member names and MANIFEST.json."""
    problems = []
    for name in sorted(names):
        if any(fnmatch.fnmatch(part, pattern) for part in name.split('/') for pattern in FORBIDDEN):
            problems.append('must not ship: %s' % name)
    problems += ['missing: %s' % path for path in sorted(expected - names)]
    problems += ['missing: %s' % path for path in REQUIRED if path not in names]
    with open(os.path.join(ROOT, 'galaxy.yml')) as handle:
        galaxy = yaml.safe_load(handle)
    info = manifest['collection_info']
    if info['version'] != galaxy['version']:
        problems.append('MANIFEST.json version %s != galaxy.yml %s' % (info['version'], galaxy['version']))
    if info['dependencies'] != galaxy.get('dependencies', {}) or 'amazon.aws' not in info['dependencies']:
        problems.append('MANIFEST.json dependencies %r (galaxy.yml: %r)' % (info['dependencies'], galaxy.get('dependencies')))
    return problems


def importer_problems(path, names):
    """Return the modules and plugins of ``names`` that galaxy-importer found no documentation for."""
    with open(path) as handle:
        contents = json.load(handle)['docs_blob']['contents']
    problems = []
    for item in contents:
        kind, name = item['content_type'], item['content_name']
        documented = kind in DOCUMENTED_TYPES or (kind in DOCUMENTED_BY_YAML and 'plugins/%s/%s.yml' % (kind, name) in names)
        if documented and not item.get('doc_strings'):
            problems.append('galaxy-importer read no documentation of %s %s (ansible-doc failed: see its log)' % (kind, name))
    if not any(item['content_type'] == 'module' and item.get('doc_strings') for item in contents):
        problems.append('galaxy-importer found no documented module')
    return problems


def main(tarball, importer_result=None):
    """Check ``tarball`` (and galaxy-importer's result); exit 1 on any problem."""
    with tarfile.open(tarball) as tar:
        members = {m.name.rstrip('/'): m for m in tar.getmembers()}
        manifest = json.load(tar.extractfile('MANIFEST.json'))
    expected = expected_files()
    problems = content_problems(set(members), manifest, expected)
    if importer_result:
        problems += importer_problems(importer_result, set(members))
    files = sorted(n for n, m in members.items() if m.isfile())
    print('tarball %s: %d files, %d KiB' % (os.path.basename(tarball), len(files), os.path.getsize(tarball) // 1024))
    for top in sorted({n.split('/', 1)[0] for n in files}):
        print('  %-24s %d' % (top, sum(1 for n in files if n.split('/', 1)[0] == top)))
    if problems:
        print('tarball check FAILED:\n  ' + '\n  '.join(problems), file=sys.stderr)
        sys.exit(1)
    print('tarball check passed (%d required files present, nothing forbidden%s)'
          % (len(expected), ', galaxy-importer documented every module and plugin' if importer_result else ''))


if __name__ == '__main__':
    if not 2 <= len(sys.argv) <= 3:
        sys.exit(__doc__.split('\n', 1)[0])
    main(*sys.argv[1:])
