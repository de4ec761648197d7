# syntax=docker/dockerfile:1
# Clearance container image. Two targets share the build:
#   docker build -t clearance .                       -> the app (next start, standalone output)
#   docker build --target worker -t clearance-worker . -> npm run worker / npm run db:migrate (tsx + sources)
# No secret is passed at build time: every key and password is read from the environment when a container starts.

ARG NODE_IMAGE=node:20-bookworm-slim

# --- deps: the exact dependency tree of package-lock.json --------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# --- build: next build with standalone output ---------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    NODE_ENV=production \
    NEXT_OUTPUT=standalone
# The public pages (guides, privacy notice, sitemap, feed) are rendered at build time with the organisation's
# name and public URL; neither is a secret.
ARG ORG_NAME
ARG APP_URL
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

# --- worker: scheduled work and migrations, run from the TypeScript sources ----
FROM ${NODE_IMAGE} AS worker
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    DATA_DIR=/app/.data
# tsx runs scripts/ as `npm run worker` does; it is a dev dependency, so the whole tree comes along.
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
COPY --chown=node:node . .
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
# node itself (not npm, not the tsx wrapper) receives SIGTERM: the worker finishes its tick and exits 0.
CMD ["node", "--import", "tsx", "--import", "./scripts/lib/server-only-hook.mjs", "scripts/worker.ts"]

# --- app: the standalone server, last so it is the default target -------------
FROM ${NODE_IMAGE} AS app
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    NEXT_MANUAL_SIG_HANDLE=true \
    SHUTDOWN_DELAY_SECONDS=5 \
    SHUTDOWN_TIMEOUT_SECONDS=25 \
    HOSTNAME=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/.data
# server.js with the traced node_modules, the built pages and the static files.
COPY --from=build --chown=node:node /app/.next/standalone ./
COPY --from=build --chown=node:node /app/.next/static ./.next/static
COPY --from=build --chown=node:node /app/public ./public
# Read at run time from process.cwd(), which tracing cannot see: content (lib/content/load.ts),
# migrations (db/client.ts, applied at start and checked by /api/health/ready), PDF fonts (lib/pdf/fonts.ts).
COPY --from=build --chown=node:node /app/content ./content
COPY --from=build --chown=node:node /app/db/migrations ./db/migrations
COPY --from=build --chown=node:node /app/assets/fonts ./assets/fonts
RUN mkdir -p /app/.data && chown node:node /app/.data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server.js"]
