/**
 * EffectRunner: the one place the flow core's decisions (effects.ts) meet the world. `run()`
 * applies what is in the core's outbox, in order, right after each event: records to the state
 * store, assignments, cancels, acks and revocations to the agents' outboxes, run changes to
 * watchers, timers, object reads, and the passes the core asked to make on a later turn. When
 * a write or a read completes, its continuation goes back to the core and what that leaves is
 * applied in turn.
 *
 * Every failure is caught here: an effect that throws is logged and the rest still run; a write
 * that fails hands its continuation to `FlowCore.failed`. A write refused with LEASE_LOST means
 * this replica's term is over: the leader term's persist ends the term on it (leader-term.ts),
 * and the runner, closed with the term, drops what would follow.
 */
import { errorCode, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { TaskAssignment } from '../../proto/types.js';
import type { AttemptRef } from '../dispatch/agent-events.js';
import { schedulerMetrics } from '../metrics.js';
import { keys, putRecord } from '../state/records.js';
import type { WriteOp } from '../state/state-store.js';
import type { StepShared } from './assignment.js';
import type { Continuation, Effect } from './effects.js';
import type { FlowCore } from './flow-core.js';
import { taskId } from './run-state.js';
import type { TaskRecordLog } from './task-record-log.js';

/** Where assignments and their answers go: the agent registry's outboxes, sent once per turn. */
export interface Dispatcher {
  /** One task's attempt for an agent; `step` is the same object for every task of its step. */
  assign(agentId: string, step: StepShared, task: TaskAssignment): void;
  cancel(agentId: string, ref: AttemptRef, reason: string): void;
  ack(agentId: string, ref: AttemptRef): void;
  /** Asks the agent to give these attempts back if it has not started them (see placement/prefetch.ts). */
  revoke(agentId: string, refs: AttemptRef[]): void;
  /** Sends what is queued now rather than at the end of this turn of the event loop. */
  flush(): void;
}

/** Reads chunk store objects: results too big to travel inline. */
export interface ObjectReader {
  read(objectId: string): Promise<Uint8Array>;
}

export interface EffectRunnerOptions {
  core: FlowCore;
  dispatcher: Dispatcher;
  records: TaskRecordLog;
  persist: (ops: WriteOp[]) => Promise<void>;
  objects: ObjectReader;
  logger: Logger;
}

export class EffectRunner {
  private readonly core: FlowCore;
  private applying = false;
  private closed = false;
  private readonly scheduled = new Set<'place' | 'expand'>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Final run records being written, by run id: a cancel waits for its run's. */
  private readonly runWrites = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(runId: string) => void>();

  constructor(private readonly opts: EffectRunnerOptions) {
    this.core = opts.core;
  }

  onRunChanged(listener: (runId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies the core's outbox. Effects left while it runs (a listener's event) are applied by the same call. */
  run(): void {
    if (this.applying) return;
    this.applying = true;
    const outbox = this.core.outbox;
    try {
      for (let i = 0; i < outbox.length; i++) {
        try {
          this.apply(outbox[i]!);
        } catch (err) {
          this.opts.logger.error({ err: errorMessage(err), effect: outbox[i]!.kind }, 'applying a flow effect failed; going on with the rest');
        }
      }
    } finally {
      outbox.length = 0;
      this.applying = false;
    }
  }

  /** Resolves when the run's final record, if one is being written, is committed (or rejects with why not). */
  runWritten(runId: string): Promise<void> {
    return this.runWrites.get(runId) ?? Promise.resolve();
  }

  /** The term is over: timers stop and what writes and reads still in flight would continue is dropped. */
  close(): void {
    this.closed = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private apply(effect: Effect): void {
    const { dispatcher } = this.opts;
    switch (effect.kind) {
      case 'assign':
        schedulerMetrics.tasksAssigned.inc();
        return dispatcher.assign(effect.agentId, effect.step, effect.task);
      case 'ack': return dispatcher.ack(effect.agentId, effect.ref);
      case 'cancel': return dispatcher.cancel(effect.agentId, effect.ref, effect.reason);
      case 'revoke': return dispatcher.revoke(effect.agentId, effect.refs);
      case 'flush': return dispatcher.flush();
      case 'notify':
        for (const listener of this.listeners) listener(effect.runId);
        return;
      case 'writeTask': {
        const { then, record } = effect;
        this.opts.records.write(record, (err) => {
          if (then) {
            if (err === undefined) this.continueWith(then);
            else this.failWith(then, err);
          } else if (err !== undefined) {
            this.writeFailed(err, { taskId: taskId(record.runId, record.step, record.index) }, 'recording a reused result failed; it is reused again on recovery');
          }
        });
        return;
      }
      case 'writeRun': {
        const runId = effect.record.id;
        const written = this.opts.persist([putRecord(keys.run(runId), effect.record)]);
        this.runWrites.set(runId, written);
        written.then(
          () => this.runWrites.delete(runId),
          (err: unknown) => {
            this.runWrites.delete(runId);
            this.writeFailed(err, { runId, state: effect.record.state }, 'recording the end of a run failed');
          },
        );
        return;
      }
      case 'readResult': {
        const { then } = effect;
        this.opts.objects.read(effect.objectId).then((bytes) => {
          then.bytes = bytes;
          this.continueWith(then);
        }, (err: unknown) => this.failWith(then, err));
        return;
      }
      case 'timer': {
        clearTimeout(this.timers.get(effect.key));
        const { key, then } = effect;
        this.timers.set(key, setTimeout(() => {
          this.timers.delete(key);
          this.continueWith(then);
        }, effect.delayMs));
        return;
      }
      case 'clearTimer':
        clearTimeout(this.timers.get(effect.key));
        this.timers.delete(effect.key);
        return;
      case 'soon': return this.soon(effect.work);
    }
  }

  /** The core's `place` or `expand` on a later turn of the event loop, once however often it is asked for. */
  private soon(work: 'place' | 'expand'): void {
    if (this.scheduled.has(work)) return;
    this.scheduled.add(work);
    setImmediate(() => {
      this.scheduled.delete(work);
      this.event(work === 'place' ? () => this.timedPass() : () => this.core.expandMore());
    });
  }

  private timedPass(): void {
    const done = schedulerMetrics.placementPassSeconds.startTimer();
    try {
      this.core.placeQueued();
    } finally {
      done();
    }
  }

  private continueWith(c: Continuation): void {
    countEndedAttempt(c);
    this.event(() => this.core.resume(c));
  }

  private failWith(c: Continuation, err: unknown): void {
    this.event(() => this.core.failed(c, err));
  }

  /** An event of the runner's own (a continuation, a pass it was asked for), handled and applied. */
  private event(handle: () => void): void {
    if (this.closed) return;
    try {
      handle();
    } catch (err) {
      this.opts.logger.error({ err }, 'the flow core failed handling an event');
    }
    this.run();
  }

  private writeFailed(err: unknown, fields: Record<string, unknown>, what: string): void {
    // LEASE_LOST: the term is ending (leader-term.ts); the next leader finds the run or task as it was stored and carries on.
    if (errorCode(err) === 'LEASE_LOST') this.opts.logger.warn({ ...fields, err: errorMessage(err) }, `${what}: this replica no longer leads`);
    else this.opts.logger.error({ ...fields, err: errorMessage(err) }, what);
  }
}

/**
 * An attempt whose end is now durable, in the metrics: how it ended and why, and how long a
 * succeeded one ran (both its times are the agent's; a failure's end may be the scheduler's).
 */
function countEndedAttempt(c: Continuation): void {
  if (c.kind !== 'settle' && c.kind !== 'retry') return;
  const outcome = c.kind === 'retry' ? 'retried' : c.record.state ?? 'failed';
  const error = c.kind === 'retry' ? c.error : c.record.error;
  schedulerMetrics.attemptsFinished.inc({ outcome, reason: error?.code ?? '' });
  const attempt = c.record.attempts.at(-1);
  if (outcome === 'succeeded' && attempt && attempt.startedAtMs > 0 && attempt.finishedAtMs >= attempt.startedAtMs) {
    schedulerMetrics.attemptSeconds.observe((attempt.finishedAtMs - attempt.startedAtMs) / 1000);
  }
}
