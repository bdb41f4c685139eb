# The headless `doclens` command line (extract, extract --shard / merge, queue, worker, serve) without Electron:
# for a Kubernetes Indexed Job (deploy/k8s/extract-job.yaml) or queue workers. docs/scale.md says how to use it.
#   docker build -t doclens .
#   docker run --rm -v "$PWD/archive:/data/in:ro" -v "$PWD/out:/data/out" doclens extract tables /data/in --out /data/out

FROM node:22-bookworm-slim AS build
WORKDIR /app
# No Electron binary (no window here), no CUDA provider download (CPU onnxruntime is in the package; see README).
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    ONNXRUNTIME_NODE_INSTALL=skip
COPY . .
# npm ci runs `prepare` (the esbuild build into dist/); then the dev tools are dropped.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/assets ./assets
COPY --from=build /app/models/manifest.json ./models/manifest.json
# Each container keeps its caches and job journals here; results that outlive it go to --out on a shared volume.
ENV NODE_ENV=production \
    DOCLENS_DATA_DIR=/tmp/doclens
USER node
ENTRYPOINT ["node", "/app/bin/doclens.mjs"]
CMD ["--help"]
