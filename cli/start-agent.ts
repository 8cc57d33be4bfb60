// Runs an agent from its command-line flags (clusterctl agent) until a signal stops it.
import os from 'node:os';
import path from 'node:path';
import { CodeCache } from '../agent/code-cache.js';
import { AgentDaemon } from '../agent/daemon.js';
import { ContainerExecutor, connectDocker } from '../agent/executors/container-executor.js';
import type { Executor } from '../agent/executors/executor.js';
import { ProcessPool } from '../agent/executors/process-pool.js';
import { TaskProcessGroups } from '../agent/executors/task-process-groups.js';
import { ThreadPool } from '../agent/executors/thread-pool.js';
import { detectCapacity } from '../agent/fingerprint/capacity.js';
import { TaskOutputs } from '../agent/task-outputs.js';
import type { Logger } from '../core/logger.js';
import { parseBytes, parseCpuMilli, parseDurationMs } from '../core/units.js';
import { ClusterCredentials, loadTlsFiles } from '../proto/credentials.js';
import { StoreClient, storeTarget } from '../store/client.js';
import type { AgentFlags } from './commands/agent.js';
import { addrList, untilSignal } from './context.js';
import { startHealthServer } from './health-server.js';
import { agentMetrics } from '../agent/metrics.js';
import { parseKeyValue, wholeNumber } from './option-args.js';

export async function runAgent(flags: AgentFlags, logger: Logger): Promise<void> {
  const capacity = await detectCapacity({
    ...(flags.cpu ? { cpuMilli: parseCpuMilli(flags.cpu) } : {}),
    ...(flags.memory ? { memoryBytes: parseBytes(flags.memory) } : {}),
    ...(flags.gpus ? { gpus: wholeNumber(flags.gpus, 0) } : {}),
    ...(flags.nvidiaSmi ? { nvidiaSmi: flags.nvidiaSmi } : {}),
  });
  const labels = Object.fromEntries(flags.label.map(parseKeyValue));
  const threads = flags.threads ? wholeNumber(flags.threads, 1) : Math.max(1, Math.ceil(capacity.cpuMilli / 1000));
  const agentId = flags.id ?? os.hostname();
  const dataDir = flags.data ?? path.join(os.tmpdir(), `clusterd-agent-${agentId}`);
  // Processes thread tasks of an earlier agent process on this folder started and, killed
  // itself, could not stop: stopped now, before anything runs.
  const processGroups = new TaskProcessGroups(path.join(dataDir, 'task-process-groups'), logger.child({ component: 'threads' }));
  processGroups.reapLeftovers();
  const pool = new ThreadPool({
    processGroups,
    size: threads,
    warmLimitBytes: 256 * 2 ** 20,
    abortGraceMs: parseDurationMs(flags.abortGrace),
    maxQueue: 100_000,
    // Prefetched tasks wait in the pool's queue: it starts them as the agent's capacity allows.
    capacity: { cpuMilli: capacity.cpuMilli, memoryBytes: capacity.memoryBytes },
    logger: logger.child({ component: 'threads' }),
  });
  const schedulers = addrList(flags.scheduler);
  // Isolated function tasks (isolation: process) get as many processes as the pool has threads.
  const executors: Executor[] = [pool, new ProcessPool({ size: threads, abortGraceMs: parseDurationMs(flags.abortGrace), logger: logger.child({ component: 'processes' }) })];
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
  const credentials = new ClusterCredentials(flags.tlsDir ? loadTlsFiles(flags.tlsDir, 'agent') : undefined, flags.token);
  const store = new StoreClient(storeTarget(schedulers), { credentials });
  const agent = new AgentDaemon({
    id: agentId,
    schedulers,
    credentials,
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
    const metrics = agentMetrics({ capacity, tasksHeld: () => agent.runningCount, tasksStarted: () => agent.startedCount, gpusInUse: () => agent.gpusInUse, resultsUnacknowledged: () => agent.unacknowledgedCount, registered: () => agent.registered });
    await startHealthServer(flags.healthListen, {
      ready: () => ({ ready: agent.ready, detail: agent.ready ? 'registered' : agent.registered ? 'shutting down' : 'not registered with a scheduler' }),
    }, metrics);
  }
  untilSignal(async () => {
    await agent.close();
    await store.close();
  });
}
