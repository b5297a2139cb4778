# Docpipe: `make help` lists the targets. Each concern keeps its targets in mk/*.mk.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

ROOT := $(CURDIR)
CACHE ?= $(ROOT)/.cache
export DOCPIPE_CACHE := $(CACHE)
# The project's own Node 24 (installed from the npm registry by scripts/install/node.sh) comes first.
export PATH := $(CACHE)/node/bin:$(CACHE)/bin:$(PATH)

NODE := $(CACHE)/node/bin/node

.PHONY: help
help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(NODE):
	@bash scripts/install/node.sh

node_modules/.package-lock.json: package.json package-lock.json $(wildcard */package.json */*/package.json) | $(NODE)
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: deps
deps: node_modules/.package-lock.json ## Install Node 24 and the npm dependencies

.PHONY: build
build: deps ## Compile every workspace (tsc -b; the cdk8s CRD types are generated first)
	@[ -d "$(DOCPIPE_CRDS_DIR)" ] || [ -d "$(ROOT)/$(DOCPIPE_CRDS_DIR)" ] || $(MAKE) crds
	npm run build

.PHONY: local
local: build ## Run the whole pipeline on this machine (API on http://127.0.0.1:8080); Ctrl-C stops it
	@bash scripts/local.sh

.PHONY: test
test: build ## Run every test (unit, integration on real servers, Kubernetes checks)
	@bash scripts/test.sh

include $(wildcard mk/*.mk)
