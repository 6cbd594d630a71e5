#!/usr/bin/env bash
# Builds the container images with podman: comptoir:latest (the services) and comptoir:demo (with
# the embedded PostgreSQL), from deploy/Dockerfile. The base image is pulled when missing, or, where
# no container registry can be reached (CI here), built from Debian's packages under the same name
# (deploy/base-image.sh). Elsewhere, `docker build -f deploy/Dockerfile -t comptoir:latest .` is all.
#
#   deploy/build-image.sh            IMAGE=comptoir:latest DEMO_IMAGE=comptoir:demo (DEMO_IMAGE= skips it)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/podman.sh

IMAGE=${IMAGE:-comptoir:latest}
DEMO_IMAGE=${DEMO_IMAGE-comptoir:demo}
BASE_IMAGE=$(sed -n 's/^ARG NODE_IMAGE=//p' deploy/Dockerfile)
started=$SECONDS

if ! podman image exists "$BASE_IMAGE"; then
  if ! podman pull -q "$BASE_IMAGE" 2>/tmp/comptoir-pull.err; then
    echo "cannot pull $BASE_IMAGE ($(tail -n1 /tmp/comptoir-pull.err)): building it from Debian's packages"
    BASE_IMAGE=$BASE_IMAGE bash deploy/base-image.sh
  fi
fi
podman_container_flags "$BASE_IMAGE"

build_flags=(--pull=never --network host --layers "${CONTAINER_FLAGS[@]}" -f deploy/Dockerfile)
# A TLS-inspecting proxy between this machine and the npm registry: its CA, which this machine trusts,
# for npm ci inside the build (the system bundle, mounted for the build's RUN steps only).
if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null && [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  build_flags+=(--volume /etc/ssl/certs/ca-certificates.crt:/run/host-ca.crt:ro --build-arg NODE_EXTRA_CA_CERTS=/run/host-ca.crt)
fi

echo "building $IMAGE"
t=$SECONDS
nice -n 19 ionice -c3 podman build "${build_flags[@]}" -t "$IMAGE" . >/tmp/comptoir-image-build.log 2>&1 ||
  { tail -n 40 /tmp/comptoir-image-build.log >&2; echo "podman build failed: /tmp/comptoir-image-build.log" >&2; exit 1; }
grep '^image-tree:' /tmp/comptoir-image-build.log | grep -v 'not installed' || true
echo "$IMAGE built in $((SECONDS - t)) s"
if [ -n "$DEMO_IMAGE" ]; then
  t=$SECONDS
  nice -n 19 ionice -c3 podman build "${build_flags[@]}" --target demo -t "$DEMO_IMAGE" . >>/tmp/comptoir-image-build.log 2>&1 ||
    { tail -n 40 /tmp/comptoir-image-build.log >&2; exit 1; }
  echo "$DEMO_IMAGE built in $((SECONDS - t)) s"
fi
# Untagged images left by earlier builds: the layer cache of the last day stays.
podman image prune -f --filter until=24h >/dev/null 2>&1 || true
podman image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' | grep -E "^(localhost/)?(${IMAGE%%:*}|${BASE_IMAGE%%:*})" || true
echo "images built in $((SECONDS - started)) s"
