# pagemill: one image for the API node (the default command, `serve`) and for worker nodes
# (`worker …`). docs/container.md says how to build, run and configure it; compose.yaml runs a cluster.
#
# The base is an argument so that machines without a registry can build on a local stand-in
# (scripts/test-container.sh builds one from Debian's packages and Node from the npm registry).
ARG BASE_IMAGE=node:24-bookworm-slim

# ---- build: dependencies, with the compilers the native addons need -------------------------------
FROM ${BASE_IMAGE} AS build
# better-sqlite3 and native/malloc-trim compile with node-gyp when no prebuilt binary can be fetched.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# node-gyp compiles against the headers the Node image ships, instead of downloading them.
ENV npm_config_nodedir=/usr/local
# Only what `npm ci` reads: the lock, the postinstall that edits pdf.js (run by tsx, a runtime
# dependency) and the optional malloc-trim addon, a file: dependency built from native/.
COPY package.json package-lock.json tsconfig.json ./
COPY scripts/patch-pdfjs.ts scripts/
COPY native/ native/
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && rm -rf native/malloc-trim/build/Release/obj.target native/malloc-trim/build/Release/.deps

# ---- runtime -------------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
# tesseract-ocr: the native OCR engine (pagemill uses it when present: faster than tesseract.js),
# with Debian's eng/fra/osd "fast" models for TESSDATA_DIR=/usr/share/tesseract-ocr/5/tessdata; by
# default it reads with the bundled best_int models. tini: PID 1 that passes SIGTERM on to node and
# reaps children, so `docker stop` drains (node as PID 1 would ignore a SIGTERM that comes before
# its handler is installed). The pool bundles its worker task into node_modules/.cache/pagemill at
# start (inside the project, so its imports resolve): the one place under /app the service writes.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-eng tesseract-ocr-fra tesseract-ocr-osd tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 pagemill \
 && useradd --uid 10001 --gid pagemill --home-dir /app --no-create-home --shell /usr/sbin/nologin pagemill \
 && mkdir -p /app/node_modules/.cache/pagemill /data /input /output \
 && chown pagemill:pagemill /app/node_modules/.cache/pagemill /data /input /output \
 && ln -s /app/bin/pagemill.mjs /usr/local/bin/pagemill
WORKDIR /app

# What `npm start` and bin/pagemill.mjs set (docs/operating.md, Memory): glibc reads these only at
# process start, so they are set here rather than by a restart of the process.
ENV NODE_ENV=production \
    API_HOST=0.0.0.0 \
    API_PORT=8080 \
    DATA_DIR=/data \
    INPUT_DIR=/input \
    OUTPUT_DIR=/output \
    MALLOC_ARENA_MAX=1 \
    MALLOC_MMAP_THRESHOLD_=262144
VOLUME ["/data", "/input", "/output"]
EXPOSE 8080

# Ready, not merely alive: /ready is 503 while the workers start, the store or Redis is unavailable,
# the disk is full, or the server drains. Worker nodes have no HTTP listener: compose.yaml turns this
# off for them.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.API_PORT || 8080) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself (not npm, whose shell would keep SIGTERM from it) with the V8 flag `npm start` uses;
# the arguments are the pagemill command's: serve (default), worker --redis … --api …, convert ….
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--single-threaded-gc", "/app/bin/pagemill.mjs"]
CMD ["serve"]

# The code last, so that a change to it rebuilds only these layers. Files stay root's: read-only to
# the service.
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/native native
COPY package.json package-lock.json tsconfig.json ./
COPY bin/ bin/
COPY src/ src/
COPY workers/ workers/
USER pagemill
