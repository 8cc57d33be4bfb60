/**
 * How each attempt of a task ends. A result or a failure is recorded durably before anything
 * acts on it: the task's record is written (an effect), and only its continuation settles the
 * task, acknowledges the agent and moves the flow on. A result is recorded once per (task,
 * attempt): stale attempts and duplicates are acknowledged and ignored, and `finishing` marks a
 * task whose report is being recorded. Lost and returned attempts go back to the queue without
 * counting against `retry.times`.
 */
import { attemptKey } from '../auth/attempt-grants.js';
import { errorMessage } from '../../core/errors.js';
import type { LogLine, TaskFinished__Output, TaskRef__Output } from '../../proto/types.js';
import type { AttemptRef } from '../dispatch/agent-events.js';
import type { StepTiming } from '../placement/types.js';
import type { ErrorInfo } from '../state/records.js';
import { advance, taskFailed } from './advancement.js';
import type { Continuation, ResultRead, SettledOutputs } from './effects.js';
import type { FlowCore } from './flow-core.js';
import { isTerminal, noGpus, withAttempt, type RunState, type TaskState } from './run-state.js';
import { setResultFields, taskRecord } from './task-records.js';

type Settle = Extract<Continuation, { kind: 'settle' }>;
type Retry = Extract<Continuation, { kind: 'retry' }>;
type RetryDue = Extract<Continuation, { kind: 'retryDue' }>;

/** The task, when the report was of its current attempt and it is now marked started. */
export function taskStarted(core: FlowCore, taskId: string, attempt: number, atMs: number): TaskState | undefined {
  const task = core.taskById(taskId);
  if (!task || task.attempt !== attempt || task.state !== 'running') return undefined;
  task.startedAtMs = atMs;
  core.notify(task.runId);
  return task;
}

/**
 * Whether a report of `ref` from `agentId` may be taken: the attempt is one this agent was given
 * (the task's current attempt on it, or one its attempt history records on it), or, while the
 * leader recovers after a failover, an attempt an earlier leader gave this agent (its signed
 * assignment shown when it registered) of a task that runs nowhere else. A task this leader does not know is let through:
 * every event ignores it. Anything else names another agent's attempt: refused.
 */
export function acceptsReport(core: FlowCore, agentId: string, ref: AttemptRef): boolean {
  const task = core.taskById(ref.task_id);
  if (!task) return true;
  if (task.agentId === agentId && task.attempt === ref.attempt) return true;
  if (task.attempts.some((a) => a.attempt === ref.attempt && a.agentId === agentId)) return true;
  // After a failover the new leader has no record of who was given an unfinished task: an
  // agent's result of one counts with the signed assignment its registration showed.
  if (!core.recovering || task.state === 'running') return false;
  return !core.grants || (core.granted.get(agentId)?.has(attemptKey(ref.task_id, ref.attempt)) ?? false);
}

export function taskLog(core: FlowCore, taskId: string, attempt: number, lines: readonly LogLine[]): void {
  const task = core.taskById(taskId);
  if (!task || task.attempt !== attempt) return;
  core.logs.append(taskId, lines);
}

