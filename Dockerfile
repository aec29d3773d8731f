# lwm2m-gateway container: build on Node 20 (the version the project targets, engines
# >= 20.19), run as an unprivileged user. Runs `node dist/main.js --config config/gateway.yaml`
# in /app; the shipped config reads the mapping files of /app/mappings (../mappings).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY mappings ./mappings
USER node
# LwM2M over CoAP/UDP, the embedded MQTT broker, the REST API (the defaults of config/gateway.yaml)
EXPOSE 5683/udp 1883 8080
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config", "config/gateway.yaml"]
