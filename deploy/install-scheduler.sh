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

role_tls_usage() {
  cat <<EOF
the first replica makes a CA and the cluster's certificates in /etc/clusterd/tls
(clusterctl tls init, naming this host and the --advertise/--listen host), and after its start the
first admin token in /etc/clusterd/client.env (source it to use clusterctl). Other replicas take
--tls-from DIR, a copy of that folder; agents take its ca.crt, agent.crt and agent.key.
EOF
}

# The host this replica is reached at, from --advertise or else --listen (no wildcard).
reach_host() {
  local s v advertised='' listened='' host
  for s in "${settings[@]}"; do
    v=${s#*=}
    case "$s" in advertise=*) advertised=${v%:*} ;; listen=*) listened=${v%:*} ;; esac
  done
  host=${advertised:-$listened}
  host=${host#[}
  host=${host%]}
  case "$host" in ''|0.0.0.0|::) ;; *) echo "$host" ;; esac
}

role_tls_missing() {
  [ ! -f "$tls_dir/ca.crt" ] || die 1 "TLS: $tls_dir has a CA but no $1: copy them from the machine that made it (--tls-from DIR), or remove the folder to start a new CA"
  local hosts=() reach name
  reach=$(reach_host)
  [ -z "$reach" ] || hosts+=(--host "$reach")
  name=$(hostname 2>/dev/null || cat /etc/hostname 2>/dev/null || true)
  [ -z "$name" ] || [ "$name" = "$reach" ] || hosts+=(--host "$name")
  say "TLS: making a CA and the cluster's certificates in $tls_dir (${hosts[*]:-loopback names only})"
  act mkdir -p "$config_dir"
  act "$bin_link" tls init "$tls_dir" "${hosts[@]}"
  changed
  say "TLS: other replicas: --tls-from a copy of $tls_dir; agents need its ca.crt, agent.crt and agent.key; ca.key signs certificates every part trusts: keep it off the cluster once set up"
}

# The replica runs as $account: its key is readable by that group.
role_tls_permissions() {
  local key=$tls_dir/scheduler.key
  [ -f "$key" ] || return 0
  if [ -n "$root" ] || ! getent group "$account" >/dev/null; then return 0; fi
  if [ "$(stat -c %G:%a "$key")" != "$account:640" ]; then
    act chgrp "$account" "$key"
    act chmod 640 "$key"
    changed
  fi
}

# The first admin token, made once the replica runs (BootstrapToken works only while the
# cluster has no token), kept for root in /etc/clusterd/client.env.
role_after_start() {
  if [ -f "$client_env" ]; then
    say "admin: $client_env holds an admin's address, certificates and token"
    return
  fi
  if [ ! -f "$tls_dir/client.crt" ]; then
    say "admin: no client certificate in $tls_dir: make the first admin token where the client certificates are (clusterctl token bootstrap)"
    return
  fi
  local addr token='' out='' deadline=$((SECONDS + 20))
  addr=$(config_tool get "$config" advertise 2>/dev/null) || true
  [ -n "$addr" ] || addr=$(config_tool get "$config" listen 2>/dev/null) || true
  addr=${addr:-127.0.0.1:7700}
  case "${addr%:*}" in 0.0.0.0|'[::]') addr=127.0.0.1:${addr##*:} ;; esac
  # The replica may still be taking the lead: until then the call cannot be served. The token
  # is the one line on stdout; what went wrong, on stderr.
  local errors
  errors=$(mktemp)
  while :; do
    if token=$("$bin_link" --addr "$addr" --tls-dir "$tls_dir" token bootstrap 2>"$errors"); then break; fi
    token=''
    out=$(cat "$errors")
    [ "$SECONDS" -lt "$deadline" ] && [[ "$out" != *"tokens already"* ]] || break
    sleep 1
  done
  rm -f "$errors"
  if [ -z "$token" ]; then
    say "admin: no admin token made here: ${out##*clusterctl: }"
    return
  fi
  printf 'export CLUSTERCTL_ADDR=%s\nexport CLUSTERCTL_TLS_DIR=%s\nexport CLUSTERCTL_TOKEN=%s\n' "$addr" /etc/clusterd/tls "$token" | write_file "$client_env" 600
  changed
  say "admin: an admin's address, certificates and token in $client_env: source it to use clusterctl"
}

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
