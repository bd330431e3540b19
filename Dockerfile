# syntax=docker/dockerfile:1
# One image for every alertgw service. SERVICE picks which packages/<service>/dist/main.js runs:
#   docker build --build-arg SERVICE=ingest         -t alertgw/ingest .
#   docker build --build-arg SERVICE=notifier-email -t alertgw/notifier-email .
#   docker build --build-arg SERVICE=notifier-sms   -t alertgw/notifier-sms .
#   docker build --build-arg SERVICE=notifier-chat  -t alertgw/notifier-chat .
# The three builds share every layer up to the last few lines. The CLI is in every image:
#   docker compose exec ingest alertctl queues
ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, TypeScript compiled to dist/ (Lua and ejs copied along) ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/ingest/package.json packages/ingest/
COPY packages/notifier-email/package.json packages/notifier-email/
COPY packages/notifier-sms/package.json packages/notifier-sms/
COPY packages/notifier-chat/package.json packages/notifier-chat/
COPY packages/alertctl/package.json packages/alertctl/
COPY packages/alertctl/bin packages/alertctl/bin
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY scripts/copy-assets.js scripts/
COPY packages packages
RUN npm run build

# ---- runtime: production dependencies and compiled code only, as the unprivileged node user ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/shared/package.json packages/shared/
COPY packages/ingest/package.json packages/ingest/
COPY packages/notifier-email/package.json packages/notifier-email/
COPY packages/notifier-sms/package.json packages/notifier-sms/
COPY packages/notifier-chat/package.json packages/notifier-chat/
COPY packages/alertctl/package.json packages/alertctl/
COPY packages/alertctl/bin packages/alertctl/bin
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/shared/dist packages/shared/dist
COPY --from=build /app/packages/ingest/dist packages/ingest/dist
COPY --from=build /app/packages/notifier-email/dist packages/notifier-email/dist
COPY --from=build /app/packages/notifier-sms/dist packages/notifier-sms/dist
COPY --from=build /app/packages/notifier-chat/dist packages/notifier-chat/dist
COPY --from=build /app/packages/alertctl/dist packages/alertctl/dist
# The config used when neither CONFIG nor --config is given (mail to ./var/mail, SMS dry run).
# It has no webhook credentials, so ingest listens on 127.0.0.1 only: unreachable from outside
# the container. To take webhooks, mount a config with ingest.auth (CONFIG=/path/alertgw.yaml);
# ingest refuses to listen beyond loopback without credentials (SECURITY.md).
COPY config.example.yaml ./
# The example config's mail sink and any private state live in ./var, writable by node only.
RUN mkdir -p var && chown node:node var
# npm links the workspace bins there: `alertctl` works in any container of the stack.
ENV PATH=/app/node_modules/.bin:$PATH

ARG SERVICE=ingest
RUN test -f "packages/${SERVICE}/dist/main.js" || { echo "SERVICE=${SERVICE}: no packages/${SERVICE}/dist/main.js" >&2; exit 1; }
# HTTP_PORT: where the service serves /healthz, /readyz and /metrics (ingest: its listen port).
ENV SERVICE=${SERVICE} \
    HTTP_PORT=9097
USER node
EXPOSE 9097
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.HTTP_PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node is PID 1 and gets SIGTERM itself (graceful shutdown of requests and leases).
CMD ["sh", "-c", "exec node \"packages/${SERVICE}/dist/main.js\""]
