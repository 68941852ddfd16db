# seed.lightsail developer entry points. `make` alone prints this help.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= $(CURDIR)/.venv
export VENV
# The light venv of `make demo` and `make sandbox`: ansible-core, boto3, amazon.aws; no test or release tooling.
RUN_VENV ?= $(CURDIR)/.venv-run
PYTEST := $(VENV)/bin/python -m pytest
# extra pytest arguments, e.g. make unit PYTEST_ARGS='-k plan -x'
PYTEST_ARGS ?=
XDIST := $(if $(filter 1,$(SERIAL)),,-n auto)

.PHONY: help venv run-venv demo sandbox test unit service e2e pytest sanity lint matrix clean distclean

help: ## show this help
	@echo "seed.lightsail make targets (VENV=$(VENV); SERIAL=1 runs pytest without xdist):"
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

venv: ## create/refresh the dev venv (tools/bootstrap.sh; no-op when up to date)
	tools/bootstrap.sh

run-venv: ## create/refresh the light venv .venv-run that only runs the collection (VENV_KIND=run tools/bootstrap.sh)
	VENV=$(RUN_VENV) VENV_KIND=run tools/bootstrap.sh

demo: run-venv ## audit, harden and audit a local fleet again, with reports (tools/demo.sh)
	VENV=$(RUN_VENV) tools/demo.sh

# The lines are printed first and the service then runs in the foreground: paste them into another shell.
sandbox: run-venv ## the local Lightsail API with the demo fleet, and the lines to paste into another shell to use it (Ctrl-C stops it)
	@printf '# Paste these lines into another shell, then run any playbook of docs/recipes.md there: ansible-playbook recipe.yml\n'
	@printf 'source %q\n' "$(RUN_VENV)/bin/activate"
	@printf 'export ANSIBLE_COLLECTIONS_PATH=%q ANSIBLE_HOME=%q ANSIBLE_REMOTE_TMP=%q\n' "$$($(RUN_VENV)/bin/python tools/collection_tree.py live --venv $(RUN_VENV))" \
	    "$(CURDIR)/.tmp/ansible-home" "$(CURDIR)/.tmp/ansible-home/tmp"
	@printf 'export ANSIBLE_LOCALHOST_WARNING=false ANSIBLE_INVENTORY_UNPARSED_WARNING=false\n'
	@PYTHONPATH=$(CURDIR)/tests exec $(RUN_VENV)/bin/python -m lightsail_service --seed demo --print-env

test: ## full test: bootstrap, pytest (unit+service+e2e), sanity, lint, release check (tools/test.sh)
	tools/test.sh

unit: venv ## unit tests (tests/unit)
	$(PYTEST) $(XDIST) tests/unit $(PYTEST_ARGS)

service: venv ## test-service tests (tests/service)
	$(PYTEST) $(XDIST) tests/service $(PYTEST_ARGS)

e2e: venv ## end-to-end playbook tests (tests/e2e)
	$(PYTEST) $(XDIST) tests/e2e $(PYTEST_ARGS)

pytest: venv ## all pytest suites
	$(PYTEST) $(XDIST) $(PYTEST_ARGS)

sanity: ## ansible-test sanity in the copied tree (tools/sanity.sh)
	tools/sanity.sh

# antsibull-nox sessions (noxfile.py, antsibull-nox.toml), each in its venv under .nox/, reused as it is (-R):
# after a change of antsibull-nox.toml's packages, rm -rf .nox.
NOX = $(VENV)/bin/nox -f $(CURDIR)/noxfile.py -R --download-python never

lint: venv ## ansible-lint, production profile (antsibull-nox session ansible-lint)
	$(NOX) -e ansible-lint

docs-check: venv ## plugin and role docs valid, references resolve (antsibull-nox session docs-check)
	$(NOX) -e docs-check

matrix: ## pytest + sanity under ansible-core 2.17, 2.18, 2.19 (tools/matrix.sh)
	tools/matrix.sh

# Benchmarks (not part of `make test`): BENCH_ARGS='--quick' for a short run, '--help' for the options.
.PHONY: bench
BENCH_ARGS ?=
bench: venv ## API calls and wall time vs community.aws, the AWS CLI and boto3 (benchmarks/run.py; ~15 min with defaults)
	$(VENV)/bin/python benchmarks/run.py $(BENCH_ARGS)

# Release targets (docs site, changelog, execution environment, collection tarball); all offline.
.PHONY: docs docs-check changelog ee build build-import-check release-check
CHANGELOG_ENV = PATH=$(VENV)/bin:$$PATH ANSIBLE_COLLECTIONS_PATH=$$($(VENV)/bin/python tools/collection_tree.py live --venv $(VENV)) ANSIBLE_HOME=$(CURDIR)/.tmp/ansible-home

docs: venv ## docs site (antsibull-docs + user guide) in docs/build/html (tools/build_docs.sh)
	SKIP_BOOTSTRAP=1 tools/build_docs.sh

changelog: venv ## lint changelogs/fragments, update changelogs/changelog.yaml and CHANGELOG.rst (antsibull-changelog)
	$(CHANGELOG_ENV) $(VENV)/bin/antsibull-changelog lint
	$(CHANGELOG_ENV) $(VENV)/bin/antsibull-changelog release --reload-plugins
	$(VENV)/bin/antsibull-changelog lint-changelog-yaml --strict changelogs/changelog.yaml
	rm -f changelogs/.plugin-cache.yaml

ee: venv ## execution environment build context in context/ (ansible-builder create; tools/ee_context.sh)
	SKIP_BOOTSTRAP=1 tools/ee_context.sh

build: venv ## collection tarball seed-lightsail-VERSION.tar.gz and its content check (tools/check_tarball.py)
	rm -f seed-lightsail-*.tar.gz
	$(VENV)/bin/ansible-galaxy collection build --force .
	$(VENV)/bin/python tools/check_tarball.py seed-lightsail-*.tar.gz

build-import-check: venv ## the tarball built and imported by galaxy-importer, offline (antsibull-nox session build-import-check)
	$(NOX) -e build-import-check

release-check: venv ## docs check and site, changelog, EE context, tarball and galaxy-importer at once (tools/release_check.sh)
	SKIP_BOOTSTRAP=1 tools/release_check.sh

clean: ## remove build/test output (keeps the venvs, .nox's too)
	rm -rf .tmp tests/output .pytest_cache .hypothesis context docs/build collections/ansible_collections
	rmdir collections 2>/dev/null || true
	rm -f seed-lightsail-*.tar.gz
	find . -path ./.git -prune -o -path './.venv*' -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf

distclean: clean ## clean, and remove the venvs too
	rm -rf .venv .venv-* .nox
