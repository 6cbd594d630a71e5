#!/usr/bin/env bash
# Proves the container image: every service in a container of its own, started from comptoir:latest
# as deploy/k8s runs them — `comptoir service <name>`, uid 10001, read-only root filesystem, /tmp a
# tmpfs, catalog's images on a volume, real secrets (in demo mode: NODE_ENV=development), the migrations applied
# first by one-shot containers (DATABASE_MIGRATIONS=only, identity first) and only checked by the
# instances (DATABASE_MIGRATIONS=check) — on podman's host network, against this machine's PostgreSQL
# (5432), NATS JetStream (4222) and Redis (6379); then the shop end-to-end test
# (test/e2e/shop.e2e.test.ts) through the containers' gateway (TEST_GATEWAY_URL). Then the demo image:
# `comptoir up` with its embedded PostgreSQL, ready, stopped cleanly (SKIP_DEMO=1 skips it).
#
# Needs: the images (deploy/build-image.sh; built here if missing), the three servers up, psql, and
# Node 24 with `npm ci` done (for the test runner). Leaves nothing behind: its containers, volume,
# databases (ctr_<run>_*), NATS streams (prefix <run>) and Redis keys (<run>:*) are removed.
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/podman.sh

IMAGE=${IMAGE:-comptoir:latest}
DEMO_IMAGE=${DEMO_IMAGE:-comptoir:demo}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
NATS=${NATS:-nats://127.0.0.1:4222}
REDIS=${REDIS:-redis://127.0.0.1:6379}
started=$SECONDS
timings=()
phase() { printf '\n== %s (%ss)\n' "$*" "$((SECONDS - started))"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for port in 5432 4222 6379; do
  port_open "$port" || { echo "test-image.sh: nothing listens on 127.0.0.1:$port (PostgreSQL 5432, NATS 4222, Redis 6379)" >&2; exit 1; }
done
if ! podman image exists "$IMAGE" || { [ "${SKIP_DEMO:-0}" != 1 ] && ! podman image exists "$DEMO_IMAGE"; }; then
  phase "build the images (deploy/build-image.sh)"
  t=$SECONDS
  IMAGE=$IMAGE DEMO_IMAGE=$DEMO_IMAGE bash deploy/build-image.sh
  timings+=("build: $((SECONDS - t)) s")
fi
podman_container_flags "$IMAGE"
echo "image $IMAGE: $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

# One run's names: databases ctr_<run>_<service>, NATS prefix, Redis key prefix, containers.
run="ctr$(date +%s | tail -c 6)$((RANDOM % 100))"
work=$(mktemp -d /tmp/comptoir-test-image.XXXXXX)
chmod 700 "$work"
backends=(identity catalog inventory supply cart orders payments retail reporting search notifications)
containers=()

# Ports: <base>+1 … <base>+11 for the backends (identity 3001 → <base>+1 …), <base>+80 for the gateway.
for base in $(seq 23000 100 29900); do
  free=1
  for p in $(seq $((base + 1)) $((base + 11))) $((base + 80)); do port_open "$p" && { free=0; break; }; done
  [ "$free" = 1 ] && break
done
declare -A port
i=1
for s in "${backends[@]}"; do port[$s]=$((base + i)); i=$((i + 1)); done
port[gateway]=$((base + 80))
gateway="http://127.0.0.1:${port[gateway]}"

cleanup() {
  local code=$?
  set +e
  if [ ${#containers[@]} -gt 0 ]; then
    mkdir -p "$work/logs"
    for c in "${containers[@]}"; do podman logs "$c" >"$work/logs/$c.log" 2>&1; done
    [ "$code" = 0 ] || { for c in "${containers[@]}"; do echo "--- $c (last lines)"; tail -n 5 "$work/logs/$c.log"; done; }
    podman rm -f -t 0 "${containers[@]}" >/dev/null 2>&1
  fi
  podman rm -f -t 0 "$run-demo" >/dev/null 2>&1
  podman volume rm -f "$run-images" "$run-demo-data" >/dev/null 2>&1
  for db in $(psql "$PG/postgres" -Atc "select datname from pg_database where datname like '${run}\_%'" 2>/dev/null); do
    psql "$PG/postgres" -qc "drop database \"$db\" with (force)" >/dev/null 2>&1
  done
  RUN="$run" NATS="$NATS" REDIS="$REDIS" node --input-type=module -e '
    import { connect } from "@nats-io/transport-node";
    import { jetstreamManager } from "@nats-io/jetstream";
    import Redis from "ioredis";
    const nc = await connect({ servers: process.env.NATS });
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) if (name.startsWith(`${process.env.RUN.toUpperCase()}_`)) await jsm.streams.delete(name);
    await nc.close();
    const redis = new Redis(process.env.REDIS);
    const keys = await redis.keys(`${process.env.RUN}:*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  ' 2>/dev/null
  [ "$code" = 0 ] && rm -rf "$work" || echo "test-image.sh: failed; the containers' logs are in $work/logs"
  exit "$code"
}
trap cleanup EXIT

# Secrets, as an operator makes them (deploy/k8s/secret.example.env): identity's two, and each
# credential holder's SERVICE_CREDENTIAL derived from INTERNAL_SECRET by the image's own command.
secret() { head -c 36 /dev/urandom | base64 | tr '+/' '-_'; }
internal_secret=$(secret)
keys_secret=$(secret)
phase "secrets and configuration (run $run, ports $((base + 1))-$((base + 11)), gateway ${port[gateway]})"
declare -A credential
for s in gateway supply cart orders retail; do
  credential[$s]=$(podman run --rm "${CONTAINER_FLAGS[@]}" --network none -e INTERNAL_SECRET="$internal_secret" "$IMAGE" secrets credential "$s")
done

# Each container's environment, in a file of its own (mode 0600): deploy/k8s's ConfigMaps, for here.
env_file() {
  local s=$1 f="$work/$1.env"
  {
    # Demo mode (the shop test signs in as the demo users and buys the demo catalog): identity
    # refuses it in production, so development here; the secrets are real all the same.
    echo "NODE_ENV=development"
    echo "HOST=127.0.0.1"
    echo "PORT=${port[$s]}"
    echo "INSTANCE_ID=$s-1"
    echo "LOG_LEVEL=${LOG_LEVEL:-warn}"
    echo "SHUTDOWN_TIMEOUT_MS=15000"
    echo "COMPTOIR_DEMO=true"
    echo "NATS_URL=$NATS"
    echo "NATS_PREFIX=$run"
    echo "JWKS_URL=http://127.0.0.1:${port[identity]}/api/identity/.well-known/jwks.json"
    echo "IDENTITY_URL=http://127.0.0.1:${port[identity]}"
    echo "DATABASE_MIGRATIONS=${2:-check}"
    echo "DATABASE_POOL_SIZE=2"
    for b in "${backends[@]}"; do echo "${b^^}_URLS=http://127.0.0.1:${port[$b]}"; done
    if [ "$s" = gateway ]; then
      for b in "${backends[@]}"; do echo "UPSTREAM_${b^^}=http://127.0.0.1:${port[$b]}"; done
      echo "REDIS_URL=$REDIS"
      echo "RATE_LIMIT_KEY_PREFIX=$run:"
      # The shop test sends thousands of requests from one address (as its own platform allows).
      echo "RATE_LIMIT_ANONYMOUS=1000000000"
      echo "RATE_LIMIT_USER=1000000000"
    else
      echo "DATABASE_URL=$PG/${run}_$s"
    fi
    [ "$s" = identity ] && { echo "INTERNAL_SECRET=$internal_secret"; echo "KEYS_SECRET=$keys_secret"; }
    [ "$s" = payments ] && echo "PAYMENTS_PROVIDER=test"
    [ -n "${credential[$s]:-}" ] && echo "SERVICE_CREDENTIAL=${credential[$s]}"
  } >"$f"
  chmod 600 "$f"
  echo "$f"
}
# What deploy/k8s/base/pod-defaults.yaml asks of every pod.
# --image-volume ignore: no volume for the image's VOLUME unless given (as Kubernetes does).
hardening=(--network host --user 10001:10001 --read-only --tmpfs /tmp:rw,size=64m,mode=1777 --cap-drop all
  --security-opt no-new-privileges --image-volume ignore)
podman volume create "$run-images" >/dev/null
# Catalog's images on a volume (deploy/k8s: the catalog-images claim); the others get none.
volumes_of() { volumes=(); [ "$1" = catalog ] && volumes=(--volume "$run-images:/var/lib/comptoir/images"); return 0; }

phase "migrations: one container per service, DATABASE_MIGRATIONS=only (identity first, then the others at once)"
t=$SECONDS
migrate() {
  local s=$1 volumes
  volumes_of "$s"
  podman run --rm --name "$run-migrate-$s" "${CONTAINER_FLAGS[@]}" "${hardening[@]}" "${volumes[@]}" \
    --env-file "$(env_file "$s" only)" "$IMAGE" service "$s" >"$work/migrate-$s.log" 2>&1 ||
    { echo "migrations of $s failed:"; tail -n 20 "$work/migrate-$s.log"; return 1; }
}
migrate identity
pids=()
for s in "${backends[@]:1}"; do migrate "$s" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done
timings+=("migrations (11 containers): $((SECONDS - t)) s")

phase "start 12 containers: comptoir service <name> (DATABASE_MIGRATIONS=check)"
t=$SECONDS
for s in "${backends[@]}" gateway; do
  volumes_of "$s"
  podman run -d --name "$run-$s" "${CONTAINER_FLAGS[@]}" "${hardening[@]}" "${volumes[@]}" \
    --stop-timeout 30 --env-file "$(env_file "$s")" "$IMAGE" service "$s" >/dev/null
  containers+=("$run-$s")
done
ready=""
for _ in $(seq 1 360); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' "$gateway/health/status")" = 200 ]; then ready=1; break; fi
  for c in "${containers[@]}"; do
    [ "$(podman inspect --format '{{.State.Running}}' "$c")" = true ] || { echo "container $c exited:"; podman logs "$c" 2>&1 | tail -n 20; exit 1; }
  done
  sleep 0.5
done
[ -n "$ready" ] || { echo "the gateway did not report every service up within 180 s:"; curl -s "$gateway/health/status"; exit 1; }
timings+=("12 containers up (gateway /health/status 200): $((SECONDS - t)) s")
echo "every service up behind $gateway"

# What the manifests rely on: uid 10001, nothing writable but /tmp and the volumes.
for c in "${containers[@]}"; do
  # shellcheck disable=SC2016
  seen=$(podman exec "$c" sh -c 'id -u; for p in /app/x /var/lib/comptoir/x /x; do touch "$p" 2>/dev/null && echo "writable:$p"; done
    touch /tmp/.probe && rm /tmp/.probe && echo tmp-ok')
  [ "$(echo "$seen" | head -n1)" = 10001 ] || { echo "$c runs as uid $(echo "$seen" | head -n1), not 10001" >&2; exit 1; }
  ! echo "$seen" | grep writable: || { echo "$c: the root filesystem is writable" >&2; exit 1; }
  echo "$seen" | grep -q tmp-ok || { echo "$c: /tmp is not writable" >&2; exit 1; }
done
podman exec "$run-catalog" sh -c 'touch /var/lib/comptoir/images/.probe && rm /var/lib/comptoir/images/.probe' ||
  { echo "catalog cannot write its images volume" >&2; exit 1; }
echo "uid 10001, read-only root filesystem, catalog's images volume writable: checked"
curl -sf "$gateway/" | grep -q '<div id="root"\|<!doctype html>' || { echo "the gateway does not serve the web application" >&2; exit 1; }

phase "the shop end-to-end test through the containers' gateway (TEST_GATEWAY_URL=$gateway)"
t=$SECONDS
TEST_GATEWAY_URL="$gateway" TEST_DATABASE_URL="$PG/postgres" \
  npx vitest run --project e2e test/e2e/shop.e2e.test.ts
timings+=("shop e2e: $((SECONDS - t)) s")

phase "stop: SIGTERM, drain, exit 0"
t=$SECONDS
podman stop -t 30 "${containers[@]}" >/dev/null
for c in "${containers[@]}"; do
  code=$(podman inspect --format '{{.State.ExitCode}}' "$c")
  [ "$code" = 0 ] || { echo "$c exited with $code after SIGTERM" >&2; exit 1; }
done
timings+=("stop (12 containers, all exit 0): $((SECONDS - t)) s")

if [ "${SKIP_DEMO:-0}" != 1 ]; then
  phase "the demo image: comptoir up with its embedded PostgreSQL, in one container"
  t=$SECONDS
  demo_port=$((base + 90))
  podman run -d --name "$run-demo" "${CONTAINER_FLAGS[@]}" --network host --read-only --tmpfs /tmp:rw,size=64m,mode=1777 \
    --cap-drop all --security-opt no-new-privileges --volume "$run-demo-data:/var/lib/comptoir" \
    -e PORT="$demo_port" -e HOST=127.0.0.1 -e COMPTOIR_PG_PORT="$((base + 91))" "$DEMO_IMAGE" >/dev/null
  ready=""
  for _ in $(seq 1 360); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$demo_port/health/status")" = 200 ] && { ready=1; break; }
    [ "$(podman inspect --format '{{.State.Running}}' "$run-demo")" = true ] || break
    sleep 0.5
  done
  [ -n "$ready" ] || { echo "the demo did not come up:"; podman logs "$run-demo" 2>&1 | tail -n 30; exit 1; }
  token=$(curl -s "http://127.0.0.1:$demo_port/api/identity/login" -H 'content-type: application/json' \
    -d '{"email":"customer@demo.comptoir.dev","password":"comptoir-demo"}' | sed -n 's/.*"token":"\([^"]*\)".*/\1/p')
  [ -n "$token" ] || { echo "the demo's customer cannot sign in" >&2; exit 1; }
  ready_s=$((SECONDS - t))
  podman stop -t 40 "$run-demo" >/dev/null
  code=$(podman inspect --format '{{.State.ExitCode}}' "$run-demo")
  [ "$code" = 0 ] || { echo "the demo exited with $code after SIGTERM:"; podman logs "$run-demo" 2>&1 | tail -n 20; exit 1; }
  timings+=("demo: ready and the customer signed in after $ready_s s, stopped with exit 0 after $((SECONDS - t)) s")
fi

phase "the image passed"
printf '  %s\n' "${timings[@]}"
echo "  total: $((SECONDS - started)) s"
