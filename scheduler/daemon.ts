/**
 * SchedulerDaemon: one scheduler replica. It serves the agent, client (and chunk store)
 * services over gRPC on every replica; while it leads it runs a LeaderTerm (flow engine,
 * placer, agent registry, schedules) guarded by the term's fence. Followers answer with where
 * the leader is.
 *
 *   starting ─▶ following ⇄ leading ─▶ stopping ─▶ stopped
 */
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ClusterError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { OrderedClose } from '../core/ordered-close.js';
import { serverCredentials, type TlsFiles } from '../proto/credentials.js';
import { proto, serverOptions } from '../proto/load.js';
import type { ServerInfo } from '../proto/types.js';
import type { ChunkBackend } from '../store/backend.js';
import { readObject } from '../store/manifest.js';
import { addChunkStoreService } from '../store/service.js';
import { agentServiceHandlers } from './api/agent-service.js';
import { AuditLog } from './auth/audit-log.js';
import { Authorizer } from './auth/authorizer.js';
import { SubmitRate } from './auth/submit-rate.js';
import { TokenBook } from './auth/token-book.js';
import { clientServiceHandlers } from './api/client-service.js';
import { defaultMaxFinishedTasks, defaultMaxForeachItems, defaultPrefetchWindowMs, defaultSubmitRatePerSecond } from './defaults.js';
import type { ObjectReader } from './flow/effect-runner.js';
import { LeaderTerm } from './leader-term.js';
import { observeScheduler, schedulerMetrics } from './metrics.js';
import { ProcessHealthMonitor } from './process-health.js';
import type { Leadership } from './leader/leadership.js';
import { decodeRecord, decodeTaskRecords, decodeTaskValue, keys, objectsOf, type RunRecord, type ScheduleRecord } from './state/records.js';
import type { Fence, StateStore } from './state/state-store.js';

/** How long open calls get to end when the server closes before they are cut. */
const serverCloseGraceMs = 2_000;

export interface SchedulerOptions {
  /** host:port to listen on; port 0 picks a free one. */
  listen: string;
  /** host:port agents and clients reach this replica at; defaults to the bound address. */
  advertise?: string;
  store: StateStore;
  /** Builds the leader election once the advertised address is known. */
  leadership: (id: string, addr: string) => Leadership;
  logger: Logger;
  agentTtlMs: number;
  heartbeatIntervalMs: number;
  /** After loading unfinished runs, how long agents get to report what they run. */
  recoveryWindowMs: number;
  /** The chunk store this replica serves (every replica serves the same backend). */
  chunks: ChunkBackend;
  /** Unreferenced chunks younger than this survive garbage collection. */
  gcGraceMs?: number;
  /** A run finished this long ago has its task records compacted into the chunk store. Default 10 min. */
  compactAfterMs?: number;
  /** Finished runs are deleted this long after they ended; unset: kept. */
  retainMs?: number;
  /** Tasks of finished runs the leader keeps in memory before compacting the oldest early. */
  maxFinishedTasks?: number;
  /** The most items one foreach may have, listed or computed (see FlowEngine). */
  maxForeachItems?: number;
  /** Attempts of a task lost with their agent before it fails as LOST_AGENTS (default 3). */
  maxLostAttempts?: number;
  /** Runs of one project under way at once (default 100,000). */
  maxActiveRuns?: number;
  /** The prefetch window (see placement/prefetch.ts); 0 turns prefetching off. */
  prefetchWindowMs?: number;
  /** Serve TLS with these files, requiring client certificates of the same CA; default plaintext. */
  tls?: TlsFiles;
  /** Require a token (or an agent certificate) on every call; default off. */
  auth?: boolean;
  /** Submits per second each token may make (ten seconds' worth at once); 0: no limit. */
  submitRatePerSecond?: number;
  /** Projects whose function steps always run isolated in processes (see ProcessPool). */
  isolateProjects?: string[];
}

type DaemonState = 'starting' | 'following' | 'leading' | 'stopping' | 'stopped';

export class SchedulerDaemon {
  readonly id = `sched-${randomBytes(4).toString('hex')}`;
  private state: DaemonState = 'starting';
  private readonly server: grpc.Server;
  private readonly tokens: TokenBook;
  private readonly auth: Authorizer;
  private readonly audit: AuditLog;
  private leadership: Leadership | undefined;
  private term: LeaderTerm | undefined;
  private readonly terms = new Set<LeaderTerm>();
  private readonly closer: OrderedClose;
  private address = '';
  private readonly objects: ObjectReader = { read: (id) => readObject(this.opts.chunks, id) };
  private readonly processHealth = new ProcessHealthMonitor();