/** A task finished on an agent: its outcome is recorded, then settled (see `settle`). */
export function taskFinished(core: FlowCore, agentId: string, ref: AttemptRef, finished: TaskFinished__Output): void {
  const task = core.taskById(ref.task_id);
  const run = task && core.runs.get(task.runId);
  if (!task || !run || run.record.state !== 'running' || isTerminal(task.state) || task.finishing) {
    core.emit({ kind: 'ack', agentId, ref });
    return;
  }
  const current = task.state === 'running' && task.agentId === agentId && task.attempt === ref.attempt;
  if (!current && !takeLateResult(core, run, task, agentId, ref.attempt, finished.ok)) {
    core.emit({ kind: 'ack', agentId, ref });
    return;
  }
  const startedAtMs = Number(finished.started_at_ms);
  const finishedAtMs = Number(finished.finished_at_ms);
  const runMs = Number(finished.run_ms) || (startedAtMs > 0 && finishedAtMs >= startedAtMs ? finishedAtMs - startedAtMs : undefined);
  if (runMs !== undefined) learnRunTime(run.steps.get(task.step)!.timing, runMs);
  task.startedAtMs ||= startedAtMs || task.assignedAtMs || core.now();
  // Built field by field, not by spreads: this runs once per finished task.
  const out: SettledOutputs = { finishedAtMs: finishedAtMs || core.now() };
  if (finished.result_object) out.resultObject = finished.result_object;
  if (finished.artifacts.length) out.artifacts = finished.artifacts.map((a) => ({ name: a.name, objectId: a.object_id, sizeBytes: Number(a.size_bytes) }));
  if (finished.log_object) out.logObject = finished.log_object;
  if (!finished.ok) {
    attemptFailed(core, run, task, errorInfo(finished.error), agentId, out);
    return;
  }
  out.result = run.results.keep(finished.result); // kept in memory with the task
  if (out.resultObject) {
    task.finishing = true; // duplicates of this report are ignored while the result is read
    core.emit({ kind: 'readResult', objectId: out.resultObject, then: { kind: 'resultRead', run, task, agentId, out } });
    return;
  }
  recordEnd(core, run, task, 'succeeded', out, agentId);
}

/** The result object of a finished report was read: the task's end is recorded with it. */
export function resultRead(core: FlowCore, c: ResultRead): void {
  c.task.finishing = false;
  c.out.result = c.bytes;
  recordEnd(core, c.run, c.task, 'succeeded', c.out, c.agentId);
}

/** An effect failed: a result that cannot be read fails its attempt; a record not written leaves the task as it was. */
export function failed(core: FlowCore, c: Continuation, err: unknown): void {
  if (c.kind === 'retryDue') return;
  c.task.finishing = false;
  if (c.kind === 'resultRead') {
    const error = { code: 'CORRUPT', message: `the result object ${c.out.resultObject} cannot be read: ${errorMessage(err)}` };
    attemptFailed(core, c.run, c.task, error, c.agentId, c.out);
    return;
  }
  // Not acknowledged: the agent reports the attempt again when it reconnects (to this leader or the next).
  core.logger.error({ err: errorMessage(err), taskId: c.task.id, attempt: c.task.attempt }, 'recording a finished task failed; the agent will resend it');
}

/**
 * A result of an attempt that is not the task's current one: given by an earlier leader and
 * reported as its agent registered after a failover or an etcd outage, or given up on by this
 * one (its agent was lost, or its stream broke) and finished after all. It is recorded, not
 * discarded and run again: a success is the task's result, and whatever else of the task is
 * queued, waiting to retry or running stops; a failure counts only for a task not yet queued
 * again (otherwise the attempt under way decides). Returns whether the report is taken; the
 * task is then running `attempt` on `agentId`.
 */
function takeLateResult(core: FlowCore, run: RunState, task: TaskState, agentId: string, attempt: number, ok: boolean): boolean {
  if (task.attempts.some((a) => a.attempt === attempt && a.agentId === agentId && !a.lost)) return false; // recorded already
  if (!ok && task.state !== 'pending') return false;
  core.logger.info({ taskId: task.id, attempt, agentId, ok, was: task.state }, 'result of an earlier attempt recorded');
  if (task.state === 'queued') {
    core.placer.dequeue(task.id);
  } else if (task.state === 'retrying') {
    core.emit({ kind: 'clearTimer', key: task.id });
  } else if (task.state === 'running') {
    const why = `attempt ${attempt} on agent ${agentId} finished first`;
    core.emit({ kind: 'cancel', agentId: task.agentId!, ref: { task_id: task.id, attempt: task.attempt }, reason: why });
    core.placer.release(task.id);
    task.attempts = withAttempt(task.attempts, core.attemptRecord(task, { code: 'CANCELLED', message: why }, true));
  }
  // Recorded as lost when its agent went away, it was not lost after all: it ends once, as reported now.
  task.attempts = task.attempts.filter((a) => !(a.attempt === attempt && a.lost));
  core.transition(run, task, 'pending');
  core.startOn(run, task, agentId, noGpus);
  task.attempt = attempt;
  task.startedAtMs = undefined;
  return true;
}

