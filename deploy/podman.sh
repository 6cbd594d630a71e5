# Sourced by deploy/build-image.sh and deploy/test-image.sh: the podman flags this machine needs.
# On a usual host there are none. On a sandbox (CI's VM here) two things fail, and are worked around
# only when a plain `podman run` fails:
#  - crun refuses cgroup v1 + v2 "hybrid" hosts ("crun: cgroups in hybrid mode not supported, drop all
#    controllers from cgroupv2"): runc runs the containers instead;
#  - without CAP_SYS_RESOURCE, raising a container's RLIMIT_NOFILE / RLIMIT_NPROC to podman's defaults
#    fails ("setrlimit `RLIMIT_NOFILE`: Operation not permitted"): the limits are set at or under
#    the current ones.
# PODMAN_FLAGS (e.g. "--storage-driver vfs") is passed to every podman command.
read -r -a podman_global_flags <<<"${PODMAN_FLAGS:-}"
podman() { command podman "${podman_global_flags[@]}" "$@"; }

# podman_container_flags <image>: sets the array CONTAINER_FLAGS (for run and build) for this host.
podman_container_flags() {
  CONTAINER_FLAGS=()
  if podman run --rm --network none --entrypoint /bin/true "$1" >/dev/null 2>&1; then return 0; fi
  local nofile nproc
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ] && nproc=32768
  CONTAINER_FLAGS=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")
  command -v runc >/dev/null && CONTAINER_FLAGS+=(--runtime runc)
  local error
  if ! error=$(podman run --rm --network none "${CONTAINER_FLAGS[@]}" --entrypoint /bin/true "$1" 2>&1); then
    echo "podman cannot run a container here, even with ${CONTAINER_FLAGS[*]}: $error" >&2
    command -v runc >/dev/null || echo "(runc is not installed: apt-get install runc)" >&2
    return 1
  fi
  echo "podman: this host needs ${CONTAINER_FLAGS[*]}"
}