  constructor(private readonly opts: SchedulerOptions) {
    this.tokens = new TokenBook(opts.store, opts.logger.child({ component: 'tokens' }));
    this.auth = new Authorizer(opts.auth === true, this.tokens, opts.logger.child({ component: 'auth' }));
    this.audit = new AuditLog(opts.store, opts.logger.child({ component: 'audit' }));
    // Without authentication every caller may do everything: no call is wrapped to be checked.
    this.server = new grpc.Server({ ...serverOptions, interceptors: opts.auth ? [this.auth.interceptor()] : [] });
    this.closer = new OrderedClose('scheduler', () => [
      { name: 'stopping', run: () => this.setState('stopping') },
      { name: 'leadership', run: () => this.leadership?.close() },
      // Resigning ended the term (and cleared this.term): wait for every term's close, not just the current one.
      { name: 'leader terms', run: () => Promise.all([...this.terms].map((t) => t.close())) },
      {
        name: 'gRPC server',
        run: () => new Promise<void>((resolve) => this.server.tryShutdown(() => resolve())),
        deadlineMs: serverCloseGraceMs,
        force: () => this.server.forceShutdown(),
      },
      { name: 'tokens', run: () => this.tokens.close() },
      { name: 'state store', run: () => this.opts.store.close() },
      { name: 'chunk store', run: () => this.opts.chunks.close() },
      { name: 'process health', run: () => this.processHealth.close() },
      { name: 'stopped', run: () => this.setState('stopped') },
    ], opts.logger);
  }

  /** The address this replica serves on, once started. */
  get addr(): string {
    return this.address;
  }

  /** Ready: leading with its state loaded, or following a known leader. */
  ready(): { ready: boolean; detail: string } {
    if (this.state === 'leading') return { ready: this.term !== undefined, detail: `scheduler ${this.id} leads` };
    const leader = this.leaderAddr();
    return { ready: this.state === 'following' && leader !== '', detail: leader ? `following the leader at ${leader}` : `scheduler ${this.id} is ${this.state}; no leader known` };
  }

  async start(): Promise<void> {
    const leader = () => {
      if (this.term) return this.term;
      const addr = this.leaderAddr();
      throw new ClusterError('NOT_LEADER', addr ? `scheduler ${this.id} does not lead; the leader is ${addr}` : 'no scheduler leads right now', { detail: addr });
    };
    observeScheduler(() => this.term && { queuedByProject: () => this.term!.placer.queuedByProject(), agents: () => this.term!.registry.list() });
    // Tokens are read before the first call is served: every replica checks them.
    if (this.opts.auth) await this.tokens.start();
    this.server.addService(proto.AgentService.service, agentServiceHandlers({ registry: () => leader().registry, leaderAddr: () => this.leaderAddr(), engine: () => leader().engine, auth: this.auth }));
    this.server.addService(proto.ClientService.service, clientServiceHandlers({
      leader, servers: async () => this.servers(), objects: this.objects, auth: this.auth, audit: this.audit,
      submitRate: new SubmitRate(this.opts.submitRatePerSecond ?? defaultSubmitRatePerSecond),
      isolateProjects: new Set(this.opts.isolateProjects ?? []),
    }));
    addChunkStoreService(this.server, {
      backend: this.opts.chunks,
      roots: () => this.referencedObjects(),
      ...(this.opts.gcGraceMs !== undefined ? { gcGraceMs: this.opts.gcGraceMs } : {}),
      logger: this.opts.logger.child({ component: 'store' }),
      onBytes: (direction, bytes) => schedulerMetrics.storeBytes.inc({ direction }, bytes),
    });
    const port = await new Promise<number>((resolve, reject) => {
      this.server.bindAsync(this.opts.listen, serverCredentials(this.opts.tls), (err, p) => (err ? reject(err) : resolve(p)));
    }).catch((err) => {
      throw new ClusterError('UNAVAILABLE', `cannot listen on ${this.opts.listen}: ${errorMessage(err)}`);
    });
    const host = this.opts.listen.slice(0, this.opts.listen.lastIndexOf(':'));
    if ((!this.opts.tls || !this.opts.auth) && !isLoopback(host)) {
      this.opts.logger.warn({ listen: this.opts.listen }, `${this.opts.tls ? 'NO AUTHENTICATION' : 'PLAINTEXT'} ON THE NETWORK: this scheduler listens beyond loopback without ${this.opts.tls ? 'tokens' : 'TLS'}; anyone who reaches it can read results, forge agents and run code (give --tls-dir and --auth tokens; see clusterctl tls init)`);
    }
    this.address = this.opts.advertise ?? `${host}:${port}`;
    const leadership = this.opts.leadership(this.id, this.address);
    this.leadership = leadership;
    leadership.on('elected', (fence, term) => void this.lead(fence, term));
    leadership.on('lost', (reason) => {
      // Closing resigns on purpose (a follower takes over at once): no fault to warn about.
      if (this.state === 'stopping') this.opts.logger.info({ schedulerId: this.id, reason }, 'leadership released');
      else this.opts.logger.warn({ schedulerId: this.id, reason }, 'leadership lost');
    });
    this.setState('following');
    leadership.start();
  }

