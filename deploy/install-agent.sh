#!/usr/bin/env bash
# Installs a clusterd agent on a Debian/Ubuntu VM or GPU box: the package,
# /etc/clusterd/agent.yaml and the clusterd-agent systemd unit (run as root: see the unit). Says
# which GPUs (nvidia-smi) and which Docker engine it finds, i.e. what the agent will offer.
#
#   sudo deploy/install-agent.sh --scheduler 10.0.0.5:7700,10.0.0.6:7700 [--id gpu-1] \
#        [--label zone=a --label gpu=a100] [--package clusterd-0.1.0.tgz]
#
# Options after the installer's own (see --help) are config keys written into a new agent.yaml.
# Idempotent; --dry-run, --root DIR, --uninstall [--purge].
set -euo pipefail

role=agent
role_options=(scheduler id label cpu memory gpus nvidia-smi docker-host data health-listen)
role_list_options=(label)
# dockerd bind-mounts task folders from the host's view: not the unit's private /tmp (the default).
role_defaults=(data?=/var/lib/clusterd/agent)

role_usage() { echo "[--scheduler ADDRS] [--id ID] [--label K=V]... [--cpu N] [--memory SIZE] [--gpus N] [--docker-host URL] [--data DIR] [--health-listen HOST:PORT]"; }

# The value of config key $1 given to the installer, if any.
setting() {
  local s
  for s in "${settings[@]}"; do [ "${s%%=*}" = "$1" ] && echo "${s#*=}"; done
  return 0
}

role_preflight() {
  local smi docker_host engine gpus
  smi=$(setting nvidia-smi)
  smi=${smi:-nvidia-smi}
  if command -v "$smi" >/dev/null && gpus=$("$smi" --query-gpu=index,name,memory.total --format=csv,noheader 2>/dev/null) && [ -n "$gpus" ]; then
    say "GPUs: found with $smi, offered to the scheduler:"
    while IFS= read -r line; do say "  $line"; done <<<"$gpus"
  else
    gpus=''
    say "GPUs: none ($smi not found or lists none); install the NVIDIA driver on GPU boxes"
  fi
  docker_host=$(setting docker-host)
  docker_host=${docker_host:-${DOCKER_HOST:-unix:///var/run/docker.sock}}
  if engine=$(docker_engine "$docker_host"); then
    say "Docker: engine ${engine% *} at $docker_host: container tasks enabled"
    if [ -n "$gpus" ] && [[ " ${engine#* } " != *,nvidia,* ]]; then
      warn "Docker: the engine has no nvidia runtime: GPU container tasks need the NVIDIA Container Toolkit (nvidia-ctk runtime configure --runtime=docker, then restart dockerd)"
    fi
  else
    say "Docker: no engine answers at $docker_host: the agent runs thread tasks only (apt-get install docker.io for container tasks)"
  fi
  # Before anything is installed: an agent cannot make its own certificates.
  if [ "$insecure" = 0 ] && [ -z "$tls_from" ] && [ -n "$(tls_missing)" ]; then role_tls_missing "$(tls_missing)"; fi
}

role_tls_usage() {
  echo "the agent needs ca.crt, agent.crt and agent.key in /etc/clusterd/tls: give --tls-from DIR
(a copy of the first scheduler's /etc/clusterd/tls, or a folder clusterctl tls init made)."
}

role_tls_missing() {
  die 2 "TLS: $tls_dir has no $1: give --tls-from DIR with ca.crt, agent.crt and agent.key (a copy of the first scheduler's /etc/clusterd/tls, or the folder clusterctl tls init made), or --insecure for a plaintext cluster"
}

# Runs as root: its keys stay root's; nothing to do after the start.
role_tls_permissions() { :; }
role_after_start() { :; }

# Prints "VERSION ,RUNTIME,...," of the engine at $1 (unix:// or tcp://), or fails.
docker_engine() {
  node --input-type=module -e '
    import http from "node:http";
    const host = process.argv[1];
    const target = host.startsWith("unix://") ? { socketPath: host.slice(7) } : { host: new URL(host.replace(/^tcp:/, "http:")).hostname, port: new URL(host.replace(/^tcp:/, "http:")).port || 2375 };
    const get = (path) => new Promise((resolve, reject) => {
      http.get({ ...target, path, timeout: 3000 }, (res) => {
        let body = "";
        res.on("data", (d) => { body += d; });
        res.on("end", () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(String(res.statusCode)))));
      }).on("error", reject).on("timeout", function () { this.destroy(new Error("timeout")); });
    });
    const [version, info] = await Promise.all([get("/version"), get("/info")]);
    console.log(`${version.Version} ,${Object.keys(info.Runtimes ?? {}).join(",")},`);
  ' "$1" 2>/dev/null
}

# Runs as root (see the unit): no account to make or remove.
role_account() { :; }
role_purge() { :; }

source "$(dirname "${BASH_SOURCE[0]}")/lib/install-common.sh"
main "$@"
