# The inferlens server: `docker build -t inferlens .`, then
#   docker run -p 8080:8080 inferlens                       # the bundled demo models
#   docker run -p 8080:8080 -v "$PWD/my-models:/models:ro" inferlens
# Node.js 24, a long-term-support line CI tests this release of (.ci/run), on
# Debian (glibc: onnxruntime-node's bundled CPU runtime needs it).
ARG NODE_IMAGE=node:24.21.0-bookworm-slim

# Build: every dependency, then the TypeScript project references.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the dependency layer is rebuilt only when they change.
# .npmrc turns dependencies' install scripts off (see README).
COPY package.json package-lock.json .npmrc ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/express/package.json packages/express/
COPY packages/server/package.json packages/server/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
RUN npx tsc -b

# Runtime: production dependencies and the compiled packages only.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/express/package.json packages/express/
COPY packages/server/package.json packages/server/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/protocol/dist packages/protocol/dist
COPY --from=build /app/packages/express/dist packages/express/dist
COPY --from=build /app/packages/server/dist packages/server/dist
# The demo model repository; mount your own over /models.
COPY models /models

# The image's unprivileged user; payload files (the file sink, used when no
# OTLP endpoint is set) go to its writable working folder.
RUN mkdir -p /app/monitoring && chown node:node /app/monitoring
USER node

ENV INFERLENS_MODEL_REPOSITORY=/models \
    INFERLENS_HOST=0.0.0.0 \
    INFERLENS_PORT=8080
EXPOSE 8080
# Ready once every model is loaded (Open Inference readiness).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/v2/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "packages/server/dist/cli.js"]
CMD ["serve"]
