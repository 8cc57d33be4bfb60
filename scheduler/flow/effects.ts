/**
 * What the flow core (flow-core.ts) asks of the world. The core decides and never acts: it
 * writes nothing, sends nothing, reads no object and sets no timer. Each event it handles leaves
 * effects in its outbox, in the order they must happen, and the EffectRunner (effect-runner.ts)
 * applies them. What must follow an effect (a task settles once its record is committed, a
 * retry is queued when its back-off is over) is a `Continuation`: data the runner hands back to
 * the core (`FlowCore.resume`) when the effect is done, or to `FlowCore.failed` when it is not.
 */
import type { TaskAssignment } from '../../proto/types.js';
import type { AttemptRef } from '../dispatch/agent-events.js';
import type { ArtifactRef, ErrorInfo, RunRecord, TaskRecord } from '../state/records.js';
import type { StepShared } from './assignment.js';
import type { RunState, TaskState } from './run-state.js';

export type Effect =
  /** A task record into its run's segment log (task-record-log.ts); `then` once it is committed. */
  | { kind: 'writeTask'; record: TaskRecord; then?: Continuation }
  /** A run record, written as it ends (the submit's first write is the caller's, awaited). */
  | { kind: 'writeRun'; record: RunRecord }
  | { kind: 'assign'; agentId: string; step: StepShared; task: TaskAssignment }
  | { kind: 'cancel'; agentId: string; ref: AttemptRef; reason: string }
  | { kind: 'ack'; agentId: string; ref: AttemptRef }
  /** Asks the agent to give these attempts back if it has not started them (placement/prefetch.ts). */
  | { kind: 'revoke'; agentId: string; refs: AttemptRef[] }
  /** Sends what is queued for agents now rather than at the end of this turn of the event loop. */
  | { kind: 'flush' }
  /** The run changed: its watchers are told. */
  | { kind: 'notify'; runId: string }
  /** `then` after `delayMs`, unless a `clearTimer` of the same key comes first. */
  | { kind: 'timer'; key: string; delayMs: number; then: Continuation }
  | { kind: 'clearTimer'; key: string }
  /** Work the core does in a later turn of the event loop, once however often it is asked for. */
  | { kind: 'soon'; work: 'place' | 'expand' }
  /** A result too big to travel inline, read from the chunk store for `then`. */
  | { kind: 'readResult'; objectId: string; then: ResultRead };

/** How an attempt ended, as the core records it once it is durable. */
export interface SettledOutputs {
  result?: Uint8Array;
  resultObject?: string;
  artifacts?: ArtifactRef[];
  logObject?: string;
  error?: ErrorInfo;
  finishedAtMs: number;
}

/** A finished report whose result is being read back from the chunk store. */
export interface ResultRead {
  kind: 'resultRead';
  run: RunState;
  task: TaskState;
  agentId: string;
  out: SettledOutputs;
  /** Set by the runner: the bytes read. */
  bytes?: Uint8Array;
}

export type Continuation =
  /** The task's final record is committed: it settles (succeeded or failed), is acked, and the flow goes on. */
  | { kind: 'settle'; run: RunState; task: TaskState; record: TaskRecord; out: SettledOutputs; agentId: string }
  /** A failed attempt that will be retried is recorded: it waits out its back-off. */
  | { kind: 'retry'; run: RunState; task: TaskState; record: TaskRecord; agentId: string; backoffMs: number; error: ErrorInfo }
  /** A retry's back-off is over. */
  | { kind: 'retryDue'; run: RunState; task: TaskState }
  | ResultRead;

/** Shared, as they carry nothing: a pass is asked for after almost every event. */
export const placeSoon: Effect = Object.freeze({ kind: 'soon', work: 'place' });
export const expandSoon: Effect = Object.freeze({ kind: 'soon', work: 'expand' });
export const flushNow: Effect = Object.freeze({ kind: 'flush' });
