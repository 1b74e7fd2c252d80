#!/usr/bin/env bash
# npm run test:container — the release check of the container image (docs/container.md).
#
# Where no image registry is reachable and `podman run` cannot start containers (cgroups v1), this
# builds and runs the Dockerfile with buildah alone: a stand-in for node:24-bookworm-slim from
# Debian's mirror and the npm registry (scripts/container/build-base.sh), `buildah bud` on it, then
# the image's own entrypoint run with `buildah run --isolation chroot` on the host's network:
#   1. a single server: /ready and the image's HEALTHCHECK answer, a scan (test/fixtures/files/linn.pdf)
#      converts and its text reads right, SIGTERM to the container's PID 1 drains and exits 0;
#   2. a cluster: a Redis on loopback (started here), an API node with no page threads and a worker
#      node from the same image; the same scan is read by the worker node; both stop on SIGTERM.
# Ends with one line "container check: passed|failed (N s)". Removes its containers, Redis and
# temporary files; keeps the images (the next run reuses their layers; `buildah --storage-driver vfs
# rmi localhost/pagemill:container-test localhost/pagemill-base:bookworm-node24` frees the space).
set -uo pipefail
cd "$(dirname "$0")/.."
started_at=$(date +%s)
export BUILDAH_OPTS="--storage-driver vfs"
read -r -a B <<< "$BUILDAH_OPTS"
BASE=localhost/pagemill-base:bookworm-node24
IMAGE=localhost/pagemill:container-test
SCAN=test/fixtures/files/linn.pdf
EXPECT='LinnSequencer|MIDI Sequence' # words of linn.pdf's first lines, as tesseract reads them
SECRET="container-check-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/pagemill-container-XXXXXX")"
containers=()
pids=()
failed=0

say() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() { say "FAIL: $*"; failed=1; }
finish() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null; done
  for ctr in "${containers[@]}"; do buildah "${B[@]}" rm "$ctr" >/dev/null 2>&1; done
  rm -rf "$tmp"
  local verdict=passed
  [ "$failed" -eq 0 ] || verdict=failed
  echo "container check: $verdict ($(( $(date +%s) - started_at )) s)"
  [ "$failed" -eq 0 ]
}
trap 'finish; exit $?' EXIT
trap 'failed=1; exit 1' INT TERM

# --- tools -----------------------------------------------------------------------------------------
need=()
for tool in buildah:buildah mmdebstrap:mmdebstrap redis-server:redis-server curl:curl; do
  command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing: ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null \
    || { fail "could not install ${need[*]}"; exit 1; }
fi

# --- images ----------------------------------------------------------------------------------------
say "base image (stand-in for node:24-bookworm-slim)"
bash scripts/container/build-base.sh "$BASE" || { fail "base image"; exit 1; }
say "buildah bud (slow with the vfs driver: every layer is a full copy)"
t0=$(date +%s)
# --format docker keeps HEALTHCHECK (the OCI format has no field for it)
if ! buildah "${B[@]}" bud --isolation chroot --network host --format docker --layers --force-rm --quiet \
    --build-arg BASE_IMAGE="$BASE" -t "$IMAGE" . > "$tmp/bud.log" 2>&1; then
  tail -30 "$tmp/bud.log"; fail "buildah bud"; exit 1
fi
say "image built in $(( $(date +%s) - t0 )) s"

# (buildah 1.28's --format templates have no json function: lists are printed a line an item)
inspect() { buildah "${B[@]}" inspect --type image --format "$1" "$IMAGE"; }
[ "$(inspect '{{.Docker.Config.User}}')" = pagemill ] || fail "the image does not run as the pagemill user"
volumes="$(inspect '{{range $dir, $_ := .Docker.Config.Volumes}}{{println $dir}}{{end}}')"
for dir in /data /input /output; do grep -qx "$dir" <<< "$volumes" || fail "no $dir volume (volumes: $volumes)"; done
# The image's entrypoint and healthcheck, run as they are (buildah run does not apply them itself).
mapfile -t ENTRY < <(inspect '{{range .Docker.Config.Entrypoint}}{{println .}}{{end}}')
mapfile -t HEALTH < <(inspect '{{range .Docker.Config.Healthcheck.Test}}{{println .}}{{end}}')
[ "${HEALTH[0]:-}" = CMD ] || fail "no HEALTHCHECK in exec form: ${HEALTH[*]}"
grep -q '/ready' <<< "${HEALTH[*]}" || fail "the HEALTHCHECK does not ask /ready: ${HEALTH[*]}"
[ "${#ENTRY[@]}" -gt 0 ] || fail "no ENTRYPOINT"

