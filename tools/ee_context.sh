#!/usr/bin/env bash
# Write the execution environment build context of seed.lightsail to <repo>/context (make ee) and
# check it. Runs `ansible-builder create` only: no container engine is needed or used.
#
#   VENV=...          venv with ansible-builder and ansible-core (default: <repo>/.venv;
#                     bootstrapped unless SKIP_BOOTSTRAP=1)
#   EE_SOURCE=tarball (default) the EE installs the collection tarball of this tree, built here with
#                     ansible-galaxy collection build and copied into the context;
#                     EE_SOURCE=galaxy keeps meta/execution-environment.yml's entry (seed.lightsail
#                     from Galaxy) as it is
#   CONTEXT=...       output directory (default: <repo>/context, gitignored)
#   EE_STAGE=...      staging directory (default: <repo>/.tmp/ee)
#
# meta/execution-environment.yml names its files relative to the collection root, so it is staged
# in <repo>/.tmp/ee with requirements.txt and bindep.txt beside it. amazon.aws is not named in it:
# at build time ansible-galaxy installs it as a dependency of seed.lightsail (galaxy.yml
# `dependencies`), and ansible-builder's introspection adds its Python requirements.
#
# Checks: the context's _build/requirements.txt names boto3 and botocore with the bounds of
# requirements.txt, _build/bindep.txt is bindep.txt, _build/requirements.yml installs
# seed.lightsail, and the Containerfile installs ansible-core and the galaxy requirements. With the
# tarball, the builder stage's introspection also runs here (no container) on the installed
# collection plus amazon.aws from the venv, and must find boto3 and botocore through both.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${VENV:-$ROOT/.venv}
case "$VENV" in /*) ;; *) VENV=$ROOT/$VENV ;; esac
EE_SOURCE=${EE_SOURCE:-tarball}
CONTEXT=${CONTEXT:-$ROOT/context}
STAGE=${EE_STAGE:-$ROOT/.tmp/ee}
start=$SECONDS

log() { printf 'ee: %s\n' "$*"; }
die() { printf 'ee: ERROR: %s\n' "$*" >&2; exit 1; }

if [[ "${SKIP_BOOTSTRAP:-0}" != 1 ]]; then
    VENV=$VENV "$ROOT/tools/bootstrap.sh"
fi
export PATH=$VENV/bin:$PATH
command -v ansible-builder >/dev/null || die "ansible-builder not in $VENV (tools/bootstrap.sh installs requirements-dev.txt)"

rm -rf "$STAGE"
mkdir -p "$STAGE"
cp "$ROOT/requirements.txt" "$ROOT/bindep.txt" "$STAGE/"

tarball=
case "$EE_SOURCE" in
    tarball)
        (cd "$ROOT" && ansible-galaxy collection build --force --output-path "$STAGE/dist" . </dev/null) >"$STAGE/build.log" 2>&1 \
            || { cat "$STAGE/build.log" >&2; die "collection build failed"; }
        tarball=$(ls "$STAGE"/dist/seed-lightsail-*.tar.gz)
        log "collection tarball: $(basename "$tarball")"
        ;;
    galaxy) ;;
    *) die "EE_SOURCE must be tarball or galaxy, not $EE_SOURCE" ;;
esac

# The definition: meta/execution-environment.yml, with the tarball in place of the Galaxy entry.
"$VENV/bin/python" - "$ROOT/meta/execution-environment.yml" "$STAGE/execution-environment.yml" "$tarball" <<'EOF'
import os
import sys

import yaml

source, target, tarball = sys.argv[1:4]
with open(source) as handle:
    definition = yaml.safe_load(handle)
if definition.get('version') != 3:
    sys.exit('ee: ERROR: %s must be ansible-builder version 3 format' % source)
deps = definition['dependencies']
for key, expected in (('python', 'requirements.txt'), ('system', 'bindep.txt')):
    if deps.get(key) != expected:
        sys.exit('ee: ERROR: dependencies.%s must be %s (relative to the collection root), not %r' % (key, expected, deps.get(key)))
collections = deps['galaxy']['collections']
if tarball:
    name = os.path.basename(tarball)
    for entry in collections:
        if entry.get('name') == 'seed.lightsail':
            # The galaxy stage runs in /build, where _build/ is copied: _build/collections/<tarball>.
            entry.clear()
            entry.update(name='collections/' + name, type='file')
    definition.setdefault('additional_build_files', []).append({'src': 'dist/' + name, 'dest': 'collections'})
with open(target, 'w') as handle:
    yaml.safe_dump(definition, handle, sort_keys=False)
EOF

log "ansible-builder $(ansible-builder --version) create -> $CONTEXT"
rm -rf "$CONTEXT"
ansible-builder create --file "$STAGE/execution-environment.yml" --context "$CONTEXT" \
    --output-filename Containerfile -v 1 </dev/null | sed 's/^/ee: /'

# What the context must hold.
"$VENV/bin/python" - "$ROOT" "$CONTEXT" "$tarball" <<'EOF'
import os
import sys

import yaml
from packaging.requirements import Requirement

root, context, tarball = sys.argv[1:4]
build = os.path.join(context, '_build')
problems = []


def requirements(path):
    with open(path) as handle:
        lines = [line.split('#', 1)[0].strip() for line in handle]
    return {req.name.lower(): req for req in (Requirement(line) for line in lines if line)}


ours = requirements(os.path.join(root, 'requirements.txt'))
ctx_path = os.path.join(build, 'requirements.txt')
ctx = requirements(ctx_path) if os.path.isfile(ctx_path) else {}
for name in ('boto3', 'botocore'):
    if name not in ctx:
        problems.append('%s not named in %s' % (name, ctx_path))
    elif name in ours and ctx[name].specifier != ours[name].specifier:
        problems.append('%s: context says %s, requirements.txt %s' % (name, ctx[name], ours[name]))
for name in sorted(set(ours) - set(ctx)):
    problems.append('requirements.txt names %s, the context does not' % name)

bindep = os.path.join(build, 'bindep.txt')
if not os.path.isfile(bindep) or open(bindep).read() != open(os.path.join(root, 'bindep.txt')).read():
    problems.append('%s is not bindep.txt' % bindep)

galaxy_path = os.path.join(build, 'requirements.yml')
galaxy = yaml.safe_load(open(galaxy_path)) if os.path.isfile(galaxy_path) else {}
names = [entry.get('name', '') for entry in (galaxy or {}).get('collections', [])]
if tarball:
    wanted = 'collections/' + os.path.basename(tarball)
    if wanted not in names:
        problems.append('%s does not install %s (has %s)' % (galaxy_path, wanted, names))
    if not os.path.isfile(os.path.join(build, wanted)):
        problems.append('the tarball is not in the context: _build/%s' % wanted)
elif 'seed.lightsail' not in names:
    problems.append('%s does not install seed.lightsail (has %s)' % (galaxy_path, names))

containerfile = open(os.path.join(context, 'Containerfile')).read()
for needle in ('ansible-galaxy collection install', 'ansible-core', 'requirements.txt', 'bindep.txt', 'introspect'):
    if needle not in containerfile:
        problems.append('Containerfile does not mention %r' % needle)

if problems:
    for problem in problems:
        print('ee: check FAILED: ' + problem, file=sys.stderr)
    sys.exit(1)
print('ee: context check passed: _build/requirements.txt names %s; galaxy installs %s; bindep.txt and Containerfile in place'
      % (', '.join(str(ctx[n]) for n in sorted(ctx)), ', '.join(names)))
EOF
# The builder stage's introspection, without a container: install the tarball as the galaxy stage
# would (amazon.aws linked from the venv, where the real build gets it from Galaxy) and run the
# context's own introspect.py over it. It must find boto3 and botocore through seed.lightsail's
# meta/execution-environment.yml and through amazon.aws, and bindep.txt's packages.
if [[ -n "$tarball" ]]; then
    installed=$STAGE/collections
    ansible-galaxy collection install --no-deps --force -p "$installed" "$CONTEXT/_build/collections/$(basename "$tarball")" </dev/null >"$STAGE/install.log" 2>&1 \
        || { cat "$STAGE/install.log" >&2; die "ansible-galaxy could not install the context's tarball"; }
    amazon=$("$VENV/bin/python" "$ROOT/tools/collection_tree.py" live --venv "$VENV")/ansible_collections/amazon/aws
    mkdir -p "$installed/ansible_collections/amazon"
    ln -sfn "$(cd "$amazon" && pwd -P)" "$installed/ansible_collections/amazon/aws"
    "$VENV/bin/python" "$CONTEXT/_build/scripts/introspect.py" introspect "$installed" \
        --user-pip="$CONTEXT/_build/requirements.txt" --user-bindep="$CONTEXT/_build/bindep.txt" \
        --write-pip="$STAGE/introspect-requirements.txt" --write-bindep="$STAGE/introspect-bindep.txt" >/dev/null
    for wanted in 'boto3.*from collection seed.lightsail' 'botocore.*from collection seed.lightsail' \
        'boto3.*from collection amazon.aws' 'botocore.*from collection amazon.aws'; do
        grep -q "$wanted" "$STAGE/introspect-requirements.txt" || die "introspection: no '$wanted' in $STAGE/introspect-requirements.txt"
    done
    grep -q 'ca-certificates.*from collection seed.lightsail' "$STAGE/introspect-bindep.txt" \
        || die "introspection did not read bindep.txt through meta/execution-environment.yml"
    log "introspection (builder stage, no container): $(grep -c . "$STAGE/introspect-requirements.txt") Python and $(grep -c . "$STAGE/introspect-bindep.txt") system requirement lines, boto3/botocore from seed.lightsail and amazon.aws"
fi

log "done in $((SECONDS - start))s: $CONTEXT (build it elsewhere: podman build -f $CONTEXT/Containerfile -t seed-lightsail-ee $CONTEXT)"
