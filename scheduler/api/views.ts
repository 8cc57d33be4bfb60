// The engine's runs as the wire's RunStatus, with why each queued task waits. A status lists
// some of a run's tasks (TaskPage in cluster.proto), so it stays small however big the run.
import { decodeValue } from '../../core/codec.js';
import { invalid } from '../../core/errors.js';
import { formatBytes, formatCpu } from '../../core/units.js';
import type { AttemptStatus, RunStatus, StepStatus, TaskPage__Output, TaskStatus } from '../../proto/types.js';
import { itemOf, stepSummaries, taskCount, type RunState, type RunSummary, type TaskState } from '../flow/run-state.js';
import type { WaitReason } from '../placement/types.js';
import type { RunRecord, StepSummary } from '../state/records.js';

/** Which tasks a status lists: see TaskPage. `null`: counts per step only. */
export type TaskView = Partial<TaskPage__Output> | null;

/** A run of up to this many tasks is listed whole by default. */
export const listedWholeMaxTasks = 2_000;
/** Of a bigger run, each step's first tasks, and failed ones up to a bound. */
const firstTasksListed = 10;
const failedTasksListed = 100;
/** Tasks per step a view with a state or step but no limit lists. */
const pageTasks = 100;

export function runStatus(run: RunState, why: (taskId: string) => WaitReason | undefined, view: TaskView = {}): RunStatus {
  const select = taskSelector(run, view);
  const steps = stepSummaries(run).map((s) => stepStatus(s, select(s.name, run.steps.get(s.name)!.tasks ?? []).map((t) => taskStatus(run, t, why))));
  return envelope(run.record, run.job.name, run.job.project, steps);
}

/** The tasks of each step the view lists. */
function taskSelector(run: RunState, view: TaskView): (step: string, tasks: readonly TaskState[]) => readonly TaskState[] {
  if (view === null || view.none) return () => [];
  if (view.step && !run.steps.has(view.step)) throw invalid(`--step ${view.step}: run ${run.record.id} has no such step (steps: ${run.order.join(', ')})`);
  const filtered = Boolean(view.state || view.step);
  const limit = view.all ? Infinity : view.limit || (filtered ? pageTasks : 0);
  if (limit === 0) {
    if (taskCount(run) <= listedWholeMaxTasks) return (_step, tasks) => tasks;
    return (_step, tasks) => firstAndFailed(tasks);
  }
  const from = limit === Infinity ? 0 : Math.max(0, view.page ?? 0) * limit;
  return (step, tasks) => {
    if (view.step && step !== view.step) return [];
    const matching = view.state ? tasks.filter((t) => t.state === view.state) : tasks;
    return matching.slice(from, from + limit);
  };
}

/** A step's first tasks, then its failed ones after those, up to a bound. */
function firstAndFailed(tasks: readonly TaskState[]): TaskState[] {
  const listed = tasks.slice(0, firstTasksListed);
  for (let i = firstTasksListed, failed = 0; i < tasks.length && failed < failedTasksListed; i++) {
    if (tasks[i]!.state !== 'failed') continue;
    listed.push(tasks[i]!);
    failed++;
  }
  return listed;
}

/** A finished run dropped from the leader's memory: counts per step, no tasks. */
export function summaryStatus(run: RunSummary): RunStatus {
  return envelope(run.record, run.name, run.project, run.steps.map((s) => stepStatus(s, [])));
}

function envelope(record: RunRecord, name: string, project: string, steps: StepStatus[]): RunStatus {
  return {
    run_id: record.id,
    name,
    project,
    state: record.state,
    created_at_ms: record.createdAtMs,
    finished_at_ms: record.finishedAtMs ?? 0,
    steps,
    error: record.error ?? null,
    source: record.source,
    resumed_from: record.resumedFrom ?? '',
    code_digest: record.codeDigest ?? '',
    resume_ignored_code: record.resumeIgnoresCode ?? false,
  };
}

function stepStatus(s: StepSummary, tasks: TaskStatus[]): StepStatus {
  const { name, state, total, succeeded, failed, running, cancelled } = s;
  return { name, state, tasks, total, succeeded, failed, running, waiting: total - succeeded - failed - running - cancelled, reused: s.reused ?? 0 };
}

function taskStatus(run: RunState, t: TaskState, why: (taskId: string) => WaitReason | undefined): TaskStatus {
  const item = itemOf(run, t);
  const reason = t.state === 'queued' || (t.state === 'running' && !t.startedAtMs) ? why(t.id) : undefined;
  return {
    task_id: t.id,
    index: t.index,
    state: t.state,
    attempt: t.attempt,
    agent_id: t.agentId ?? '',
    started_at_ms: t.startedAtMs ?? 0,
    finished_at_ms: t.finishedAtMs ?? 0,
    error: t.error ?? null,
    waiting: reason ? describeWait(reason) : t.state === 'retrying' ? 'waiting to retry (backoff)' : '',
    item_json: item.length ? JSON.stringify(decodeValue(item)) : '',
    reused_from: t.reusedFrom ?? '',
    attempts: attemptsOf(t),
  };
}

/** The attempts of a task that ended, as recorded, then the one running now. */
function attemptsOf(t: TaskState): AttemptStatus[] {
  const ended = t.attempts.map((a, i): AttemptStatus => {
    const last = i === t.attempts.length - 1 && (t.state === 'succeeded' || t.state === 'failed');
    return {
      attempt: a.attempt,
      agent_id: a.agentId,
      started_at_ms: a.startedAtMs,
      finished_at_ms: a.finishedAtMs,
      outcome: a.lost ? 'lost' : a.error ? 'failed' : last ? t.state : 'succeeded',
      error: a.error ?? null,
    };
  });
  if (t.state !== 'running') return ended;
  return [...ended, { attempt: t.attempt, agent_id: t.agentId ?? '', started_at_ms: t.startedAtMs ?? 0, finished_at_ms: 0, outcome: 'running', error: null }];
}

export function describeWait(reason: WaitReason): string {
  switch (reason.kind) {
    case 'no-agents': return 'no agent is connected';
    case 'prefetched': return `sent ahead: waits in agent ${reason.agentId}'s queue for a slot there`;
    case 'constraint': return reason.detail;
    case 'queued': return `queued: waiting for room (${reason.ahead} ahead by priority and fair share)`;
    case 'exhausted': {
      // Submit refuses what no agent could ever hold: this is the agents being busy now.
      const amount = reason.resource === 'cpu' ? `${formatCpu(reason.short)} CPU`
        : reason.resource === 'memory' ? `${formatBytes(reason.short)} memory` : `${reason.short} GPU(s)`;
      return `queued: waiting for room (the agents are busy: ${amount} short now${reason.reservedAgentId ? `; agent ${reason.reservedAgentId} is held for it` : ''})`;
    }
  }
}
