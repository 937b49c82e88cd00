# flywp.cloud: the two commands are `make demo` and `make test`; the rest is for developers.
# The logic lives in tools/*.sh; see tools/test.sh for the pipeline's steps.

SHELL := /bin/bash
PORT ?= 8765

.DEFAULT_GOAL := help
.PHONY: help demo test venv pytest sanity units integration lint docs build release simulator bench clean

help:
	@echo "make demo         venv + simulator + playbooks/demo.yml + the inventory graph"
	@echo "make test         the whole pipeline (tools/test.sh), ends with 'N passed, N failed'"
	@echo "make pytest       unit tests with plain pytest, newest ansible-core"
	@echo "make sanity       ansible-test sanity on every ansible-core, 2.15 to 2.22"
	@echo "make units        plain pytest on every ansible-core, then ansible-test units on the newest"
	@echo "make integration  ansible-test integration against the simulator: 2.15, 2.16 and the newest"
	@echo "make lint         ansible-lint, antsibull-docs and antsibull-changelog lint"
	@echo "make docs         the documentation website (antsibull-docs) in build/docs-site/html"
	@echo "make build        build the collection tarball, install it in a scratch dir and a project"
	@echo "make release VERSION=X.Y.Z  prepare a release: changelog, version, tarball and its checks (docs/releasing.md)"
	@echo "make simulator    run the FlyWP API simulator in the foreground (PORT=$(PORT))"
	@echo "make bench        the rate-limit benchmark, about 22 min (BENCH='--quick --cases AB')"
	@echo "make venv         create or update .venv (newest, with the tools) and .venv-2.15 ... .venv-2.22"
	@echo "make clean        remove the venvs and everything generated"
	@echo "tools/test.sh STEP...  any steps, e.g. sanity-2.15 units-2.22 integration awx (see tools/test.sh)"

demo:
	tools/demo.sh

test:
	tools/test.sh

venv:
	tools/venv.sh

pytest:
	tools/test.sh pytest

sanity:
	tools/test.sh sanity

units:
	tools/test.sh units

integration:
	tools/test.sh integration

lint:
	tools/test.sh ansible-lint docs changelog

docs:
	tools/docs_site.sh

build:
	tools/test.sh build project

release:
	tools/release.sh $(VERSION)

simulator:
	tools/simulator.sh --port $(PORT)

bench:
	tools/bench/bench.sh $(BENCH)

clean:
	rm -rf .venv .venv-2.* .venv-galaxy-importer build .cache .ansible .pytest_cache tests/output \
		tests/integration/inventory tests/integration/integration_config.yml
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
