#!/usr/bin/env bash
# Makes sure the programs the integration suites start are on this machine: etcd (etcd-server),
# dockerd and docker (docker.io), busybox (busybox-static, for test images), docker-compose (to
# validate deploy/compose.yaml), systemd-analyze (systemd, to verify deploy/systemd units), redis-server
# (for the bench's BullMQ peer). Installs what is
# missing with apt-get when running as root; otherwise says exactly what is missing. Under
# CI=true a missing program is an error, never a silent skip.
set -uo pipefail

declare -A package_of=([etcd]=etcd-server [dockerd]=docker.io [docker]=docker.io [busybox]=busybox-static [docker-compose]=docker-compose [systemd-analyze]=systemd [redis-server]=redis-server)
missing_packages=()

# Test images copy /bin/busybox into an empty rootfs, so it must be the static build: a
# dynamically linked busybox (Debian's busybox package) would find no libc in the container.
static_busybox() {
  local bb
  bb=$(command -v busybox 2>/dev/null || echo /bin/busybox)
  [ -x "$bb" ] || return 1
  command -v ldd >/dev/null 2>&1 || return 0
  ! LC_ALL=C ldd "$bb" >/dev/null 2>&1 # ldd fails on a static binary
}

for program in etcd dockerd docker busybox docker-compose systemd-analyze redis-server; do
  if [ "$program" = busybox ]; then static_busybox && continue
  else command -v "$program" >/dev/null 2>&1 && continue
  fi
  pkg=${package_of[$program]}
  [[ " ${missing_packages[*]-} " == *" $pkg "* ]] || missing_packages+=("$pkg")
done

[ ${#missing_packages[@]} -eq 0 ] && exit 0

echo "ensure-deps: missing Debian packages: ${missing_packages[*]}" >&2
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-deps: installing them with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null; then
    exit 0
  fi
  echo "ensure-deps: apt-get install ${missing_packages[*]} failed" >&2
else
  echo "ensure-deps: run as root: apt-get install ${missing_packages[*]}" >&2
fi
if [ "${CI:-}" = true ]; then
  echo "ensure-deps: CI=true and ${missing_packages[*]} could not be installed: the etcd and Docker suites cannot run" >&2
  exit 1
fi
echo "ensure-deps: continuing; suites that need ${missing_packages[*]} will fail saying so" >&2
exit 0
