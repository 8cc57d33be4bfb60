/**
 * The placer's decisions made into assignments, and the leader's periodic looks at what runs:
 * prefetch windows revised to how long tasks really run, and timeouts the agent did not report.
 */
import { addResources, zeroResources, type Resources } from '../../core/resources.js';
import type { StepTiming } from '../placement/types.js';
import { roomMade } from './advancement.js';
import { stepShared, taskAssignment } from './assignment.js';
import { attemptFailed } from './attempts.js';
import { flushNow } from './effects.js';
import type { FlowCore } from './flow-core.js';

/** One bounded placement pass; another follows on the next turn while the queue has more. */
export function placeQueued(core: FlowCore): void {
  const placements = core.placer.schedule();
  if (core.placer.lastPassTruncated) core.schedulePass();
  for (const p of placements) {
    const task = core.taskById(p.taskId);
    const run = task && core.runs.get(task.runId);
    if (!task || !run || task.state !== 'queued') {
      core.placer.release(p.taskId);
      continue;
    }
    core.startOn(run, task, p.agentId, p.gpuIndices);
    task.startedAtMs = undefined;
    core.emit({ kind: 'assign', agentId: p.agentId, step: stepShared(run, task), task: taskAssignment(run, task) });
    core.notify(run.record.id);
  }
  // Agents reserved for a starving task in this pass give back what waits on them.
  sendRevocations(core, false);
  core.emit(flushNow);
  if (placements.length > 0) roomMade(core);
}

/**
 * Raises each step's expected run time to the age of its longest-running unfinished task (a
 * task that runs far longer than its step's recent average is seen before it ends), then asks
 * agents to give back what waits beyond their prefetch window.
 */
export function revisePrefetch(core: FlowCore): void {
  const now = core.now();
  const longest = new Map<StepTiming, number>();
  for (const task of core.running) {
    if (!task.startedAtMs) continue;
    const timing = core.runs.get(task.runId)!.steps.get(task.step)!.timing;
    longest.set(timing, Math.max(longest.get(timing) ?? 0, now - task.startedAtMs));
  }
  for (const timing of core.timings) timing.longestRunningMs = longest.get(timing) ?? 0;
  core.timings = new Set(longest.keys());
  sendRevocations(core, true);
}

function sendRevocations(core: FlowCore, excess: boolean): void {
  for (const [agentId, taskIds] of core.placer.revocations(excess)) {
    core.emit({ kind: 'revoke', agentId, refs: taskIds.map((id) => ({ task_id: id, attempt: core.taskById(id)!.attempt })) });
  }
}

/** Fails running tasks that overran their timeout and whose agent did not report it. */
export function sweepTimeouts(core: FlowCore): void {
  const now = core.now();
  for (const task of [...core.running]) {
    if (task.finishing || !task.assignedAtMs) continue;
    const run = core.runs.get(task.runId)!;
    const timeoutMs = run.steps.get(task.step)!.spec.timeoutMs;
    if (timeoutMs <= 0 || now - task.assignedAtMs < timeoutMs + core.timeoutGraceMs) continue;
    core.emit({ kind: 'cancel', agentId: task.agentId!, ref: { task_id: task.id, attempt: task.attempt }, reason: 'timeout' });
    attemptFailed(core, run, task, { code: 'TIMEOUT', message: `timed out after ${timeoutMs} ms (enforced by the scheduler)` }, task.agentId!);
  }
}

/**
 * What an agent's tasks hold, for `clusterctl agents`: the ones it runs, and how many more wait
 * in its queue (prefetched).
 */
export function agentUsage(core: FlowCore, agentId: string): { resources: Resources; gpuIndices: number[]; tasks: number; waiting: number } {
  const usage = { resources: { ...zeroResources }, gpuIndices: [] as number[], tasks: 0, waiting: core.placer.waitingCount(agentId) };
  for (const task of core.runningOn.get(agentId) ?? []) {
    if (core.placer.waitingOn(task.id) !== undefined) continue;
    usage.resources = addResources(usage.resources, core.runs.get(task.runId)!.steps.get(task.step)!.spec.resources);
    usage.gpuIndices.push(...task.gpuIndices);
    usage.tasks++;
  }
  return usage;
}
