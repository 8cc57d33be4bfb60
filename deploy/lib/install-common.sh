# shellcheck shell=bash
# What install-scheduler.sh and install-agent.sh share: options, the package, the config file,
# the systemd unit, starting it, and uninstalling. Sourced by an installer that sets first:
#   role              scheduler | agent
#   role_options      config keys the installer takes as --KEY VALUE (see deploy/config/ROLE.yaml)
#   role_list_options those of them that are repeatable and become lists
#   role_defaults     KEY?=VALUE: written where the example leaves KEY unset, as the unit needs it
# and defines the hooks role_preflight, role_account, role_purge and role_usage.
#
# Every change goes through `act` (a command) or `write_file`, so --dry-run prints each action
# instead of doing it, and every step first checks whether it is already done, so a second run
# changes nothing and says so.

deploy_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
me="install-$role"

root=''
dry_run=0
uninstall=0
purge=0
insecure=0
tls_from=''
package_file=''
npm_version=''
settings=()   # KEY=VALUE and KEY+=ITEM, for config-file.mjs
changes=0

say() { echo "$me: $*"; }
warn() { echo "$me: warning: $*" >&2; }
# die STATUS MESSAGE: 2 for bad usage, 1 for a machine that cannot take the install.
die() { echo "$me: $2" >&2; exit "$1"; }
changed() { changes=$((changes + 1)); }

