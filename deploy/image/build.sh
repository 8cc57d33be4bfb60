#!/usr/bin/env bash
# Builds the clusterd image without a registry or a base image: a root filesystem made from this
# machine's node binary and the shared libraries it (and the native addons) load, the app with
# its production dependencies, and a static busybox for a shell; then `docker import`s it.
# The result runs like the image of deploy/Dockerfile: ENTRYPOINT clusterctl, user clusterd,
# working folder /var/lib/clusterd, health server on 0.0.0.0:7780.
#
#   deploy/image/build.sh [--tag TAG] [-H|--host DOCKER_HOST]
#
# Needs a built dist/ (npm run build), npm (the registry or its cache, for the production
# dependencies), ldd, tar, and busybox-static. The Docker engine is -H, else DOCKER_HOST, else
# the default socket.
set -euo pipefail

usage() {
  echo "usage: deploy/image/build.sh [--tag TAG] [-H|--host DOCKER_HOST]" >&2
  exit "${1:-2}"
}

tag=clusterd:latest
docker=(docker)
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) [ $# -ge 2 ] || usage; tag=$2; shift 2 ;;
    -H|--host) [ $# -ge 2 ] || usage; docker=(docker -H "$2"); shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "build.sh: unknown argument: $1" >&2; usage ;;
  esac
done

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
say() { echo "build.sh: $*" >&2; }
die() { say "$*"; exit 2; }

[ -f "$repo/dist/cli/main.js" ] || die "$repo/dist/cli/main.js is missing: run npm run build first"
node_bin=$(command -v node) || die "node is not on PATH"
node_bin=$(readlink -f "$node_bin")
busybox=$(command -v busybox || echo /bin/busybox)
[ -x "$busybox" ] || die "busybox is missing: apt-get install busybox-static"
# A dynamic busybox would find no libc of its own kind in the image (ldd fails on static ones).
! LC_ALL=C ldd "$busybox" >/dev/null 2>&1 || die "$busybox is dynamically linked: apt-get install busybox-static"

work=$(mktemp -d "${TMPDIR:-/tmp}/clusterd-image-XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
app=$rootfs/app
mkdir -p "$app" "$rootfs"/{bin,usr/bin,usr/local/bin,etc,tmp,proc,sys,dev,var/lib/clusterd/store}
chmod 1777 "$rootfs/tmp"

say "app and production dependencies"
cp "$repo/package.json" "$repo/package-lock.json" "$app/"
# --ignore-scripts: the package's prepare script compiles TypeScript, which needs the dev
# dependencies; the native addons come prebuilt.
(cd "$app" && npm ci --omit=dev --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
# Alpine builds of the addons are dead weight next to glibc's node.
find "$app/node_modules" -name '*musl*.node' -delete
cp -R "$repo/dist" "$repo/proto" "$repo/bin" "$app/"
ln -s /app/bin/clusterctl.js "$rootfs/usr/local/bin/clusterctl"
install -m 755 "$repo/deploy/image/healthcheck.mjs" "$rootfs/usr/local/bin/clusterd-healthcheck"

say "node $("$node_bin" --version) from $node_bin and its libraries"
install -m 755 "$node_bin" "$rootfs/usr/local/bin/node"
# Every library node and the addons link against, at the path the loader looks for it.
libraries() {
  LC_ALL=C ldd "$1" | awk '/=> \// { print $3 } /^\t\// { print $1 }'
  if LC_ALL=C ldd "$1" | grep -q 'not found'; then
    say "$1 needs libraries this machine lacks:"; LC_ALL=C ldd "$1" | grep 'not found' >&2; exit 2
  fi
}
{
  libraries "$node_bin"
  find "$app/node_modules" -name '*.node' | while read -r addon; do libraries "$addon"; done
} | sort -u | while read -r lib; do
  cp -L --parents "$lib" "$rootfs/"
done

say "busybox and /etc"
install -m 755 "$busybox" "$rootfs/bin/busybox"
for applet in sh env ls cat ps wget; do ln -s busybox "$rootfs/bin/$applet"; done
# The #! line of clusterctl and the health check.
ln -s /bin/busybox "$rootfs/usr/bin/env"
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
clusterd:x:10001:10001:clusterd:/var/lib/clusterd:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
clusterd:x:10001:
nogroup:x:65534:
EOF
echo 'hosts: files dns' >"$rootfs/etc/nsswitch.conf"

say "importing as $tag"
# Everything belongs to root except the daemons' working folder and its store/ (where compose
# mounts the shared chunk store: a new named volume takes its owner), which user clusterd writes.
tar -C "$rootfs" -cf "$work/rootfs.tar" --numeric-owner --owner=0 --group=0 --exclude=./var/lib/clusterd .
tar -C "$rootfs" -rf "$work/rootfs.tar" --numeric-owner --owner=10001 --group=10001 ./var/lib/clusterd
"${docker[@]}" import \
  --change 'ENTRYPOINT ["clusterctl"]' \
  --change 'CMD ["--help"]' \
  --change 'ENV PATH=/usr/local/bin:/bin NODE_ENV=production CLUSTERD_HEALTH_LISTEN=0.0.0.0:7780' \
  --change 'WORKDIR /var/lib/clusterd' \
  --change 'USER clusterd' \
  --change 'EXPOSE 7700 7780' \
  --change 'HEALTHCHECK --interval=10s --timeout=5s --start-period=10s CMD ["clusterd-healthcheck"]' \
  "$work/rootfs.tar" "$tag" >/dev/null
say "built $tag ($(du -sh "$work/rootfs.tar" | cut -f1) uncompressed)"
