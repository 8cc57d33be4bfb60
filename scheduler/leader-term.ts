/**
 * LeaderTerm: everything a replica runs while it leads, for one term. Built on `elected` with
 * the term's fence, torn down when the term's signal fires: every write goes through a group
 * committer guarded by the fence, so a deposed leader's writes fail with LEASE_LOST.
 *
 *   elected ─▶ load runs and schedules ─▶ recovery window (agents report) ─▶ scheduling
 *   term signal ─▶ agents told to go elsewhere ─▶ loops stopped ─▶ committer closed
 */
import { setMaxListeners } from 'node:events';
import { sleep, yieldToLoop } from '../core/abortable.js';
import { ownedLoop } from '../core/owned-loop.js';
import { ClusterError, errorCode, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { OrderedClose } from '../core/ordered-close.js';
import { AttemptGrants, loadGrantKey } from './auth/attempt-grants.js';
import { AgentMembers } from './dispatch/agent-members.js';
import { AgentRegistry } from './dispatch/agent-registry.js';
import { CronSchedules } from './flow/cron.js';
import type { ObjectReader } from './flow/effect-runner.js';
import { FlowEngine } from './flow/engine.js';
import { Placer } from './placement/placer.js';
import { GroupCommitter } from './state/group-committer.js';
import { RunCompactor } from './flow/compaction.js';
import { RunRetention } from './flow/retention.js';
import {
  decodeRecord, decodeTaskRecords, decodeTaskValue, keys, latestTaskRecords, segmentNumber, type RunRecord, type ScheduleRecord, type TaskRecord,
} from './state/records.js';
import type { ChunkBackend } from '../store/backend.js';
import type { Fence, StateStore, WriteOp } from './state/state-store.js';

export interface LeaderTermOptions {
  store: StateStore;
  fence: Fence;
  term: AbortSignal;
  /** A write of this term was refused with LEASE_LOST: the term must end now (Leadership.fenceLost). */
  fenceLost: (reason: string) => void;
  schedulerId: string;
  logger: Logger;
  agentTtlMs: number;
  heartbeatIntervalMs: number;
  /** After loading unfinished runs, how long agents get to report what they run. */
  recoveryWindowMs: number;
  objects: ObjectReader;
  /** Where compacted runs' task records go, and how long after finishing a run is compacted. */
  chunks: ChunkBackend;
  compactAfterMs: number;
  /** Finished runs are deleted this long after they ended (see flow/retention.ts); unset: never. */
  retainMs?: number;
  /** Tasks of finished runs kept in memory before the oldest are compacted early. */
  maxFinishedTasks: number;
  /** The most items one foreach may have. */
  maxForeachItems: number;
  /** See FlowEngineOptions. */
  maxLostAttempts?: number;
  maxActiveRuns?: number;
  /** Expected work an agent may hold waiting beyond what it runs, per task it runs at once (see placement/prefetch.ts). */
  prefetchWindowMs: number;
}

interface DurableState {
  runs: RunRecord[];
  /** Each run's task records, every task's latest, and the number of the run's last segment. */
  tasks: Map<string, { records: TaskRecord[]; lastSegment: number }>;
}

const maintenanceIntervalMs = 500;
/** How often the compaction loop looks for due runs once it has compacted all there were. */
const compactionIntervalMs = 1_000;
/** How long reading the stored task records may hold the event loop at a time. */
const decodeTurnMs = 10;

export class LeaderTerm {
  readonly placer: Placer;
  readonly registry: AgentRegistry;
  readonly engine: FlowEngine;
  readonly schedules: CronSchedules;
  /** The term's fenced write, for what the leader records besides runs (tokens, the audit log). */
  readonly commit: (ops: WriteOp[]) => Promise<void>;
  private readonly committer: GroupCommitter;
  private readonly compactor: RunCompactor;
  private readonly retention: RunRetention | undefined;
  private readonly members: AgentMembers;
  /** Signs what this term assigns; its key is read (or made) at the term's start. */
  private readonly grants = new AttemptGrants();
  private loop: Promise<void> | undefined;
  private finishedRunsLoop: Promise<void> | undefined;
  private readonly closer: OrderedClose;

  constructor(private readonly opts: LeaderTermOptions) {
    this.closer = new OrderedClose('leader term', () => [
      { name: 'agent streams', run: () => this.registry.closeAll(new ClusterError('NOT_LEADER', 'this scheduler no longer leads; reconnect to the leader')) },
      { name: 'engine', run: () => this.engine.close() },
      { name: 'maintenance loop', run: () => this.loop },
      { name: 'finished-runs loop', run: () => this.finishedRunsLoop },
      // Writes still queued fail once the lease is gone: expected at the end of a term, so a warning.
      { name: 'committer', run: () => this.committer.close().catch((err) => opts.logger.warn({ err: errorMessage(err) }, 'closing the committer')) },
    ], opts.logger);
    // Bounded passes keep the event loop answering while a huge queue drains.
    this.placer = new Placer({ maxPlacementsPerPass: 5_000, prefetchWindowMs: opts.prefetchWindowMs });
    // Every run a client follows listens for the term's end (run-watch.ts): thousands at once
    // are normal, not a leak.
    setMaxListeners(0, opts.term);
    this.committer = new GroupCommitter({ store: opts.store, fence: opts.fence });
    // Every write of the term goes through here: the first one refused with LEASE_LOST ends the
    // term at once (another replica leads), rather than at the election's next renewal.
    const persist = (ops: Parameters<GroupCommitter['write']>[0]) => this.committer.write(ops).catch((err: unknown) => {
      if (errorCode(err) === 'LEASE_LOST' && !opts.term.aborted) opts.fenceLost(errorMessage(err));
      throw err;
    });
    this.commit = persist;
    this.members = new AgentMembers(persist, opts.logger.child({ component: 'members' }));
    this.registry = new AgentRegistry({
      grants: this.grants,
      members: this.members,
      placer: this.placer,
      logger: opts.logger.child({ component: 'agents' }),
      agentTtlMs: opts.agentTtlMs,
      heartbeatIntervalMs: opts.heartbeatIntervalMs,
      schedulerId: opts.schedulerId,
    });
    this.engine = new FlowEngine({ placer: this.placer, persist, objects: opts.objects, dispatcher: this.registry, maxForeachItems: opts.maxForeachItems, grants: this.grants,
      ...(opts.maxLostAttempts !== undefined ? { maxLostAttempts: opts.maxLostAttempts } : {}),
      ...(opts.maxActiveRuns !== undefined ? { maxActiveRuns: opts.maxActiveRuns } : {}),
      logger: opts.logger.child({ component: 'flow' }) });
    this.registry.bind(this.engine);
    this.schedules = new CronSchedules(this.engine, persist, opts.logger.child({ component: 'cron' }));
    this.compactor = new RunCompactor({ store: opts.store, chunks: opts.chunks, persist, compactAfterMs: opts.compactAfterMs, maxFinishedTasks: opts.maxFinishedTasks, logger: opts.logger.child({ component: 'compaction' }) });
    this.retention = opts.retainMs === undefined ? undefined : new RunRetention({ retainMs: opts.retainMs, persist, limits: opts.store.limits });
  }

  /** Fires when this term ends. */
  get term(): AbortSignal {
    return this.opts.term;
  }

  /**
   * Loads the durable state; unfinished runs wait for agents to report before re-queueing. While
   * the state store cannot be read (etcd down) it retries for as long as this term lasts.
   */
  async start(): Promise<void> {
    const { logger, term } = this.opts;
    let state: DurableState;
    for (let attempt = 0; ; attempt++) {
      try {
        state = await this.readState();
        this.grants.useKey(await loadGrantKey(this.opts.store, this.commit));
        break;
      } catch (err) {
        if (term.aborted) throw err;
        logger.warn({ err: errorMessage(err), attempt }, 'cannot read the state store; retrying');
        await sleep(Math.min(5_000, 250 * 2 ** attempt), term);
      }
    }
    const { runs, tasks } = state;
    // Unfinished runs, and the runs they resume, need their results in memory as later inputs.
    const needResults = new Set(runs.filter((r) => r.state === 'running').flatMap((r) => [r.id, r.resumedFrom ?? '']));
    let unfinished = 0;
    let dropped = 0;
    for (const record of runs) {
      try {
        if (record.tasksObject && record.steps && record.state !== 'running' && !needResults.has(record.id)) {
          this.engine.catalog.restoreDropped(record, record.steps);
          dropped++;
          continue;
        }
        const stored = tasks.get(record.id);
        const taskRecords = record.tasksObject ? decodeTaskRecords(await this.opts.objects.read(record.tasksObject), record.id) : latestTaskRecords(stored?.records ?? []);
        await this.engine.readResults(record, taskRecords, needResults.has(record.id));
        this.engine.restore(record, taskRecords, stored?.lastSegment);
        if (record.state === 'running') unfinished++;
      } catch (err) {
        logger.error({ runId: record.id, err: errorMessage(err) }, 'cannot restore run; skipped');
      }
    }
    logger.info({ runs: runs.length, dropped }, 'state loaded (compacted finished runs as summaries, their tasks left in the chunk store)');
    if (unfinished > 0) {
      logger.info({ runs: runs.length, unfinished, windowMs: this.opts.recoveryWindowMs }, 'recovering: waiting for agents to report');
      this.engine.setRecovering(true);
    }
    // Each iteration's failures are caught and logged inside (ownedLoop); the catch here is for
    // the recovery wait before the first one.
    this.loop = this.maintain(unfinished > 0).catch((err) => logger.error({ err }, 'leader maintenance loop failed'));
    this.finishedRunsLoop = this.maintainFinished();
  }

  /** Every record, read before anything is restored, so a failed read leaves nothing half-loaded. */
  private async readState(): Promise<DurableState> {
    const { store } = this.opts;
    const schedules = (await store.list(keys.schedules)).map(([, v]) => decodeRecord<ScheduleRecord>(v));
    const runs = (await store.list(keys.runs)).map(([, v]) => decodeRecord<RunRecord>(v)).sort((a, b) => a.seq - b.seq);
    const tasks: DurableState['tasks'] = new Map();
    // In key order: a run's segments in the order they were written. The loop is given back
    // every few milliseconds: a run of a million tasks is ~200 MB of segments to decode.
    let turnStart = performance.now();
    for (const [key, v] of await store.list('tasks/')) {
      if (performance.now() - turnStart > decodeTurnMs) {
        await yieldToLoop();
        turnStart = performance.now();
      }
      const records = decodeTaskValue(v);
      if (records.length === 0) continue;
      let ofRun = tasks.get(records[0]!.runId);
      if (!ofRun) {
        ofRun = { records: [], lastSegment: -1 };
        tasks.set(records[0]!.runId, ofRun);
      }
      for (const r of records) ofRun.records.push(r); // not a fresh copy per segment: a new leader loads runs of 1,000,000 tasks
      ofRun.lastSegment = Math.max(ofRun.lastSegment, segmentNumber(key) ?? -1);
    }
    const agents = (await store.list(keys.agents)).map(([, v]) => v);
    this.schedules.load(schedules);
    this.members.load(agents);
    return { runs, tasks };
  }

  /** Idempotent: ends agent streams (they reconnect to the next leader), stops loops, fails pending writes. */
  close(): Promise<void> {
    return this.closer.close();
  }

  private async maintain(recovering: boolean): Promise<void> {
    const { term } = this.opts;
    if (recovering) {
      // Over when every member agent has reported what it runs, or at the latest after the window.
      const startedMs = Date.now();
      const allBack = await Promise.race([this.members.allBack.then(() => true), sleep(this.opts.recoveryWindowMs, term).then(() => false)]);
      if (term.aborted) return;
      this.engine.setRecovering(false);
      this.opts.logger.info({ afterMs: Date.now() - startedMs, allAgentsBack: allBack, missing: this.members.expected }, 'recovery over; unreported tasks re-queued');
    }
    let sleptAt = Date.now();
    await ownedLoop({ name: 'leader maintenance', signal: term, intervalMs: maintenanceIntervalMs, logger: this.opts.logger }, async () => {
      try {
        // This process was stopped or busy (SIGSTOP, a long GC) for longer than the interval: the
        // agents' heartbeats went unread meanwhile, so they get that long again before the TTL.
        const pausedMs = Date.now() - sleptAt - maintenanceIntervalMs;
        if (pausedMs > maintenanceIntervalMs) this.registry.paused(pausedMs);
        this.registry.sweep();
        this.engine.sweepTimeouts();
        this.engine.revisePrefetch();
        await this.schedules.fire();
      } finally {
        sleptAt = Date.now();
      }
    });
  }

  /**
   * Compacts due runs group after group until none is due, dropping each group from memory as
   * it goes, then deletes the runs past --retain, then waits a while: it keeps up with however
   * many runs end per second. The last drop of a round also takes the runs loaded back from
   * their object since the last round.
   */
  private async maintainFinished(): Promise<void> {
    const { term, logger } = this.opts;
    await ownedLoop({ name: 'finished runs (compaction, retention)', signal: term, intervalMs: compactionIntervalMs, logger }, async () => {
      const dropped = { runs: 0, tasks: 0, runIds: [] as string[] };
      for (let more = true; more && !term.aborted;) {
        more = await this.compactor.compactNext(this.engine.catalog.finishedRuns(), this.engine.catalog.finishedTasks) > 0;
        const some = this.engine.dropCompacted();
        dropped.runs += some.runs;
        dropped.tasks += some.tasks;
        dropped.runIds.push(...some.runIds.slice(0, 20 - dropped.runIds.length));
      }
      if (dropped.runs) logger.info(dropped, 'finished runs dropped from memory (their tasks are in the chunk store)');
      if (this.retention && !term.aborted) await this.deleteExpired(this.retention);
    });
  }

  private async deleteExpired(retention: RunRetention): Promise<void> {
    const deleted: string[] = [];
    try {
      for (;;) {
        const ids = await retention.deleteNext(this.engine.catalog.droppedRuns(), (id) => this.engine.catalog.forgetDropped(id));
        if (ids.length === 0 || this.opts.term.aborted) break;
        deleted.push(...ids);
      }
    } catch (err) {
      this.opts.logger.warn({ err: errorMessage(err) }, 'deleting runs past --retain failed; will try again');
    }
    if (deleted.length) this.opts.logger.info({ runs: deleted.length, runIds: deleted.slice(0, 20) }, 'finished runs past --retain deleted');
  }
}
