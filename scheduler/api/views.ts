// The engine's runs as the wire's RunStatus, with why each queued task waits.
import { decodeValue } from '../../core/codec.js';
import { formatBytes, formatCpu } from '../../core/units.js';
import type { RunStatus, StepStatus, TaskStatus } from '../../proto/types.js';
import { stepState, type RunState, type TaskState } from '../flow/run-state.js';
import type { WaitReason } from '../placement/types.js';

export function runStatus(run: RunState, why: (taskId: string) => WaitReason | undefined, withTasks = true): RunStatus {
  const steps: StepStatus[] = run.order.map((name) => {
    const step = run.steps.get(name)!;
    const { succeeded, failed, running, cancelled } = step.count;
    const total = step.tasks?.length ?? 0;
    return {
      name,
      state: stepState(step),
      tasks: withTasks ? (step.tasks ?? []).map((t) => taskStatus(t, why)) : [],
      total,
      succeeded,
      failed,
      running,
      waiting: total - succeeded - failed - running - cancelled,
    };
  });
  return {
    run_id: run.record.id,
    name: run.job.name,
    project: run.job.project,
    state: run.record.state,
    created_at_ms: run.record.createdAtMs,
    finished_at_ms: run.record.finishedAtMs ?? 0,
    steps,
    error: run.record.error ?? null,
    source: run.record.source,
    resumed_from: run.record.resumedFrom ?? '',
  };
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
