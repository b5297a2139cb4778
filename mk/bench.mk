# Benchmarks: Docpipe against its ceilings and peers on a local stack of its own. See bench/README.md.
# Variables given on make's command line (BENCH_SCALE=0.1, BENCH_CONCURRENCY=64...) reach the run
# through the environment.

.PHONY: bench
bench: build ## Measure Docpipe against Kafka, the store, an empty route and its peers, the store as it grows, and a 10-minute soak (< 25 min; BENCH_SCALE=0.1 for a quick run)
	@bash bench/run.sh

.PHONY: bench-install
bench-install: ## Install the benchmark's peers: Kafka Connect + MongoDB sink connector, Strimzi Kafka Bridge
	@bash scripts/install/kafka-connect.sh >/dev/null
	@bash scripts/install/kafka-bridge.sh >/dev/null

.PHONY: capacity
capacity: build ## Size a cluster for 1k to 1M documents/s from a bench run's costs, against production (docs/capacity.md): make capacity ARGS="bench/results/<run>.json --headroom=0.6"
	@node bench/dist/capacity-cli.js $(ARGS)
