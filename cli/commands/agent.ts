// clusterctl agent: runs tasks on this machine for the scheduler.
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { CodeCache } from '../../agent/code-cache.js';
import { AgentDaemon } from '../../agent/daemon.js';
import { ContainerExecutor, connectDocker } from '../../agent/executors/container-executor.js';
import type { Executor } from '../../agent/executors/executor.js';
import { ThreadPool } from '../../agent/executors/thread-pool.js';
import { detectCapacity } from '../../agent/fingerprint/capacity.js';
import { TaskOutputs } from '../../agent/task-outputs.js';
import { parseBytes, parseCpuMilli, parseDurationMs } from '../../core/units.js';
import { StoreClient, storeTarget } from '../../store/client.js';
import { withConfigFile } from '../config.js';
import { addrList, fail, loggerFor, untilSignal } from '../context.js';
import { startHealthServer } from '../health-server.js';
import { addrListArg, cpuArg, durationArg, hostPortArg, keyValueListArg, parseKeyValue, sizeArg, wholeNumber, wholeNumberArg } from '../option-args.js';

interface AgentFlags {
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
    .option('--abort-grace <duration>', 'how long a cancelled or timed-out thread task gets to stop before its worker is terminated', durationArg, '2s');
  withConfigFile(command)
    .action(async (flags: AgentFlags, cmd: Command) => {
      try {
        const logger = loggerFor(cmd, 'agent');
        const capacity = await detectCapacity({
          ...(flags.cpu ? { cpuMilli: parseCpuMilli(flags.cpu) } : {}),
          ...(flags.memory ? { memoryBytes: parseBytes(flags.memory) } : {}),
          ...(flags.gpus ? { gpus: wholeNumber(flags.gpus, 0) } : {}),
          ...(flags.nvidiaSmi ? { nvidiaSmi: flags.nvidiaSmi } : {}),
        });
        const labels = Object.fromEntries(flags.label.map(parseKeyValue));
        const threads = flags.threads ? wholeNumber(flags.threads, 1) : Math.max(1, Math.ceil(capacity.cpuMilli / 1000));
        const pool = new ThreadPool({
          size: threads,
          warmLimitBytes: 256 * 2 ** 20,
          abortGraceMs: parseDurationMs(flags.abortGrace),
          maxQueue: 100_000,
          // Prefetched tasks wait in the pool's queue: it starts them as the agent's capacity allows.
          capacity: { cpuMilli: capacity.cpuMilli, memoryBytes: capacity.memoryBytes },
          logger: logger.child({ component: 'threads' }),
        });
        const agentId = flags.id ?? os.hostname();
        const dataDir = flags.data ?? path.join(os.tmpdir(), `clusterd-agent-${agentId}`);
        const schedulers = addrList(flags.scheduler);
        const executors: Executor[] = [pool];
        const docker = await connectDocker(flags.dockerHost);
        if (docker.docker) {
          executors.push(new ContainerExecutor({
            docker: docker.docker,
            agentId,
            dataDir,
            stopGraceMs: parseDurationMs(flags.stopGrace),
            pullTimeoutMs: 120_000,
            logger: logger.child({ component: 'containers' }),
          }));
        }
        const store = new StoreClient(storeTarget(schedulers));
        const agent = new AgentDaemon({
          id: agentId,
          schedulers,
          capacity,
          labels,
          executors,
          codeCache: new CodeCache(store, path.join(dataDir, 'packages')),
          outputs: (closing) => new TaskOutputs(store, logger.child({ component: 'outputs' }), closing),
          logger,
          drainTimeoutMs: parseDurationMs(flags.drainTimeout),
        });
        logger.info({ agentId, cpuMilli: capacity.cpuMilli, memoryBytes: capacity.memoryBytes, gpus: capacity.gpus.length, threads, notes: [...capacity.notes, docker.note] }, 'agent starting');
        if (!docker.docker) process.stderr.write(`clusterctl agent: ${docker.note}\n`);
        await agent.start();
        if (flags.healthListen) {
          await startHealthServer(flags.healthListen, {
            ready: () => ({ ready: agent.ready, detail: agent.ready ? 'registered' : agent.registered ? 'shutting down' : 'not registered with a scheduler' }),
          });
        }
        untilSignal(async () => {
          await agent.close();
          await store.close();
        });
      } catch (err) {
        fail(err);
      }
    });
}
