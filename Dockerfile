# lwm2m-gateway container: build on a current LTS image, run as an unprivileged user.
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
# LwM2M over CoAP/UDP
EXPOSE 5683/udp
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--config", "config/gateway.yaml"]
