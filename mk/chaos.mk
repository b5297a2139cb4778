# Fault injection with a checker: see bench/README.md ("make chaos") and docs/chaos.md.

.PHONY: chaos
chaos: build ## Inject faults under load and check nothing is lost or duplicated (1 and 3 brokers; about 25 min)
	@bash bench/chaos.sh