# --- helpers ---------------------------------------------------------------------------------------
free_port() { node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
json_field() { node -e 'let d = ""; process.stdin.on("data", (c) => d += c).on("end", () => { const v = process.argv[1].split(".").reduce((o, k) => o?.[k], JSON.parse(d)); console.log(typeof v === "object" ? JSON.stringify(v) : v); })' "$1"; }

# start_node NAME LOGFILE [--env K=V]... -- ARGS...: a new container of the image running its entrypoint with ARGS.
start_node() {
  local name="$1" log="$2"; shift 2
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1" "$2"); shift 2; done
  shift
  local ctr
  ctr="$(buildah "${B[@]}" from --name "pagemill-check-$name-$$" "$IMAGE")" || { fail "buildah from"; return 1; }
  containers+=("$ctr")
  buildah "${B[@]}" run --isolation chroot --network host "${envs[@]}" "$ctr" -- "${ENTRY[@]}" "$@" > "$log" 2>&1 &
  pids+=("$!")
  eval "${name//-/_}_ctr=\$ctr; ${name//-/_}_pid=\$!"
}

# The container's PID 1 (tini, the image's entrypoint): the first descendant of `buildah run` named tini.
container_init() {
  local queue=("$1") p
  while [ ${#queue[@]} -gt 0 ]; do
    p="${queue[0]}"; queue=("${queue[@]:1}")
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = tini ] && { echo "$p"; return 0; }
    mapfile -t -O "${#queue[@]}" queue < <(ps -o pid= --ppid "$p" | tr -d ' ')
  done
  return 1
}

# stop_node NAME LOGFILE MESSAGE: SIGTERM to the container's PID 1; the node must log MESSAGE and exit 0.
stop_node() {
  local name="${1//-/_}" log="$2" message="$3"
  local pid_var="${name}_pid"; local pid="${!pid_var}" init
  init="$(container_init "$pid")" || { fail "$1: no tini under buildah run $pid"; return 1; }
  kill -TERM "$init"
  local code=0
  wait "$pid" || code=$?
  [ "$code" -eq 0 ] || fail "$1: exit $code after SIGTERM (log: $(tail -3 "$log"))"
  grep -q "$message" "$log" || fail "$1: no \"$message\" in its log after SIGTERM"
  [ "$code" -eq 0 ] && say "$1: SIGTERM → \"$message\", exit 0"
}

wait_ready() {
  local port="$1" log="$2"
  for _ in $(seq 1 180); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null && return 0
    sleep 1
  done
  fail "not ready on port $port after 180 s (log: $(tail -5 "$log"))"; return 1
}

# convert PORT: sends the scan, waits for the end, checks the text; prints the conversion id.
convert() {
  local port="$1" reply id status=""
  reply="$(curl -sf -F "file=@$SCAN" "http://127.0.0.1:$port/convert")" || { fail "POST /convert on $port"; return 1; }
  id="$(json_field conversion_id <<< "$reply")"
  for _ in $(seq 1 300); do
    status="$(curl -sf "http://127.0.0.1:$port/conversions/$id" | json_field status)"
    case "$status" in completed | error | cancelled) break ;; esac
    sleep 1
  done
  [ "$status" = completed ] || { fail "conversion $id ended $status"; return 1; }
  curl -sf "http://127.0.0.1:$port/conversions/$id/result?format=txt" > "$tmp/$id.txt"
  if grep -Eq "$EXPECT" "$tmp/$id.txt"; then
    say "converted $SCAN on port $port: \"$(grep -Eo "$EXPECT" "$tmp/$id.txt" | head -1)\" read"
  else
    fail "the text of $SCAN lacks /$EXPECT/: $(head -c 300 "$tmp/$id.txt")"
  fi
}

# --- 1. one server --------------------------------------------------------------------------------
port="$(free_port)"
say "1. server in the image on port $port"
start_node server "$tmp/server.log" --env "API_PORT=$port" --env NUM_WORKERS=1 -- serve
if wait_ready "$port" "$tmp/server.log"; then
  # The HEALTHCHECK command as the image states it, run inside the container beside the server.
  if buildah "${B[@]}" run --isolation chroot --network host --env "API_PORT=$port" "$server_ctr" -- "${HEALTH[@]:1}"; then
    say "HEALTHCHECK passes"
  else
    fail "the image's HEALTHCHECK fails against a ready server"
  fi
  grep -q '"engine":"native"' "$tmp/server.log" || fail "the server does not use the native tesseract of the image"
  convert "$port"
fi
stop_node server "$tmp/server.log" 'shutdown complete'

# --- 2. an API node and a worker node on a Redis --------------------------------------------------
rport="$(free_port)"
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --maxmemory-policy noeviction \
  > "$tmp/redis.log" 2>&1 &
pids+=("$!")
redis_pid=$!
port="$(free_port)"
say "2. Redis on $rport, API node on $port, a worker node"
start_node api "$tmp/api.log" --env "API_PORT=$port" --env NUM_WORKERS=0 --env "REDIS_URL=redis://127.0.0.1:$rport" \
  --env "CLUSTER_SECRET=$SECRET" -- serve
if wait_ready "$port" "$tmp/api.log"; then
  start_node worker "$tmp/worker.log" --env NUM_WORKERS=1 --env "REDIS_URL=redis://127.0.0.1:$rport" \
    --env "CLUSTER_API_URL=http://127.0.0.1:$port" --env "CLUSTER_SECRET=$SECRET" -- worker
  convert "$port"
  nodes="$(curl -sf "http://127.0.0.1:$port/worker-pool-status" | json_field cluster.nodes)"
  grep -q '"state"' <<< "$nodes" || fail "the API node lists no worker node: $nodes"
  say "worker nodes on the API node: $nodes"
  stop_node worker "$tmp/worker.log" 'worker node stopped'
fi
stop_node api "$tmp/api.log" 'shutdown complete'
kill "$redis_pid" 2>/dev/null