/** The attempt failed: it is retried after a back-off while `retry.times` allows, else the task fails. */
export function attemptFailed(core: FlowCore, run: RunState, task: TaskState, error: ErrorInfo, agentId: string, stored: Omit<SettledOutputs, 'finishedAtMs'> = {}): void {
  const step = run.steps.get(task.step)!.spec;
  const failures = task.attempts.filter((a) => !a.lost).length + 1;
  if (failures > step.retry.times || error.code === 'CANCELLED') {
    const out: SettledOutputs = { error, finishedAtMs: core.now() };
    if (stored.resultObject) out.resultObject = stored.resultObject;
    if (stored.artifacts) out.artifacts = stored.artifacts;
    if (stored.logObject) out.logObject = stored.logObject;
    recordEnd(core, run, task, 'failed', out, agentId);
    return;
  }
  const attempt = core.attemptRecord(task, error, false, core.now(), stored.logObject);
  const record = taskRecord(task, withAttempt(task.attempts, attempt));
  const backoffMs = Math.min(step.retry.maxBackoffMs, step.retry.backoffMs * 2 ** (failures - 1));
  task.finishing = true;
  core.emit({ kind: 'writeTask', record, then: { kind: 'retry', run, task, record, agentId, backoffMs, error } });
}

/** A failed attempt is recorded: the task waits out its back-off, then is queued again. */
export function retryRecorded(core: FlowCore, c: Retry): void {
  const { run, task, agentId } = c;
  task.finishing = false;
  const ref = { task_id: task.id, attempt: task.attempt };
  if (task.state !== 'running') {
    // Its run ended while the attempt was being recorded.
    core.emit({ kind: 'ack', agentId, ref });
    return;
  }
  task.attempts = c.record.attempts;
  core.placer.release(ref.task_id);
  core.emit({ kind: 'ack', agentId, ref });
  core.logs.append(ref.task_id, [{ at_ms: core.now(), stream: 'log', text: `[clusterd] attempt ${task.attempt} failed: ${c.error.message}; retrying in ${c.backoffMs} ms` }]);
  core.transition(run, task, 'retrying');
  core.emit({ kind: 'timer', key: ref.task_id, delayMs: c.backoffMs, then: { kind: 'retryDue', run, task } });
  core.notify(run.record.id);
  core.schedulePass();
}

export function retryDue(core: FlowCore, { run, task }: RetryDue): void {
  if (task.state !== 'retrying' || run.record.state !== 'running') return;
  core.queue(task);
  core.schedulePass();
}

/** Writes a task's end; `settle` follows once it is committed. */
function recordEnd(core: FlowCore, run: RunState, task: TaskState, state: 'succeeded' | 'failed', out: SettledOutputs, agentId: string): void {
  const step = run.steps.get(task.step)!.spec;
  const attempts = withAttempt(task.attempts, core.attemptRecord(task, out.error, false, out.finishedAtMs, out.logObject));
  const record = taskRecord(task, attempts, state, state === 'failed' && step.catch);
  setResultFields(record, out);
  if (out.error) record.error = out.error;
  task.finishing = true;
  core.emit({ kind: 'writeTask', record, then: { kind: 'settle', run, task, record, out, agentId } });
}

/** A task's end is durable: it settles, the flow moves on, and the agent is acknowledged. */
export function settle(core: FlowCore, { run, task, record, out, agentId }: Settle): void {
  const state = record.state!;
  task.finishing = false;
  task.attempts = record.attempts;
  task.caught = record.caught ?? false;
  const id = task.id; // a finished task makes its id anew each time it is asked
  core.transition(run, task, state);
  task.finishedAtMs = out.finishedAtMs;
  if (out.result) task.result = out.result;
  if (out.resultObject) task.resultObject = out.resultObject;
  if (out.artifacts) task.artifacts = out.artifacts;
  if (out.error) task.error = out.error;
  core.placer.release(id);
  core.logs.end(id);
  // The whole log is in the store now (clusterctl logs reads it from there): free the buffer.
  if (out.logObject) core.logs.forget(id);
  // The flow moves on before the agent's ack: a run that ends here has its final status
  // written first, so it leaves ahead of the ack.
  if (state === 'failed' && !task.caught) taskFailed(core, run, task, out.error);
  else advance(core, run, task);
  core.emit({ kind: 'ack', agentId, ref: { task_id: id, attempt: task.attempt } });
}

