// The engine's runs as the wire's RunStatus, with why each queued task waits.
import { decodeValue } from '../../core/codec.js';
import { formatBytes, formatCpu } from '../../core/units.js';
import type { RunStatus, StepStatus, TaskStatus } from '../../proto/types.js';
import { stepSummaries, type RunState, type RunSummary, type TaskState } from '../flow/run-state.js';
import type { WaitReason } from '../placement/types.js';
import type { RunRecord, StepSummary } from '../state/records.js';

export function runStatus(run: RunState, why: (taskId: string) => WaitReason | undefined, withTasks = true): RunStatus {
  const steps = stepSummaries(run).map((s) => {
    const tasks = withTasks ? (run.steps.get(s.name)!.tasks ?? []).map((t) => taskStatus(t, why)) : [];
    return stepStatus(s, tasks);
  });
  return envelope(run.record, run.job.name, run.job.project, steps);
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
  };
}

function stepStatus(s: StepSummary, tasks: TaskStatus[]): StepStatus {
  const { name, state, total, succeeded, failed, running, cancelled } = s;
  return { name, state, tasks, total, succeeded, failed, running, waiting: total - succeeded - failed - running - cancelled };
}

function taskStatus(t: TaskState, why: (taskId: string) => WaitReason | undefined): TaskStatus {
  const reason = t.state === 'queued' ? why(t.id) : undefined;
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
    item_json: t.item.length ? JSON.stringify(decodeValue(t.item)) : '',
    reused_from: t.reusedFrom ?? '',
  };
}

export function describeWait(reason: WaitReason): string {
  switch (reason.kind) {
    case 'no-agents': return 'no agent is connected';
    case 'constraint': return reason.detail;
    case 'queued': return `queued behind ${reason.ahead} task(s) by priority and fair share`;
    case 'exhausted': {
      const amount = reason.resource === 'cpu' ? `${formatCpu(reason.short)} CPU`
        : reason.resource === 'memory' ? `${formatBytes(reason.short)} memory` : `${reason.short} GPU(s)`;
      return `no agent has room: short of ${amount}${reason.reservedAgentId ? ` (agent ${reason.reservedAgentId} is held for it)` : ''}`;
    }
  }
}
