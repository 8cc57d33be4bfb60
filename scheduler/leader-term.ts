/**
 * LeaderTerm: everything a replica runs while it leads, for one term. Built on `elected` with
 * the term's fence, torn down when the term's signal fires: every write goes through a group
 * committer guarded by the fence, so a deposed leader's writes fail with LEASE_LOST.
 *
 *   elected ─▶ load runs and schedules ─▶ recovery window (agents report) ─▶ scheduling
 *   term signal ─▶ agents told to go elsewhere ─▶ loops stopped ─▶ committer closed
 */
import { sleep } from '../core/abortable.js';
import { ClusterError, errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { AgentRegistry } from './dispatch/agent-registry.js';
import { CronSchedules } from './flow/cron.js';
import { FlowEngine, type ObjectReader } from './flow/engine.js';
import { Placer } from './placement/placer.js';
import { GroupCommitter } from './state/group-committer.js';
import { decodeRecord, keys, type RunRecord, type ScheduleRecord, type TaskRecord } from './state/records.js';
import type { Fence, StateStore } from './state/state-store.js';

export interface LeaderTermOptions {
  store: StateStore;
  fence: Fence;
  term: AbortSignal;
  schedulerId: string;
  logger: Logger;
  agentTtlMs: number;
  heartbeatIntervalMs: number;
  /** After loading unfinished runs, how long agents get to report what they run. */
  recoveryWindowMs: number;
  objects: ObjectReader;
}

const maintenanceIntervalMs = 500;

export class LeaderTerm {
  /** Bounded passes keep the event loop answering while a huge queue drains. */
  readonly placer = new Placer({ maxPlacementsPerPass: 5_000 });
  readonly registry: AgentRegistry;
  readonly engine: FlowEngine;
  readonly schedules: CronSchedules;
  private readonly committer: GroupCommitter;
  private loop: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: LeaderTermOptions) {
    this.committer = new GroupCommitter({ store: opts.store, fence: opts.fence });
    const persist = (ops: Parameters<GroupCommitter['write']>[0]) => this.committer.write(ops);
    this.registry = new AgentRegistry({
      placer: this.placer,
      logger: opts.logger.child({ component: 'agents' }),
      agentTtlMs: opts.agentTtlMs,
      heartbeatIntervalMs: opts.heartbeatIntervalMs,
      schedulerId: opts.schedulerId,
    });
    this.engine = new FlowEngine({ placer: this.placer, persist, objects: opts.objects, dispatcher: this.registry, logger: opts.logger.child({ component: 'flow' }) });
    this.registry.bind(this.engine);
    this.schedules = new CronSchedules(this.engine, persist, opts.logger.child({ component: 'cron' }));
  }

  /** Loads the durable state; unfinished runs wait for agents to report before re-queueing. */
  async start(): Promise<void> {
    const { store, logger } = this.opts;
    this.schedules.load((await store.list(keys.schedules)).map(([, v]) => decodeRecord<ScheduleRecord>(v)));
    const runs = (await store.list(keys.runs)).map(([, v]) => decodeRecord<RunRecord>(v)).sort((a, b) => a.seq - b.seq);
    const tasks = new Map<string, TaskRecord[]>();
    for (const [, v] of await store.list('tasks/')) {
      const t = decodeRecord<TaskRecord>(v);
      tasks.set(t.runId, [...(tasks.get(t.runId) ?? []), t]);
    }
    // Unfinished runs, and the runs they resume, need their results in memory as later inputs.
    const needResults = new Set(runs.filter((r) => r.state === 'running').flatMap((r) => [r.id, r.resumedFrom ?? '']));
    let unfinished = 0;
    for (const record of runs) {
      try {
        if (needResults.has(record.id)) await this.loadResults(tasks.get(record.id) ?? []);
        this.engine.restore(record, tasks.get(record.id) ?? []);
        if (record.state === 'running') unfinished++;
      } catch (err) {
        logger.error({ runId: record.id, err: errorMessage(err) }, 'cannot restore run; skipped');
      }
    }
    if (unfinished > 0) {
      logger.info({ runs: runs.length, unfinished, windowMs: this.opts.recoveryWindowMs }, 'recovering: waiting for agents to report');
      this.engine.setRecovering(true);
    }
    this.loop = this.maintain(unfinished > 0).catch((err) => logger.error({ err }, 'leader maintenance loop failed'));
  }

  /** Results kept only as objects are read back, to be later steps' inputs. */
  private async loadResults(records: TaskRecord[]): Promise<void> {
    await Promise.all(records.map(async (r) => {
      if (r.resultObject && !r.result) r.result = await this.opts.objects.read(r.resultObject);
    }));
  }

  /** Idempotent: ends agent streams (they reconnect to the next leader), stops loops, fails pending writes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.registry.closeAll(new ClusterError('NOT_LEADER', 'this scheduler no longer leads; reconnect to the leader'));
      this.engine.close();
      await this.loop;
      await this.committer.close().catch((err) => this.opts.logger.warn({ err: errorMessage(err) }, 'closing the committer'));
    })();
    return this.closing;
  }

  private async maintain(recovering: boolean): Promise<void> {
    const { term } = this.opts;
    if (recovering) {
      await sleep(this.opts.recoveryWindowMs, term);
      if (term.aborted) return;
      this.engine.setRecovering(false);
      this.opts.logger.info('recovery window over; unreported tasks re-queued');
    }
    while (!term.aborted) {
      await sleep(maintenanceIntervalMs, term);
      if (term.aborted) return;
      this.registry.sweep();
      this.engine.sweepTimeouts();
      await this.schedules.fire();
    }
  }
}