usage() {
  cat >&2 <<EOF
usage: deploy/install-$role.sh [--package FILE.tgz | --version VERSION] [--root DIR] [--dry-run]
                               [--tls-from DIR | --insecure] [--uninstall [--purge]] $(role_usage)

Installs clusterd (from an \`npm pack\` tarball, else the npm registry) under /usr/local/lib/clusterd
with /usr/local/bin/clusterctl, writes /etc/clusterd/$role.yaml from deploy/config/$role.yaml
(an existing one is kept), installs the clusterd-$role systemd unit and, where systemd runs,
enables and starts it. Running it again changes only what differs.

  --package FILE.tgz  install this package tarball (made with npm pack)
  --version VERSION   install this version from the npm registry (default: the latest)
  --root DIR          install into DIR as if it were / (no systemctl, no apt-get, no users)
  --dry-run           print every action without doing it
  --uninstall         remove the unit and the package (config and data stay)
  --tls-from DIR      copy this $role's certificates (ca.crt, $role.crt, $role.key) from DIR into
                      /etc/clusterd/tls: a copy of the first scheduler's /etc/clusterd/tls, or a
                      folder made by clusterctl tls init
  --insecure          plaintext and no tokens, for a network where everyone is trusted
  --purge             with --uninstall: also remove its config and data$([ "$role" = scheduler ] && echo ", and user clusterd")

TLS is on by default: $(role_tls_usage)
EOF
  exit "${1:-2}"
}

is_role_option() {
  local key=$1 known
  for known in "${role_options[@]}"; do [ "$known" = "$key" ] && return 0; done
  return 1
}

is_list_option() {
  local key=$1 known
  for known in "${role_list_options[@]}"; do [ "$known" = "$key" ] && return 0; done
  return 1
}

parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --package|--version|--root)
        [ $# -ge 2 ] || die 2 "$1 needs a value"
        case "$1" in
          --package) package_file=$2 ;;
          --version) npm_version=$2 ;;
          --root) root=$2 ;;
        esac
        shift 2 ;;
      --dry-run) dry_run=1; shift ;;
      --insecure) insecure=1; shift ;;
      --tls-from)
        [ $# -ge 2 ] && [ -n "$2" ] || die 2 "$1 needs a value"
        tls_from=$2
        shift 2 ;;
      --uninstall) uninstall=1; shift ;;
      --purge) purge=1; shift ;;
      -h|--help) usage 0 ;;
      --*)
        local key=${1#--}
        is_role_option "$key" || { echo "$me: unknown option $1" >&2; usage; }
        [ $# -ge 2 ] && [ -n "$2" ] || die 2 "$1 needs a value"
        if is_list_option "$key"; then settings+=("$key+=$2"); else settings+=("$key=$2"); fi
        shift 2 ;;
      *) echo "$me: unexpected argument $1" >&2; usage ;;
    esac
  done
  [ -z "$package_file" ] || [ -z "$npm_version" ] || die 2 "give --package or --version, not both"
  [ "$purge" = 0 ] || [ "$uninstall" = 1 ] || die 2 "--purge goes with --uninstall"
  [ -z "$tls_from" ] || [ "$insecure" = 0 ] || die 2 "give --tls-from or --insecure, not both"
  if [ -n "$tls_from" ]; then
    [ -d "$tls_from" ] || die 2 "--tls-from $tls_from: no such folder"
    tls_from=$(cd "$tls_from" && pwd)
  fi
  # The daemon reads its certificates here (the path on the target system, also under --root).
  [ "$insecure" = 1 ] || role_defaults+=("tls-dir?=/etc/clusterd/tls")
  if [ -n "$root" ]; then
    [ -d "$root" ] || die 2 "--root $root: no such folder"
    root=$(cd "$root" && pwd)
  fi
  if [ -n "$package_file" ]; then
    [ -f "$package_file" ] || die 2 "--package $package_file: no such file"
    package_file=$(cd "$(dirname "$package_file")" && pwd)/$(basename "$package_file")
  fi
  lib_dir=$root/usr/local/lib/clusterd
  package_dir=$lib_dir/node_modules/clusterd
  bin_link=$root/usr/local/bin/clusterctl
  config_dir=$root/etc/clusterd
  config=$config_dir/$role.yaml
  env_file=$config_dir/$role.env
  units_dir=$root/etc/systemd/system
  unit=$units_dir/clusterd-$role.service
  state_dir=$root/var/lib/clusterd/$role
  tls_dir=$config_dir/tls
  client_env=$config_dir/client.env
}

# act COMMAND...: runs it, or under --dry-run prints it.
act() {
  if [ "$dry_run" = 1 ]; then
    say "would run: $*"
  else
    "$@"
  fi
}

# write_file FILE MODE < CONTENT: replaces FILE atomically, or under --dry-run says it would.
write_file() {
  local file=$1 mode=$2
  if [ "$dry_run" = 1 ]; then
    cat >/dev/null
    say "would write $file"
    return
  fi
  mkdir -p "$(dirname "$file")"
  cat >"$file.tmp.$$"
  chmod "$mode" "$file.tmp.$$"
  mv -f "$file.tmp.$$" "$file"
}

# systemctl only acts on this machine's own root, and only where systemd is running.
systemd_runs() { [ -z "$root" ] && [ -d /run/systemd/system ]; }

check_privileges() {
  [ -n "$root" ] || [ "$dry_run" = 1 ] || [ "$(id -u)" = 0 ] || die 1 "run as root (or install into a folder with --root DIR)"
}

check_node() {
  local node major
  node=$(command -v node) || die 1 "node is not installed: clusterd needs Node.js 20 or later (Debian 13 and Ubuntu 24.04: apt-get install nodejs npm; older releases: nodejs 20 from NodeSource or nodejs.org)"
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || die 1 "$node does not run"
  [[ "$major" =~ ^[0-9]+$ ]] && [ "$major" -ge 20 ] || die 1 "$node is Node.js $(node --version 2>/dev/null): clusterd needs Node.js 20 or later (Debian 13 and Ubuntu 24.04 ship it; older releases: NodeSource or nodejs.org)"
  say "found Node.js $(node --version) at $node"
  if ! command -v npm >/dev/null; then
    [ -z "$root" ] && command -v apt-get >/dev/null || die 1 "npm is not installed (apt-get install npm)"
    say "npm is missing: installing it with apt-get"
    act apt-get install -y -qq --no-install-recommends npm
    changed
  fi
}

# What the package is and where it comes from, as recorded next to an install of it.
package_source() {
  if [ -n "$package_file" ]; then
    echo "$(basename "$package_file") sha256:$(sha256sum <"$package_file" | cut -d' ' -f1)"
  else
    local version=$npm_version
    [ -n "$version" ] || version=$(npm view clusterd@latest version) || die 1 "cannot ask the npm registry for the latest clusterd (give --package FILE.tgz)"
    echo "npm clusterd@$version"
  fi
}

install_package() {
  local source marker=$lib_dir/.installed-from spec
  source=$(package_source)
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$source" ] && [ -f "$package_dir/package.json" ]; then
    say "package: clusterd already installed in $lib_dir from $source"
  else
    if [ -n "$package_file" ]; then spec=$package_file; else spec=clusterd@${source#npm clusterd@}; fi
    say "package: installing clusterd from $source into $lib_dir"
    act mkdir -p "$lib_dir"
    act npm install --prefix "$lib_dir" --omit=dev --prefer-offline --no-audit --no-fund --loglevel=error "$spec"
    echo "$source" | write_file "$marker" 644
    changed
  fi
  # Relative, so the link also works inside a --root folder.
  local target=../lib/clusterd/node_modules/clusterd/bin/clusterctl.js
  if [ -L "$bin_link" ] && [ "$(readlink "$bin_link")" = "$target" ]; then
    say "command: $bin_link already links to the package"
  else
    say "command: linking $bin_link"
    act mkdir -p "$(dirname "$bin_link")"
    act ln -sfn "$target" "$bin_link"
    changed
  fi
}

config_tool() { node "$deploy_dir/lib/config-file.mjs" "$package_dir" "$@"; }

write_config() {
  local example=$deploy_dir/config/$role.yaml
  if [ -e "$config" ]; then
    if [ ${#settings[@]} -eq 0 ] || [ ! -f "$package_dir/package.json" ]; then
      say "config: $config exists, kept as is"
      return
    fi
    local differences
    differences=$(config_tool differs "$config" "${settings[@]}") || die 1 "cannot read $config"
    if [ -z "$differences" ]; then
      say "config: $config exists and already has the settings given"
    else
      warn "config: $config exists and is kept as is; it differs from the settings given (edit it, or remove it and run again):"
      while IFS= read -r line; do warn "  $line"; done <<<"$differences"
    fi
    return
  fi
  [ -f "$example" ] || die 1 "$example is missing: run the installer from a clusterd source tree"
  if [ "$dry_run" = 1 ]; then
    say "would write $config from $example${settings[*]:+ with ${settings[*]}}"
    return
  fi
  say "config: writing $config from $example${settings[*]:+ with ${settings[*]}}"
  mkdir -p "$config_dir"
  config_tool write "$example" "$config.tmp.$$" "${role_defaults[@]}" "${settings[@]}" || die 1 "cannot write $config"
  chmod 644 "$config.tmp.$$"
  mv -f "$config.tmp.$$" "$config"
  changed
}

install_unit() {
  local source=$deploy_dir/systemd/clusterd-$role.service
  if [ -f "$unit" ] && cmp -s "$source" "$unit"; then
    say "unit: $unit is up to date"
    return
  fi
  say "unit: installing $unit"
  write_file "$unit" 644 <"$source"
  changed
  if systemd_runs; then act systemctl daemon-reload; fi
}

start_service() {
  local name=clusterd-$role.service
  if ! systemd_runs; then
    if [ -n "$root" ]; then
      say "installed into $root: on the target system run: systemctl enable --now $name"
    else
      say "systemd is not running here: start it with: clusterctl $role --config /etc/clusterd/$role.yaml"
    fi
    return
  fi
  if ! systemctl is-enabled --quiet "$name" 2>/dev/null; then
    act systemctl enable "$name"
    changed
  fi
  if ! systemctl is-active --quiet "$name"; then
    act systemctl start "$name"
    changed
  elif [ "$changes" -gt 0 ]; then
    say "restarting $name to pick up the changes"
    act systemctl restart "$name"
  else
    say "$name is enabled and running"
  fi
  [ "$dry_run" = 1 ] || report_health
  [ "$dry_run" = 1 ] || [ "$insecure" = 1 ] || role_after_start
}

# Asks the daemon's /healthz (if health-listen is set) for a few seconds after a start.
report_health() {
  local listen host port url
  listen=$(config_tool get "$config" health-listen 2>/dev/null) || true
  if [ -z "$listen" ]; then
    say "health: set health-listen in $config to serve /healthz and /readyz"
    return
  fi
  host=${listen%:*} port=${listen##*:}
  case "$host" in ''|0.0.0.0|'[::]') host=127.0.0.1 ;; esac
  url=http://$host:$port
  if node --input-type=module -e '
    const deadline = Date.now() + 15_000;
    for (;;) {
      try { if ((await fetch(process.argv[1] + "/healthz")).ok) process.exit(0); } catch {}
      if (Date.now() > deadline) process.exit(1);
      await new Promise((r) => setTimeout(r, 500));
    }' "$url" 2>/dev/null; then
    say "health: $url/healthz answers; readiness: curl $url/readyz"
  else
    warn "health: $url/healthz did not answer within 15 s: journalctl -u clusterd-$role"
  fi
}

# Another role's unit still uses the package: uninstalling this role keeps it.
package_users() {
  local other
  for other in "$units_dir"/clusterd-*.service; do
    [ -e "$other" ] && [ "$other" != "$unit" ] && basename "$other"
  done
  return 0
}

remove() {
  local what=$1 path=$2
  [ -e "$path" ] || [ -L "$path" ] || return 0
  say "removing $what $path"
  act rm -rf "$path"
  changed
}

# The files of the TLS folder this role's daemon cannot start without.
tls_needs() { echo "ca.crt $role.crt $role.key"; }

# Copies this role's certificates from --tls-from (the client's too, where the folder has them:
# the installer makes the first admin token with it); files already the same are left alone.
copy_tls() {
  local f mode wanted
  wanted="$(tls_needs)"
  [ "$role" = agent ] || wanted="$wanted client.crt client.key"
  for f in $wanted; do
    if [ ! -f "$tls_from/$f" ]; then
      case " $(tls_needs) " in *" $f "*) die 2 "--tls-from $tls_from: no $f (the folder clusterctl tls init made, or a copy of a scheduler's /etc/clusterd/tls)" ;; esac
      continue
    fi
    if [ -f "$tls_dir/$f" ] && cmp -s "$tls_from/$f" "$tls_dir/$f"; then continue; fi
    if [ -f "$tls_dir/$f" ]; then warn "TLS: replacing $tls_dir/$f with the one in $tls_from"; fi
    mode=644
    [[ "$f" != *.key ]] || mode=600
    say "TLS: copying $f from $tls_from"
    act mkdir -p "$tls_dir"
    write_file "$tls_dir/$f" "$mode" <"$tls_from/$f"
    changed
  done
}

# TLS between every part unless --insecure: the certificates in /etc/clusterd/tls, copied from
# --tls-from, already there, or (first scheduler) made here.
setup_tls() {
  if [ "$insecure" = 1 ]; then
    warn "TLS: off (--insecure): connections are plaintext and calls need no token; use it only on a network where everyone is trusted"
    return
  fi
  [ -z "$tls_from" ] || copy_tls
  local missing
  missing=$(tls_missing)
  if [ -z "$missing" ]; then
    say "TLS: $tls_dir has ca.crt and the $role certificate"
  else
    role_tls_missing "$missing"
  fi
  tls_permissions
}

# The files of tls_needs not in the TLS folder, space-separated.
tls_missing() {
  local f missing=''
  for f in $(tls_needs); do [ -f "$tls_dir/$f" ] || missing="$missing $f"; done
  echo "${missing# }"
}

# The folder must be searchable by the daemon's user; keys stay readable by root (and, for the
# scheduler, its group) only.
tls_permissions() {
  [ -d "$tls_dir" ] || return 0
  if [ "$(stat -c %a "$tls_dir")" != 755 ]; then act chmod 755 "$tls_dir"; changed; fi
  role_tls_permissions
}

do_uninstall() {
  local name=clusterd-$role.service users
  if systemd_runs && [ -f "$unit" ]; then
    act systemctl disable --now "$name"
    changed
  fi
  remove unit "$unit"
  if systemd_runs && [ "$changes" -gt 0 ]; then act systemctl daemon-reload; fi
  users=$(package_users)
  if [ -n "$users" ]; then
    [ ! -e "$lib_dir" ] || say "package: kept, $(echo "$users" | tr '\n' ' ')still uses it"
  else
    remove package "$lib_dir"
    if [ -L "$bin_link" ] && [[ "$(readlink "$bin_link")" == *lib/clusterd/* ]]; then remove command "$bin_link"; fi
  fi
  if [ "$purge" = 1 ]; then
    remove config "$config"
    remove environment "$env_file"
    remove data "$state_dir"
    # Certificates and the admin's token are shared by the roles of this machine.
    if [ -z "$users" ]; then
      remove certificates "$tls_dir"
      remove "admin credentials" "$client_env"
    fi
    role_purge
    for dir in "$config_dir" "$root/var/lib/clusterd"; do
      if [ -d "$dir" ] && [ -z "$(ls -A "$dir")" ]; then remove folder "$dir"; fi
    done
  else
    for kept in "$config" "$env_file" "$state_dir"; do
      [ ! -e "$kept" ] || say "kept $kept (--purge removes it)"
    done
  fi
  if [ "$changes" = 0 ]; then say "nothing to remove: clusterd $role is not installed${root:+ in $root}"; fi
}

do_install() {
  check_privileges
  check_node
  role_preflight
  install_package
  role_account
  setup_tls
  write_config
  install_unit
  start_service
  if [ "$changes" = 0 ]; then
    say "nothing to change: clusterd $role is installed as asked${root:+ in $root}"
  elif [ "$dry_run" = 1 ]; then
    say "dry run: nothing was changed"
  else
    say "done: clusterd $role installed${root:+ in $root}"
  fi
}

main() {
  parse_args "$@"
  if [ "$uninstall" = 1 ]; then
    check_privileges
    do_uninstall
  else
    do_install
  fi
}
