# lwm2m-gateway container: built and run on the current Node LTS (the code also runs on
# Node 20.19 and later), as the unprivileged user `node`. Runs
# `node dist/main.js --config config/gateway.yaml` in /app; the shipped config reads the
# mapping files of /app/mappings (../mappings).
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY test/fixtures/npm ./test/fixtures/npm
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# the web console (bundled by esbuild into dist/console)
COPY console ./console
COPY scripts/build-console.mjs ./scripts/
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY mappings ./mappings
# the JSON Schema of the mapping files, where their `$schema=../schema/...` lines point
COPY schema ./schema
RUN mkdir -p /app/models /app/data && chown node:node /app/data
USER node
# LwM2M over CoAP/UDP and CoAP/DTLS, the Bootstrap Server (CoAP 5685, CoAPS 5686, when
# bootstrap.enabled), the embedded MQTT broker (TCP; WebSocket when
# mqtt.embedded.wsPort is set; TLS when mqtt.embedded.tls has a cert and key), the REST
# API with /healthz, /readyz and /metrics
EXPOSE 5683/udp 5684/udp 5685/udp 5686/udp 5687/tcp 5688/tcp 1883/tcp 8083/tcp 8883/tcp 8080/tcp
VOLUME ["/app/config", "/app/mappings", "/app/models", "/app/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "dist/main.js", "healthcheck", "--config", "config/gateway.yaml"]
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config", "config/gateway.yaml"]
