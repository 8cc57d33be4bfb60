// clusterctl scheduler: one scheduler replica in the foreground.
import path from 'node:path';
import type { Command } from 'commander';
import type { Etcd3 } from 'etcd3';
import { invalid } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { parseDurationMs } from '../../core/units.js';
import { defaultMaxFinishedTasks, defaultPrefetchWindowMs, SchedulerDaemon } from '../../scheduler/daemon.js';
import { defaultMaxForeachItems } from '../../scheduler/flow/engine.js';
import { EmbeddedLeader } from '../../scheduler/leader/embedded-leader.js';
import { EtcdLeaderElection } from '../../scheduler/leader/etcd-election.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { EtcdStateStore } from '../../scheduler/state/etcd-store.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import type { StateStore } from '../../scheduler/state/state-store.js';
import { FsBackend } from '../../store/fs-backend.js';
import { MemoryBackend } from '../../store/memory-backend.js';
import { fail, loggerFor, untilSignal } from '../context.js';
import { withConfigFile } from '../config.js';
import { startHealthServer } from '../health-server.js';
import { durationArg, hostPortArg, wholeNumber, wholeNumberArg } from '../option-args.js';

export interface SchedulerFlags {
  listen: string;
  advertise?: string;
  etcd?: string;
  etcdPrefix: string;
  leaseTtl: string;
  state?: string;
  agentTtl: string;
  heartbeat: string;
  healthListen?: string;
  /** Chunk store folder; without it (clusterctl dev without --data) the store is in memory. */
  store?: string;
  gcGrace: string;
  compactAfter: string;
  retain?: string;
  maxFinishedTasks?: string;
  maxForeachItems?: string;
  prefetchWindow?: string;
}

export interface RunningScheduler {
  daemon: SchedulerDaemon;
  close(): Promise<void>;
}

/**
 * Starts a replica: on etcd (replicated, leader elected) when --etcd is given, else on the
 * embedded store (optionally logged to --state FILE) as the leader of a one-replica cluster.
 */
export async function startScheduler(flags: SchedulerFlags, logger: Logger): Promise<RunningScheduler> {
  const agentTtlMs = parseDurationMs(flags.agentTtl);
  const compactAfterMs = parseDurationMs(flags.compactAfter);
  const retainMs = flags.retain === undefined ? undefined : parseDurationMs(flags.retain);
  if (retainMs !== undefined && retainMs <= compactAfterMs) {
    // Only compacted runs are deleted: one that could expire first would stay until compacted.
    throw invalid(`--retain ${flags.retain} must be longer than --compact-after ${flags.compactAfter}`);
  }
  let store: StateStore;
  let etcd: Etcd3 | undefined;
  let leadership: ConstructorParameters<typeof SchedulerDaemon>[0]['leadership'];
  if (flags.etcd) {
    etcd = createEtcdClient({ endpoints: flags.etcd.split(',').map((e) => (e.includes('://') ? e : `http://${e}`)) });
    const etcdStore = new EtcdStateStore({ prefix: flags.etcdPrefix, client: etcd });
    store = etcdStore;
    try {
      await etcdStore.get('leader');
    } catch (err) {
      etcd.close();
      throw err;
    }
    const ttlMs = parseDurationMs(flags.leaseTtl);
    leadership = (id, addr) => new EtcdLeaderElection({ client: etcd!, prefix: flags.etcdPrefix, id, addr, ttlMs, logger });
  } else {
    store = flags.state ? await MemoryStateStore.open(flags.state, { logger }) : new MemoryStateStore();
    leadership = (id, addr) => new EmbeddedLeader({ store, id, addr, logger });
  }
  const storeDir = flags.store ?? (flags.etcd || flags.state ? 'clusterd-store' : undefined);
  const chunks = storeDir ? await FsBackend.open(path.resolve(storeDir)) : new MemoryBackend();
  logger.info({ store: chunks.name }, 'chunk store');
  const daemon = new SchedulerDaemon({
    chunks,
    gcGraceMs: parseDurationMs(flags.gcGrace),
    compactAfterMs,
    ...(retainMs !== undefined ? { retainMs } : {}),
    ...(flags.maxFinishedTasks !== undefined ? { maxFinishedTasks: wholeNumber(flags.maxFinishedTasks, 0) } : {}),
    ...(flags.maxForeachItems !== undefined ? { maxForeachItems: wholeNumber(flags.maxForeachItems, 1) } : {}),
    ...(flags.prefetchWindow !== undefined ? { prefetchWindowMs: parseDurationMs(flags.prefetchWindow) } : {}),
    listen: flags.listen,
    ...(flags.advertise ? { advertise: flags.advertise } : {}),
    store,
    leadership,
    logger,
    agentTtlMs,
    heartbeatIntervalMs: heartbeatIntervalMs(parseDurationMs(flags.heartbeat), agentTtlMs),
    recoveryWindowMs: agentTtlMs,
  });
  await daemon.start();
  return {
    daemon,
    async close() {
      await daemon.close();
      etcd?.close();
    },
  };
}

