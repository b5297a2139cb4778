# Load generation: the k6 scenarios and the Node client, against a running pipeline (make local,
# or BASE_URL / ARGS pointing elsewhere). See load/README.md. Variables given on make's command
# line (BASE_URL=..., VUS=..., RATES=...) reach k6 through the environment.

K6 := $(CACHE)/bin/k6

$(K6):
	@bash scripts/install/k6.sh

.PHONY: load-client
load-client: deps ## Run docpipe-load, the Node load client: make load-client ARGS="--count 5000 --concurrency 32"
	@npx tsc -b load
	@node load/dist/client/cli.js $(ARGS)

.PHONY: load-smoke
load-smoke: | $(K6) ## k6: 50 documents by one VU, every answer checked (BASE_URL, default http://127.0.0.1:8080)
	$(K6) run load/k6/smoke.ts

.PHONY: load-seed-replay
load-seed-replay: | $(K6) ## k6: the same 5000 seeded documents (~27 % invalid) once each; exact accepted/rejected counts
	$(K6) run load/k6/seed-replay.ts

.PHONY: load-batch
load-batch: | $(K6) ## k6: 50 NDJSON batches of 100 seeded documents; exact accepted/rejected counts
	$(K6) run load/k6/batch.ts

.PHONY: load-ramp
load-ramp: | $(K6) ## k6: constant-arrival-rate stages (RATES=500,1000,2000,3000,4000) and the knee
	$(K6) run load/k6/ramp.ts

.PHONY: load-soak
load-soak: | $(K6) ## k6: SOAK_RATE documents/s (200) for SOAK_DURATION (30m)
	$(K6) run load/k6/soak.ts

.PHONY: load-test
load-test: deps ## Type-check the k6 scenarios and run the load unit tests (no servers needed)
	npx tsc -p load/k6
	npx vitest run load --exclude '**/*.int.test.ts'
