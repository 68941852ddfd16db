#!/usr/bin/env bash
# The docs site's build script, as antsibull-docs sphinx-init lays it out; the work is done by
# tools/build_docs.sh (make docs), which writes the site to docs/build/html.
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tools/build_docs.sh" "$@"