/**
 * The heartbeat agents are asked for: as configured, but at most a third of the agent TTL, so
 * two late heartbeats in a row (a busy agent, timer drift) never make a healthy agent lost.
 */
export function heartbeatIntervalMs(configuredMs: number, agentTtlMs: number): number {
  return Math.max(50, Math.min(configuredMs, Math.floor(agentTtlMs / 3)));
}

export function schedulerCommand(program: Command): void {
  const command = program
    .command('scheduler')
    .description('run one scheduler replica')
    .option('--listen <host:port>', 'address to serve gRPC on', hostPortArg, '127.0.0.1:7700')
    .option('--advertise <host:port>', 'address agents and clients reach this replica at (default: the listen address)', hostPortArg)
    .option('--etcd <urls>', 'etcd endpoints for replicated state and leader election (comma-separated)')
    .option('--etcd-prefix <prefix>', 'key prefix in etcd, so several clusters can share one etcd', '/clusterd/')
    .option('--lease-ttl <duration>', 'leader lease TTL: how soon a replica takes over from a dead leader', durationArg, '2s')
    .option('--store <dir>', 'chunk store folder for results, artifacts, logs and code packages; replicas share one (e.g. a shared mount); default: clusterd-store with --etcd or --state, else in memory')
    .option('--gc-grace <duration>', 'store garbage collection spares unreferenced chunks younger than this (uploads in progress)', durationArg, '6h')
    .option('--compact-after <duration>', 'a run finished this long ago has its task records moved from the state store into the chunk store', durationArg, '10m')
    .option('--max-finished-tasks <n>', 'tasks of finished runs the leader keeps in memory; past it the oldest finished runs are compacted before --compact-after', wholeNumberArg(0), String(defaultMaxFinishedTasks))
    .option('--max-foreach-items <n>', 'the most items one foreach may have, listed in the job file or computed by a step; a run over it fails saying so', wholeNumberArg(1), String(defaultMaxForeachItems))
    .option('--prefetch-window <duration>', 'expected work an agent may hold waiting beyond what it runs, per task it runs at once, so no slot waits on the scheduler between tasks (0: off)', durationArg, `${defaultPrefetchWindowMs}ms`)
    .option('--retain <duration>', 'a run finished this long ago is deleted, and store gc then collects its results, artifacts and logs (default: runs are kept)', durationArg)
    .option('--state <file>', 'without --etcd: keep state in this log file so it survives a restart')
    .option('--agent-ttl <duration>', 'an agent silent this long is lost and its tasks re-queued', durationArg, '5s')
    .option('--heartbeat <duration>', 'how often agents send a heartbeat (at most a third of --agent-ttl)', durationArg, '1s')
    .option('--health-listen <host:port>', 'serve /healthz and /readyz (ready = leader known and state loaded) over HTTP', hostPortArg);
  withConfigFile(command)
    .action(async (flags: SchedulerFlags, cmd: Command) => {
      try {
        const logger = loggerFor(cmd, 'scheduler');
        const scheduler = await startScheduler(flags, logger);
        if (flags.healthListen) await startHealthServer(flags.healthListen, scheduler.daemon);
        process.stdout.write(`${JSON.stringify({ level: 30, msg: 'scheduler listening', addr: scheduler.daemon.addr, id: scheduler.daemon.id })}\n`);
        untilSignal(() => scheduler.close());
      } catch (err) {
        fail(err);
      }
    });
}
