// Starts one scheduler replica from its command-line flags (clusterctl scheduler, clusterctl dev).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Etcd3 } from 'etcd3';
import { errorMessage, invalid } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { parseDurationMs } from '../core/units.js';
import { loadTlsFiles } from '../proto/credentials.js';
import { SchedulerDaemon } from '../scheduler/daemon.js';
import { EmbeddedLeader } from '../scheduler/leader/embedded-leader.js';
import { EtcdLeaderElection } from '../scheduler/leader/etcd-election.js';
import { createEtcdClient, etcdEndpoints, type EtcdTls } from '../scheduler/state/etcd-client.js';
import { EtcdStateStore } from '../scheduler/state/etcd-store.js';
import { MemoryStateStore } from '../scheduler/state/memory-store.js';
import type { StateStore } from '../scheduler/state/state-store.js';
import { FsBackend } from '../store/fs-backend.js';
import { MemoryBackend } from '../store/memory-backend.js';
import type { SchedulerFlags } from './commands/scheduler.js';
import { wholeNumber } from './option-args.js';

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
    const tls = etcdTls(flags);
    etcd = createEtcdClient({ endpoints: etcdEndpoints(flags.etcd, tls !== undefined), tls });
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
    ...(flags.maxLostAttempts !== undefined ? { maxLostAttempts: wholeNumber(flags.maxLostAttempts, 1) } : {}),
    ...(flags.maxActiveRuns !== undefined ? { maxActiveRuns: wholeNumber(flags.maxActiveRuns, 1) } : {}),
    ...(flags.prefetchWindow !== undefined ? { prefetchWindowMs: parseDurationMs(flags.prefetchWindow) } : {}),
    ...(flags.tlsDir ? { tls: loadTlsFiles(flags.tlsDir, 'scheduler') } : {}),
    auth: (flags.auth ?? (flags.tlsDir ? 'tokens' : 'none')) === 'tokens',
    ...(flags.submitRate !== undefined ? { submitRatePerSecond: wholeNumber(flags.submitRate, 0) } : {}),
    ...(flags.isolateProject?.length ? { isolateProjects: flags.isolateProject } : {}),
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

/** The files --etcd-ca, --etcd-cert and --etcd-key name, read now so a wrong path stops the start. */
function etcdTls(flags: SchedulerFlags): EtcdTls | undefined {
  if (!flags.etcdCa && !flags.etcdCert && !flags.etcdKey) return undefined;
  const read = (flag: string, file: string | undefined): Buffer | undefined => {
    if (file === undefined) return undefined;
    try {
      return readFileSync(file);
    } catch (err) {
      throw invalid(`${flag} ${file}: ${errorMessage(err)}`);
    }
  };
  return { ca: read('--etcd-ca', flags.etcdCa), cert: read('--etcd-cert', flags.etcdCert), key: read('--etcd-key', flags.etcdKey) };
}
