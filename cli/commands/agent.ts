// clusterctl agent: runs tasks on this machine for the scheduler. This module only defines the
// command; the agent itself (executors, Docker, the store client) is imported when it runs.
import type { Command } from 'commander';
import { withConfigFile } from '../config.js';
import { exitOnCrash, fail, globals, loggerFor } from '../context.js';
import { addrListArg, cpuArg, durationArg, hostPortArg, keyValueListArg, sizeArg, wholeNumberArg } from '../option-args.js';

export interface AgentFlags {
  scheduler: string;
  id?: string;
  cpu?: string;
  memory?: string;
  gpus?: string;
  label: string[];
  threads?: string;
  abortGrace: string;
  nvidiaSmi?: string;
  dockerHost?: string;
  data?: string;
  stopGrace: string;
  drainTimeout: string;
  healthListen?: string;
  tlsDir?: string;
  token?: string;
}

export function agentCommand(program: Command): void {
  const command = program
    .command('agent')
    .description('run an agent: report capacity to the scheduler and run the tasks it assigns')
    .option('--scheduler <addrs>', 'scheduler addresses, comma-separated (CLUSTERCTL_ADDR when set)', addrListArg, process.env.CLUSTERCTL_ADDR ?? '127.0.0.1:7700')
    .option('--id <id>', 'agent id, unique in the cluster (default: the hostname)')
    .option('--cpu <cores>', 'CPU to offer, in cores (2) or millicores (1500m); default: detected', cpuArg)
    .option('--memory <size>', 'memory to offer (16Gi); default: detected', sizeArg)
    .option('--gpus <n>', 'GPUs to offer, numbered from 0; default: detected with nvidia-smi', wholeNumberArg(0))
    .option('--label <k=v>', 'a label for placement constraints (repeatable)', keyValueListArg, [])
    .option('--nvidia-smi <path>', 'the nvidia-smi to detect GPUs with (default: nvidia-smi on PATH)')
    .option('--docker-host <url>', 'Docker engine for container tasks (default: DOCKER_HOST, then the default socket)')
    .option('--data <dir>', 'folder for cached code packages and container task inputs and outputs (default: a folder under the system temp dir)')
    .option('--stop-grace <duration>', 'how long a cancelled or timed-out container gets after SIGTERM before SIGKILL', durationArg, '5s')
    .option('--health-listen <host:port>', 'serve /healthz and /readyz (ready = registered with a scheduler) over HTTP', hostPortArg)
    .option('--threads <n>', 'worker threads in the warm pool (default: the CPU cores offered)', wholeNumberArg(1))
    // The default, with --abort-grace or --stop-grace and the last acknowledgements, stays inside
    // the 30 s the systemd unit (TimeoutStopSec) and the compose file (stop_grace_period) allow.
    .option('--drain-timeout <duration>', 'on SIGTERM, how long started tasks get to finish before they are stopped and given back to the scheduler', durationArg, '15s')
    .option('--abort-grace <duration>', 'how long a cancelled or timed-out thread task gets to stop before its worker is terminated', durationArg, '2s')
    .option('--tls-dir <dir>', 'connect over TLS with ca.crt and agent.crt/.key of this folder (see clusterctl tls init)')
    .option('--token <token>', 'join token (clusterctl token create --role agent); not needed with an agent certificate');
  withConfigFile(command)
    .action(async (flags: AgentFlags, cmd: Command) => {
      try {
        const { runAgent } = await import('../start-agent.js');
        const logger = loggerFor(cmd, 'agent');
        exitOnCrash(logger);
        // clusterctl's own --tls-dir and --token take these flags wherever they are written, so a
        // value there came from the command line and wins over the config file and CLUSTERD_*.
        const global = globals(cmd);
        await runAgent({ ...flags, tlsDir: global.tlsDir ?? flags.tlsDir, token: global.token ?? flags.token }, logger);
      } catch (err) {
        fail(err);
      }
    });
}
