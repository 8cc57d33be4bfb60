/**
 * Cron schedules: periodic runs of a job. Schedules live in the state store; only the leader
 * fires them. A tick's run and the schedule's `lastTickMs` are written in one commit, so each
 * tick fires once, even across a leader change; ticks missed while no leader ran fire once,
 * not once per missed tick (the latest due tick is the one that fires).
 */
import { CronExpressionParser } from 'cron-parser';
import { ClusterError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { compileJob } from '../../core/job-spec.js';
import { keys, putRecord, type ScheduleRecord } from '../state/records.js';
import type { WriteOp } from '../state/state-store.js';
import type { FlowEngine } from './engine.js';

/** The latest tick of `cron` at or before `nowMs` that has not fired, or null. */
export function dueTick(cron: string, record: Pick<ScheduleRecord, 'createdAtMs' | 'lastTickMs'>, nowMs: number): number | null {
  const tick = CronExpressionParser.parse(cron, { currentDate: new Date(nowMs + 1), tz: 'UTC' }).prev().getTime();
  return tick > record.lastTickMs && tick >= record.createdAtMs ? tick : null;
}

export function nextTick(cron: string, nowMs: number): number {
  return CronExpressionParser.parse(cron, { currentDate: new Date(nowMs), tz: 'UTC' }).next().getTime();
}

export function checkCron(cron: string): void {
  try {
    CronExpressionParser.parse(cron, { strict: false });
  } catch (err) {
    throw new ClusterError('INVALID_ARGUMENT', `--cron "${cron}": ${(err as Error).message}; use 5 fields (minute hour day month weekday) or 6 with seconds first`);
  }
  if (cron.trim().split(/\s+/).length < 5) throw new ClusterError('INVALID_ARGUMENT', `--cron "${cron}": use 5 fields (minute hour day month weekday) or 6 with seconds first`);
}

export class CronSchedules {
  private readonly schedules = new Map<string, ScheduleRecord>();
  private firing = false;

  constructor(
    private readonly engine: FlowEngine,
    private readonly persist: (ops: WriteOp[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  load(records: Iterable<ScheduleRecord>): void {
    for (const r of records) this.schedules.set(r.name, r);
  }

  async add(input: Omit<ScheduleRecord, 'createdAtMs' | 'lastTickMs' | 'lastRunId'>): Promise<ScheduleRecord> {
    if (!/^[A-Za-z0-9][\w.-]{0,62}$/.test(input.name)) throw new ClusterError('INVALID_ARGUMENT', `schedule name "${input.name}": use letters, digits, "_", "." and "-"`);
    if (this.schedules.has(input.name)) throw new ClusterError('INVALID_ARGUMENT', `a schedule named "${input.name}" exists; remove it first`);
    checkCron(input.cron);
    compileJob(input.job, input.source || 'scheduled job');
    const record: ScheduleRecord = { ...input, createdAtMs: this.now(), lastTickMs: 0, lastRunId: '' };
    await this.persist([putRecord(keys.schedule(record.name), record)]);
    this.schedules.set(record.name, record);
    this.logger.info({ schedule: record.name, cron: record.cron }, 'schedule added');
    return record;
  }

  async remove(name: string): Promise<ScheduleRecord> {
    const record = this.schedules.get(name);
    if (!record) throw new ClusterError('NOT_FOUND', `no schedule "${name}"`);
    await this.persist([{ op: 'delete', key: keys.schedule(name) }]);
    this.schedules.delete(name);
    return record;
  }

  list(): ScheduleRecord[] {
    return [...this.schedules.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Fires every schedule with a due tick; called by the leader's maintenance loop. */
  async fire(): Promise<void> {
    if (this.firing) return;
    this.firing = true;
    try {
      const now = this.now();
      for (const record of [...this.schedules.values()]) {
        const tick = dueTick(record.cron, record, now);
        if (tick === null) continue;
        const next: ScheduleRecord = { ...record, lastTickMs: tick };
        try {
          const runId = await this.engine.submit(
            { job: record.job, params: record.params, codeDir: record.codeDir, codePackage: record.codePackage, ...(record.codeDigest ? { codeDigest: record.codeDigest } : {}), source: record.source },
            undefined,
            (id) => [putRecord(keys.schedule(record.name), { ...next, lastRunId: id })],
          );
          if (this.schedules.get(record.name) === record) this.schedules.set(record.name, { ...next, lastRunId: runId });
          this.logger.info({ schedule: record.name, tick: new Date(tick).toISOString(), runId }, 'schedule fired');
        } catch (err) {
          this.logger.warn({ schedule: record.name, err: (err as Error).message }, 'schedule could not fire; trying at the next tick');
          this.schedules.set(record.name, next);
        }
      }
    } finally {
      this.firing = false;
    }
  }
}