  /** Idempotent: resigns (a follower takes over at once), ends streams, closes the store. */
  close(): Promise<void> {
    return this.closer.close();
  }

  private async lead(fence: Fence, term: AbortSignal): Promise<void> {
    const leaderTerm = new LeaderTerm({
      store: this.opts.store,
      fence,
      term,
      fenceLost: (reason) => this.leadership?.fenceLost(reason),
      schedulerId: this.id,
      logger: this.opts.logger,
      agentTtlMs: this.opts.agentTtlMs,
      heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
      recoveryWindowMs: this.opts.recoveryWindowMs,
      objects: this.objects,
      chunks: this.opts.chunks,
      compactAfterMs: this.opts.compactAfterMs ?? 10 * 60_000,
      ...(this.opts.retainMs !== undefined ? { retainMs: this.opts.retainMs } : {}),
      maxFinishedTasks: this.opts.maxFinishedTasks ?? defaultMaxFinishedTasks,
      maxForeachItems: this.opts.maxForeachItems ?? defaultMaxForeachItems,
      ...(this.opts.maxLostAttempts !== undefined ? { maxLostAttempts: this.opts.maxLostAttempts } : {}),
      ...(this.opts.maxActiveRuns !== undefined ? { maxActiveRuns: this.opts.maxActiveRuns } : {}),
      prefetchWindowMs: this.opts.prefetchWindowMs ?? defaultPrefetchWindowMs,
    });
    // Every term this replica began, until it has closed: close() waits for them all, the one
    // still loading its state included, before it closes the stores they write to.
    this.terms.add(leaderTerm);
    term.addEventListener('abort', () => {
      if (this.term === leaderTerm) this.term = undefined;
      if (this.state === 'leading') this.setState('following');
      void leaderTerm.close()
        .catch((err) => this.opts.logger.error({ err, schedulerId: this.id }, 'closing the leader term failed'))
        .finally(() => this.terms.delete(leaderTerm));
    }, { once: true });
    this.setState('leading');
    try {
      await leaderTerm.start();
      if (!term.aborted) this.term = leaderTerm;
    } catch (err) {
      // start() retries reading the state for as long as the term lasts: it ended.
      this.opts.logger.warn({ err: errorMessage(err) }, 'the term ended while loading the state');
      await leaderTerm.close();
    }
  }

  /**
   * The garbage collector's roots: every object a run, task or schedule in the state store
   * refers to. Read from the store, not a leader's memory, so any replica can collect.
   */
  private async referencedObjects(): Promise<string[]> {
    const ids: string[] = [];
    const tasksObjects = new Set<string>(); // runs compacted together share one
    for (const [, value] of await this.opts.store.list('tasks/')) {
      for (const task of decodeTaskValue(value)) ids.push(...objectsOf(task));
    }
    for (const prefix of [keys.runs, keys.schedules]) {
      for (const [, value] of await this.opts.store.list(prefix)) {
        const record = decodeRecord<RunRecord | ScheduleRecord>(value);
        ids.push(...objectsOf(record));
        if ('tasksObject' in record && record.tasksObject && !tasksObjects.has(record.tasksObject)) {
          tasksObjects.add(record.tasksObject);
          for (const task of decodeTaskRecords(await this.objects.read(record.tasksObject))) ids.push(...objectsOf(task));
        }
      }
    }
    return ids;
  }

  private leaderAddr(): string {
    if (this.term) return this.address;
    const state = this.leadership?.state;
    return state?.kind === 'follower' ? state.leader?.addr ?? '' : '';
  }

  /** This replica as `clusterctl servers` shows it (the CLI asks every address it knows). */
  private servers(): ServerInfo[] {
    const me = { id: this.id, addr: this.address, leader: this.term !== undefined, health: this.processHealth.health() };
    const leader = this.leaderAddr();
    return leader && leader !== this.address ? [me, { id: '', addr: leader, leader: true }] : [me];
  }

  private setState(next: DaemonState): void {
    if (next === this.state) return;
    this.opts.logger.info({ schedulerId: this.id, from: this.state, to: next, addr: this.address }, 'scheduler state');
    this.state = next;
  }
}

/** Whether a listen host is reachable from this machine only. */
function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  return bare === 'localhost' || bare === '::1' || /^127\./.test(bare);
}
