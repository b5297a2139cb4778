# Local stack of real servers (Postgres, Kafka, FerretDB, Prometheus), one per profile:
#   make stack-up DOCPIPE_PROFILE=mine DOCPIPE_PORT_OFFSET=200
# Variables given on make's command line reach the scripts through the environment.

.PHONY: install
install: ## Install the local stack's servers and tools into .cache (idempotent)
	@bash scripts/install/all.sh

.PHONY: stack-up
stack-up: build ## Start the local stack of DOCPIPE_PROFILE (default local) with DOCPIPE_PORT_OFFSET
	@bash scripts/stack/up.sh

.PHONY: stack-down
stack-down: ## Stop the local stack of DOCPIPE_PROFILE gracefully (data is kept)
	@bash scripts/stack/down.sh

.PHONY: stack-status
stack-status: ## Show the servers of DOCPIPE_PROFILE, their ports and logs
	@bash scripts/stack/status.sh

.PHONY: stack-clean
stack-clean: ## Stop DOCPIPE_PROFILE and delete its data, logs and secrets
	@bash scripts/stack/clean.sh

.PHONY: stack-env
stack-env: ## Print the export lines of DOCPIPE_PROFILE, for eval in a shell
	@bash scripts/stack/env.sh