/**
 * An agent is gone: its running tasks go back to the queue, as lost, not failed; a task lost
 * with its agent `maxLostAttempts` times fails as LOST_AGENTS (it may be what kills them).
 */
export function agentLost(core: FlowCore, agentId: string): void {
  core.placer.removeAgent(agentId);
  for (const task of [...(core.runningOn.get(agentId) ?? [])]) {
    if (task.finishing) continue;
    const lostBefore = task.attempts.filter((a) => a.error?.code === 'LOST');
    if (lostBefore.length + 1 >= core.maxLostAttempts) {
      const agents = [...new Set([...lostBefore.map((a) => a.agentId), agentId])].join(', ');
      const error = { code: 'LOST_AGENTS', message: `its agent was lost on ${lostBefore.length + 1} attempts (agents ${agents}): the task may be what kills them` };
      core.logger.warn({ taskId: task.id, attempt: task.attempt, agentId, agents }, 'task lost with its agent too often; failed');
      const run = core.runs.get(task.runId)!;
      recordEnd(core, run, task, 'failed', { error, finishedAtMs: core.now() }, agentId);
      continue;
    }
    core.logger.warn({ taskId: task.id, attempt: task.attempt, agentId }, 'task lost with its agent; re-queued');
    requeueLost(core, task, { code: 'LOST', message: `agent ${agentId} was lost` }, `lost with agent ${agentId}`);
  }
  core.schedulePass();
}

/**
 * An agent that is shutting down gave these attempts back unfinished (not started, or stopped
 * at its drain deadline): they go back to the queue at once, as lost, not failed. A ref that
 * is not this agent's current attempt any more (it finished, or was re-queued) is ignored.
 */
export function tasksReturned(core: FlowCore, agentId: string, refs: readonly TaskRef__Output[]): void {
  for (const ref of refs) {
    const task = heldAttempt(core, agentId, ref);
    if (!task) continue;
    core.placer.release(task.id);
    requeueLost(core, task, { code: 'RETURNED', message: `agent ${agentId} gave it back as it shut down` }, `given back by agent ${agentId} as it shut down`);
  }
  core.schedulePass();
}

/**
 * The agent gave back an attempt it had not started (it waited in the agent's queue): it is
 * queued again with the same attempt number, as nothing ran.
 */
export function taskReturned(core: FlowCore, agentId: string, ref: AttemptRef): void {
  const task = heldAttempt(core, agentId, ref);
  if (!task) return;
  core.placer.release(task.id);
  core.queue(task);
  core.schedulePass();
}

/** The task of `ref`, if that attempt is the one `agentId` holds now and no report of it is being recorded. */
function heldAttempt(core: FlowCore, agentId: string, ref: AttemptRef): TaskState | undefined {
  const task = core.taskById(ref.task_id);
  if (!task || task.state !== 'running' || task.agentId !== agentId || task.attempt !== ref.attempt || task.finishing) return undefined;
  return task;
}

function requeueLost(core: FlowCore, task: TaskState, error: ErrorInfo, why: string): void {
  task.attempts = withAttempt(task.attempts, core.attemptRecord(task, error, true));
  core.logs.append(task.id, [{ at_ms: core.now(), stream: 'log', text: `[clusterd] attempt ${task.attempt} ${why}; re-queued` }]);
  core.queue(task);
}

/** A finished task's run time into its step's moving average (the last ~5 count most). */
function learnRunTime(timing: StepTiming, ms: number): void {
  timing.runMs = timing.runMs === undefined ? ms : timing.runMs * 0.8 + ms * 0.2;
}

function errorInfo(error: TaskFinished__Output['error']): ErrorInfo {
  return {
    code: error?.code || 'TASK_FAILED',
    message: error?.message || 'the task failed without a message',
    ...(error?.stack ? { stack: error.stack } : {}),
  };
}
