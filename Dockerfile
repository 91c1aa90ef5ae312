# syntax=docker/dockerfile:1
# tradeops: the bot process (`tradeops start`). State lives in DATABASE_URL: the SQLite file on the /app/data volume
# by default, or MongoDB (a replica set) when several replicas run; see compose.yaml and README "Deployment".

ARG NODE_IMAGE=node:20-bookworm-slim

# Build stage: production dependencies only (tsx runs the TypeScript sources, so there is no compile step).
# python3, make and g++ build better-sqlite3 from source when no prebuilt binary can be downloaded.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Runtime stage: no compiler, a non-root user, the data volume.
FROM ${NODE_IMAGE}
ARG TRADEOPS_COMMIT=""
ENV NODE_ENV=production \
    TRADEOPS_COMMIT=${TRADEOPS_COMMIT} \
    DATABASE_URL=sqlite:/app/data/tradeops.db \
    CONSOLE=off \
    OPS_HOST=0.0.0.0 \
    OPS_PORT=9464
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY commands ./commands
COPY jobs ./jobs
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data"]
# 9464: /healthz, /readyz, /metrics (OPS_PORT). 8443: the Telegram webhook (TELEGRAM_WEBHOOK_PORT), when enabled.
EXPOSE 9464 8443
# The image has no curl: Node's fetch asks /healthz. Needs OPS_PORT on and OPS_HOST reachable on 127.0.0.1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.OPS_PORT || 9464}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/tradeops.js"]
CMD ["start"]
