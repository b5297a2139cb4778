# syntax=docker/dockerfile:1
# docpipe/<part>, one Dockerfile for every part, named by the build argument PART (a folder of
# services/). Build context: the repository root (npm workspaces). A part that renders with the
# cdk8s constructs (the operator) also needs the pinned CRDs they are typed from, as the named
# context `crds`, e.g.
#   docker build --build-arg PART=ingest -t docpipe/ingest:dev .
#   docker build --build-arg PART=operator --build-context crds=../shared/crds -t docpipe/operator:dev .
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Empty unless --build-context crds=... replaces it.
FROM scratch AS crds

# Only the package.json files, so the npm ci layers below are rebuilt when dependencies change,
# not on every source edit.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /repo
COPY . .
RUN mkdir /manifests \
 && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \; \
 && cp package-lock.json /manifests/

FROM ${NODE_IMAGE} AS build
ARG PART
WORKDIR /repo
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
COPY --from=crds . /crds
# tsc -b of the part builds exactly the libraries it references; /out keeps their output and the
# part's own (the jobs' migrations too), so the runtime stage takes no source.
RUN [ -n "$PART" ] && [ -f "services/$PART/package.json" ] || { echo "PART must name a folder of services/, got '$PART'" >&2; exit 1; }; \
    if grep -q '"@docpipe/cdk8s"' "services/$PART/package.json"; then \
      [ -n "$(ls /crds)" ] || { echo "services/$PART renders with cdk8s: pass the pinned CRDs with --build-context crds=DIR" >&2; exit 1; }; \
      DOCPIPE_CRDS_DIR=/crds npm run import -w @docpipe/cdk8s; \
    fi \
 && npx tsc -b "services/$PART" \
 && mkdir /out \
 && for built in packages/*/dist cdk8s/lib "services/$PART/dist" "services/$PART/migrations"; do \
      if [ -e "$built" ]; then cp -r --parents "$built" /out/; fi; \
    done

FROM ${NODE_IMAGE} AS runtime
ARG PART
ENV NODE_ENV=production
WORKDIR /app
COPY --from=manifests /manifests/ ./
# Production dependencies of this part only; workspace libraries stay symlinks to packages/.
RUN npm ci --omit=dev --no-audit --no-fund -w "@docpipe/$PART" && npm cache clean --force
COPY --from=build --chown=0:0 /out/ ./
WORKDIR /app/services/${PART}
# Numeric, so the kubelet can verify runAsNonRoot; files stay root-owned and read-only to it.
RUN groupadd --system --gid 10001 docpipe && useradd --system --uid 10001 --gid 10001 --no-create-home docpipe
USER 10001:10001
# The part's package.json `main`: its server, or for jobs the command-line entry (args: migrate, ...).
ENTRYPOINT ["node", "."]
