"""Build the ``ansible_collections/`` trees the tooling needs (standard library only).

Usage: python3 tools/collection_tree.py [live|copy] [--venv PATH]

Two trees, because one layout cannot serve both kinds of tools:

live (default) -- <repo>/.tmp/collections
    ansible_collections/seed/lightsail is a relative symlink to the repo root, so edits are seen at
    once. Use ANSIBLE_COLLECTIONS_PATH=<repo>/.tmp/collections for playbook/e2e runs, pytest (the
    root conftest.py builds this tree itself) and ansible-lint.

copy -- <repo>/.tmp/ansible-test
    ansible_collections/seed/lightsail is a synced copy of the repo (like rsync --delete, without
    .git, .venv*, .nox, .tmp, tests/output, caches). ansible-test resolves real paths, so it must run from
    a directory that really ends in ansible_collections/seed/lightsail. The copy gets its own
    ``git init``: otherwise ansible-test walks up to the repo's .git, where .tmp/ is ignored, and
    finds no files. With it, ansible-test lists files with git and honours .gitignore. The copy's
    tests/output (ansible-test results) survives a refresh.

Both trees get amazon/aws, community/aws and ansible/posix symlinked from the venv's
site-packages (the ansible package installed by tools/bootstrap.sh). Prints the collections root,
the directory that holds ansible_collections/.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAMESPACE, NAME = 'seed', 'lightsail'
DEPENDENCIES = (('amazon', 'aws'), ('community', 'aws'), ('ansible', 'posix'))
LIVE_ROOT = os.path.join(ROOT, '.tmp', 'collections')
COPY_ROOT = os.path.join(ROOT, '.tmp', 'ansible-test')

# Relative to the repo root; matched against every directory level for the *_ANY sets.
EXCLUDE_TOP = {'.git', '.tmp', '.nox', '.ansible', 'context', '.idea', '.vscode'}
EXCLUDE_TOP_PREFIX = ('.venv',)
# collections/ansible_collections: the symlink farm pytest-ansible makes when run without --ansible-unit-inject-only.
EXCLUDE_PATHS = {os.path.join('tests', 'output'), os.path.join('docs', 'build'), os.path.join('collections', 'ansible_collections')}
EXCLUDE_ANY_DIR = {'__pycache__', '.pytest_cache', '.hypothesis', '.mypy_cache', '.ruff_cache'}
EXCLUDE_SUFFIX = ('.pyc', '.pyo', '.tar.gz')
# Kept in the copy across refreshes.
KEEP_IN_COPY = {'.git', os.path.join('tests', 'output')}


def _symlink(target: str, path: str) -> None:
    """Point ``path`` at ``target``, atomically, replacing whatever was there."""
    if os.path.islink(path) and os.readlink(path) == target:
        return
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    tmp = '%s.tmp%d' % (path, os.getpid())
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def find_dependency_roots(search_paths: list[str]) -> dict[tuple[str, str], str]:
    """Return {(namespace, name): path} for the dependency collections found under ``search_paths``."""
    found = {}
    for base in search_paths:
        for dep in DEPENDENCIES:
            path = os.path.join(base, 'ansible_collections', *dep)
            if dep not in found and os.path.isfile(os.path.join(path, 'MANIFEST.json')):
                found[dep] = os.path.realpath(path)
    return found


def venv_site_packages(venv: str) -> list[str]:
    """Return the site-packages directories of ``venv``."""
    return sorted(glob.glob(os.path.join(venv, 'lib', 'python3*', 'site-packages')))


def link_dependencies(collections_root: str, search_paths: list[str]) -> None:
    """Symlink the dependency collections next to seed/lightsail."""
    found = find_dependency_roots(search_paths)
    missing = [dep for dep in DEPENDENCIES if dep not in found]
    if missing:
        names = ', '.join('.'.join(dep) for dep in missing)
        raise SystemExit('collection_tree: %s not found in %s (run tools/bootstrap.sh)' % (names, search_paths))
    for dep, path in found.items():
        _symlink(path, os.path.join(collections_root, 'ansible_collections', *dep))


def ensure_live(search_paths: list[str]) -> str:
    """Build the live (symlinked) tree and return its collections root."""
    link = os.path.join(LIVE_ROOT, 'ansible_collections', NAMESPACE, NAME)
    _symlink(os.path.join('..', '..', '..', '..'), link)
    link_dependencies(LIVE_ROOT, search_paths)
    return LIVE_ROOT


def _excluded(rel: str, is_dir: bool) -> bool:
    parts = rel.split(os.sep)
    if parts[0] in EXCLUDE_TOP or parts[0].startswith(EXCLUDE_TOP_PREFIX):
        return True
    if rel in EXCLUDE_PATHS:
        return True
    if is_dir:
        return parts[-1] in EXCLUDE_ANY_DIR
    return rel.endswith(EXCLUDE_SUFFIX)


def _same(src: str, dst: str) -> bool:
    if os.path.islink(src) or os.path.islink(dst):
        return os.path.islink(src) and os.path.islink(dst) and os.readlink(src) == os.readlink(dst)
    try:
        a, b = os.stat(src), os.stat(dst)
    except FileNotFoundError:
        return False
    return a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns and a.st_mode == b.st_mode


def sync_copy(src_root: str, dst_root: str) -> tuple[int, int]:
    """Mirror ``src_root`` into ``dst_root``; return (files copied, paths removed)."""
    wanted = set()
    copied = 0
    for dirpath, dirnames, filenames in os.walk(src_root):
        rel_dir = os.path.relpath(dirpath, src_root)
        rel_dir = '' if rel_dir == '.' else rel_dir
        keep_dirs = []
        for name in sorted(dirnames):
            rel = os.path.join(rel_dir, name)
            if _excluded(rel, True):
                continue
            if os.path.islink(os.path.join(dirpath, name)):
                filenames.append(name)  # copy directory symlinks as links
                continue
            keep_dirs.append(name)
            wanted.add(rel)
            os.makedirs(os.path.join(dst_root, rel), exist_ok=True)
        dirnames[:] = keep_dirs
        for name in filenames:
            rel = os.path.join(rel_dir, name)
            if _excluded(rel, False):
                continue
            wanted.add(rel)
            src, dst = os.path.join(src_root, rel), os.path.join(dst_root, rel)
            if _same(src, dst):
                continue
            if os.path.lexists(dst) and (os.path.isdir(dst) and not os.path.islink(dst)):
                shutil.rmtree(dst)
            elif os.path.lexists(dst):
                os.unlink(dst)
            if os.path.islink(src):
                os.symlink(os.readlink(src), dst)
            else:
                shutil.copy2(src, dst)
            copied += 1
    removed = 0
    for dirpath, dirnames, filenames in os.walk(dst_root, topdown=True):
        rel_dir = os.path.relpath(dirpath, dst_root)
        rel_dir = '' if rel_dir == '.' else rel_dir
        for name in list(dirnames):
            rel = os.path.join(rel_dir, name)
            if rel in KEEP_IN_COPY:
                dirnames.remove(name)
            elif rel not in wanted:
                path = os.path.join(dirpath, name)
                if os.path.islink(path):
                    os.unlink(path)
                else:
                    shutil.rmtree(path)
                dirnames.remove(name)
                removed += 1
        for name in filenames:
            rel = os.path.join(rel_dir, name)
            if rel not in wanted:
                os.unlink(os.path.join(dirpath, name))
                removed += 1
    return copied, removed


def ensure_copy(search_paths: list[str], verbose: bool = True) -> str:
    """Build or refresh the copied tree for ansible-test and return its collections root."""
    dst = os.path.join(COPY_ROOT, 'ansible_collections', NAMESPACE, NAME)
    if os.path.islink(dst):
        os.unlink(dst)
    os.makedirs(dst, exist_ok=True)
    copied, removed = sync_copy(ROOT, dst)
    if not os.path.isdir(os.path.join(dst, '.git')):
        subprocess.run(['git', 'init', '--quiet', dst], check=True)
    link_dependencies(COPY_ROOT, search_paths)
    if verbose:
        print('collection_tree: synced %s (%d copied, %d removed)' % (dst, copied, removed), file=sys.stderr)
    return COPY_ROOT


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n', 1)[0])
    parser.add_argument('mode', nargs='?', choices=('live', 'copy'), default='live')
    parser.add_argument('--venv', default=os.environ.get('VENV') or os.path.join(ROOT, '.venv'))
    args = parser.parse_args()
    venv = os.path.abspath(args.venv)
    search = venv_site_packages(venv)
    if not search:
        raise SystemExit('collection_tree: no site-packages under %s (run tools/bootstrap.sh)' % venv)
    print(ensure_live(search) if args.mode == 'live' else ensure_copy(search))


if __name__ == '__main__':
    main()
