#!/usr/bin/env bash
# Installs a clusterd scheduler replica on a Debian/Ubuntu VM: the package, the system user
# clusterd it runs as, /etc/clusterd/scheduler.yaml and the clusterd-scheduler systemd unit.
#
#   sudo deploy/install-scheduler.sh --etcd http://10.0.0.1:2379,http://10.0.0.2:2379 \
#        --listen 0.0.0.0:7700 --advertise 10.0.0.5:7700 [--package clusterd-0.1.0.tgz]
#
# Options after the installer's own (see --help) are config keys written into a new
# scheduler.yaml. Idempotent; --dry-run, --root DIR, --uninstall [--purge].
set -euo pipefail

role=scheduler
role_options=(listen advertise etcd etcd-prefix store health-listen)
role_list_options=()
# The unit's StateDirectory, writable under its read-only file system.
role_defaults=(store?=/var/lib/clusterd/scheduler/store)
account=clusterd

role_usage() { echo "[--listen HOST:PORT] [--advertise HOST:PORT] [--etcd URLS] [--etcd-prefix P] [--store DIR] [--health-listen HOST:PORT]"; }

role_preflight() { :; }

# The replica runs as its own unprivileged user; systemd's StateDirectory= gives it
# /var/lib/clusterd/scheduler. A fixed user (not DynamicUser) so a chunk store on a shared mount
# can be owned by the same name on every replica.
role_account() {
  if [ -n "$root" ]; then
    say "user: not created in $root: on the target system run: useradd --system --user-group --home-dir /var/lib/clusterd --no-create-home --shell /usr/sbin/nologin $account"
  elif getent passwd "$account" >/dev/null; then
    say "user: $account exists"
  else
    say "user: creating system user $account"
    act useradd --system --user-group --home-dir /var/lib/clusterd --no-create-home --shell /usr/sbin/nologin "$account"
    changed
  fi
}

role_purge() {
  if [ -z "$root" ] && getent passwd "$account" >/dev/null; then
    say "removing user $account"
    act userdel "$account"
    changed
  fi
}

source "$(dirname "${BASH_SOURCE[0]}")/lib/install-common.sh"
main "$@"
