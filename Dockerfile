# ModelGuard images, built from the repository root:
#   docker build -t modelguard/operator .                                  the operator (default target)
#   docker build --target model-server -t modelguard/model-server .        the sample model server
#   docker build --target e2e-client -t modelguard/e2e-client .            the traffic runner of test/e2e-kind
#
# Node 20 is the project's runtime (package.json engines); 20.20.2 is its final release (Node 20
# reached end of life on 2026-04-30), so moving the project to Node 22 or 24 also means moving
# these bases (and distroless nodejs22/24-debian12).
#
# Base images: the build stages use an exact Node release on Debian bookworm. Distroless publishes
# no version tags (its Node major and Debian release are part of the repository name), so for a
# reproducible build pin both bases by digest. Look the digests up and pass them in:
#   docker buildx imagetools inspect gcr.io/distroless/nodejs20-debian12:nonroot   (and node:20.20.2-bookworm-slim)
#   docker build --build-arg RUNTIME_DIGEST=@sha256:<digest> --build-arg NODE_DIGEST=@sha256:<digest> .
ARG NODE_DIGEST=""
ARG RUNTIME_DIGEST=""

# build: the filter (AssemblyScript → wasm-filter/build/modelguard.wasm) and the TypeScript (→ dist/).
FROM node:20.20.2-bookworm-slim${NODE_DIGEST} AS build
WORKDIR /src
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/chmod-bin.mjs scripts/
COPY wasm-filter wasm-filter
COPY operator/src operator/src
RUN npm run build

# prod-deps: the runtime dependencies alone (no compilers, test tools or lifecycle scripts).
FROM node:20.20.2-bookworm-slim${NODE_DIGEST} AS prod-deps
WORKDIR /src
ENV npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts

# e2e-build: the sample model server and the in-mesh traffic runner, for the kind end-to-end run.
FROM build AS e2e-build
COPY test/harness test/harness
COPY test/envoy test/envoy
COPY test/e2e-kind test/e2e-kind
RUN npx tsc -p test/e2e-kind/tsconfig.images.json

# model-server: the deterministic sample model (OpenAI-style, KServe v1, OIP v2); node built-ins only.
FROM gcr.io/distroless/nodejs20-debian12:nonroot${RUNTIME_DIGEST} AS model-server
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="modelguard-model-server" \
      org.opencontainers.image.description="ModelGuard's sample model server, for end-to-end tests" \
      org.opencontainers.image.source="https://github.com/modelguard/modelguard" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /app
COPY --from=e2e-build /src/package.json ./package.json
COPY --from=e2e-build /src/dist/test/harness/model-server ./dist/test/harness/model-server
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/test/harness/model-server/main.js"]
CMD ["--host", "0.0.0.0", "--port", "8080"]

# e2e-client: runs test/e2e-kind's traffic checks from a pod inside the mesh.
FROM gcr.io/distroless/nodejs20-debian12:nonroot${RUNTIME_DIGEST} AS e2e-client
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="modelguard-e2e-client" \
      org.opencontainers.image.description="ModelGuard's in-mesh traffic checks for the kind end-to-end run" \
      org.opencontainers.image.source="https://github.com/modelguard/modelguard" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}"
WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=e2e-build /src/package.json ./package.json
COPY --from=e2e-build /src/dist/test ./dist/test
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/test/e2e-kind/traffic.js"]

# operator (the default target): `modelguard operator`. It serves the filter it carries at
# /wasm/<sha256>.wasm; the CLI finds the module at wasm-filter/build/modelguard.wasm beside dist/.
FROM gcr.io/distroless/nodejs20-debian12:nonroot${RUNTIME_DIGEST} AS operator
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="modelguard-operator" \
      org.opencontainers.image.description="ModelGuard operator: zero-trust security for ML inference endpoints on Istio, with the proxy-wasm filter it serves" \
      org.opencontainers.image.source="https://github.com/modelguard/modelguard" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/nodejs20-debian12:nonroot"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /src/node_modules ./node_modules
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/dist ./dist
COPY --from=build /src/wasm-filter/build/modelguard.wasm ./wasm-filter/build/modelguard.wasm
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/operator/src/cli/main.js"]
CMD ["operator"]
