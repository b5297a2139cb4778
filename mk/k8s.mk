# Kubernetes: the kind cluster, the cdk8s manifests and their checks. See cdk8s/README.md.
# Skaffold (skaffold.yaml) is an optional inner loop only: nothing here needs it, since Skaffold is
# to be archived in January 2027.

KIND_CLUSTER ?= docpipe
DOCPIPE_ENV ?= kind
# The tag `make images` builds and loads into kind. Only kind's manifests take it: production's is
# the release pinned in cdk8s/src/config.ts.
IMAGE_TAG ?= dev
K8S_DIST := cdk8s/dist/$(DOCPIPE_ENV)
KUBECTL ?= kubectl
# Every part that runs as an image: each folder of services/, built from the one Dockerfile (a
# test holds them to packages/contract's PARTS).
PARTS := $(sort $(notdir $(wildcard $(ROOT)/services/*)))
# The pinned CRDs: ../shared/crds beside this checkout, or beside the one it was cloned from (a
# throwaway clone elsewhere, such as /tmp), else the copy `make crds` downloads.
CLONED_FROM := $(shell git -C '$(ROOT)' remote get-url origin 2>/dev/null)
export DOCPIPE_CRDS_DIR ?= $(firstword $(wildcard $(ROOT)/../shared/crds $(CLONED_FROM)/../shared/crds) $(CACHE)/crds)
export DOCPIPE_ENV
export DOCPIPE_KIND_IMAGE_TAG := $(IMAGE_TAG)
include scripts/versions.env

HELM_WAIT := --wait --timeout 10m

.PHONY: crds
crds: ## Download the pinned Strimzi, prometheus-operator and KEDA CRDs into $(CACHE)/crds
	@bash scripts/k8s/crds.sh

.PHONY: synth
synth: deps ## Synthesize cdk8s/dist/{kind,production} (+ rule file and dashboards JSON)
	@[ -d "$(DOCPIPE_CRDS_DIR)" ] || [ -d "$(ROOT)/$(DOCPIPE_CRDS_DIR)" ] || $(MAKE) crds
	npm run synth -w @docpipe/cdk8s

.PHONY: dashboards
dashboards: synth ## Write the Grafana dashboards JSON to cdk8s/dist/dashboards/
	@ls -1 cdk8s/dist/dashboards/*.json

.PHONY: images
images: ## Build docpipe/{ingest,consumer,jobs,operator}:$(IMAGE_TAG) from the one Dockerfile and load them into the kind cluster
	@command -v docker >/dev/null || { echo "docker is required for make images" >&2; exit 1; }
	for part in $(PARTS); do \
	  docker build --build-arg PART=$$part --build-context crds=$(abspath $(DOCPIPE_CRDS_DIR)) -t docpipe/$$part:$(IMAGE_TAG) . ; \
	done
	if kind get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)'; then \
	  kind load docker-image --name $(KIND_CLUSTER) $(foreach part,$(PARTS),docpipe/$(part):$(IMAGE_TAG)); \
	fi

.PHONY: cluster
cluster: ## Create the kind cluster (1 control plane + 2 workers) unless it exists
	@command -v kind >/dev/null || { echo "kind $(KIND_VERSION) is required: https://kind.sigs.k8s.io" >&2; exit 1; }
	kind get clusters 2>/dev/null | grep -qx '$(KIND_CLUSTER)' \
	  || kind create cluster --name $(KIND_CLUSTER) --config kind-config.yaml --image $(KIND_NODE_IMAGE) --wait 120s
	$(KUBECTL) config use-context kind-$(KIND_CLUSTER)

.PHONY: namespace
namespace: synth ## Create or update the docpipe namespace with its Pod Security labels
	@bash scripts/k8s/namespace.sh $(K8S_DIST)

.PHONY: operators
# The Strimzi chart puts RoleBindings into the namespace it watches, which Helm does not create.
operators: namespace ## helm upgrade --install the pinned operators with charts/*.values.yaml
	@command -v helm >/dev/null || { echo "helm 3 is required: https://helm.sh" >&2; exit 1; }
	helm upgrade --install metrics-server metrics-server --repo https://kubernetes-sigs.github.io/metrics-server/ \
	  --version $(METRICS_SERVER_CHART_VERSION) -n kube-system -f charts/metrics-server.values.yaml $(HELM_WAIT)
	helm upgrade --install strimzi oci://quay.io/strimzi-helm/strimzi-kafka-operator --version $(STRIMZI_VERSION) \
	  -n strimzi --create-namespace -f charts/strimzi-kafka-operator.values.yaml $(HELM_WAIT)
	helm upgrade --install keda keda --repo https://kedacore.github.io/charts --version $(KEDA_VERSION) \
	  -n keda --create-namespace -f charts/keda.values.yaml $(HELM_WAIT)
	helm upgrade --install kube-prometheus-stack kube-prometheus-stack --repo https://prometheus-community.github.io/helm-charts \
	  --version $(KUBE_PROMETHEUS_STACK_CHART_VERSION) -n monitoring --create-namespace -f charts/kube-prometheus-stack.values.yaml $(HELM_WAIT)

.PHONY: secrets
secrets: namespace ## Create the docpipe Secrets (passwords, key file, JWT keys) that do not exist yet
	@bash scripts/k8s/secrets.sh

.PHONY: deploy
deploy: synth secrets ## Apply cdk8s/dist/$(DOCPIPE_ENV) server-side and wait for Kafka and every rollout
	# Jobs are immutable; the init Job is idempotent, so it simply runs again.
	$(KUBECTL) -n docpipe delete job mongodb-init --ignore-not-found
	$(KUBECTL) apply --server-side --field-manager=docpipe -f $(K8S_DIST)/
	$(KUBECTL) -n docpipe wait kafka/docpipe --for=condition=Ready --timeout=15m
	$(KUBECTL) -n docpipe rollout status statefulset/postgres --timeout=10m
	$(KUBECTL) -n docpipe rollout status statefulset/mongodb --timeout=10m
	$(KUBECTL) -n docpipe wait job/mongodb-init --for=condition=Complete --timeout=10m
	$(KUBECTL) -n docpipe rollout status deployment/operator --timeout=10m
	# The pipelines are resources the operator reconciles: their topics, consumers, scaling and alerts.
	$(KUBECTL) -n docpipe wait crd/documentpipelines.docpipe.dev --for=condition=Established --timeout=2m
	$(KUBECTL) -n docpipe apply --server-side --field-manager=docpipe -f pipelines/
	$(KUBECTL) -n docpipe wait documentpipelines --all --for=condition=Ready --timeout=10m
	# ingest's Kafka user and its spec folder come from the operator once a pipeline is Ready, and
	# each pipeline's consumer is the operator's too.
	$(KUBECTL) -n docpipe rollout status deployment/ingest --timeout=10m
	$(KUBECTL) -n docpipe wait deployment -l app.kubernetes.io/name=consumer --for=condition=Available --timeout=10m
	@echo "docpipe is up: API http://localhost:8080 (kind NodePort), Grafana http://localhost:3000"

.PHONY: up
up: cluster operators images deploy ## kind cluster + namespace + operators + images + secrets + manifests, waiting until ready (idempotent)

.PHONY: down
down: ## Delete the kind cluster (and everything in it)
	kind delete cluster --name $(KIND_CLUSTER)

.PHONY: port-forward
# kind already maps 8080 and 3000 to NodePorts: there, run e.g. `make port-forward API_PORT=18080 GRAFANA_PORT=13000`.
API_PORT ?= 8080
GRAFANA_PORT ?= 3000
PROMETHEUS_PORT ?= 19090
port-forward: ## Forward the API, Grafana and Prometheus to localhost (API_PORT, GRAFANA_PORT, PROMETHEUS_PORT) until Ctrl-C
	trap 'kill 0' EXIT; \
	$(KUBECTL) -n docpipe port-forward svc/ingest $(API_PORT):8080 & \
	$(KUBECTL) -n monitoring port-forward svc/kube-prometheus-stack-grafana $(GRAFANA_PORT):80 & \
	$(KUBECTL) -n monitoring port-forward svc/kube-prometheus-stack-prometheus $(PROMETHEUS_PORT):9090 & \
	wait

.PHONY: logs
logs: ## Follow the logs of ingest and consumer
	$(KUBECTL) -n docpipe logs -f --prefix --max-log-requests 20 -l 'app.kubernetes.io/name in (ingest,consumer)'

.PHONY: load
load: ## Run k6 (load/k6/seed-replay.ts) against the API at localhost:8080 (kind NodePort or port-forward)
	@bash scripts/install/k6.sh
	k6 run -e BASE_URL=$${BASE_URL:-http://localhost:8080} load/k6/seed-replay.ts

.PHONY: kube-apiserver
kube-apiserver: ## Build kube-apiserver + kubectl v$(KUBERNETES_VERSION) from the Go module proxy (once; ~13 min)
	@bash scripts/install/kube-apiserver.sh

.PHONY: k8s-check
k8s-check: deps ## Every manifest check: snapshots, schemas, policies, kube-score, promtool, real kube-apiserver
	npx vitest run cdk8s/test
