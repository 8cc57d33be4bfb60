/**
 * After a failover or a restart: runs rebuilt from their durable records, and agents reporting
 * what they run. Dispatch is not written, so while `recovering` nothing is queued; agents adopt
 * back what they run, and when the window closes what nobody reported is queued again.
 */
import { compileJob } from '../../core/job-spec.js';
import type { AssignmentGrant__Output, TaskRef__Output } from '../../proto/types.js';
import { attemptKey } from '../auth/attempt-grants.js';
import type { AttemptRef } from '../dispatch/agent-events.js';
import type { RunRecord, TaskRecord } from '../state/records.js';
import { advance, expandSliceTasks } from './advancement.js';
import type { FlowCore } from './flow-core.js';
import { expandStep, isTerminal, newRunState, reusableTasks, setTaskState, type RunState } from './run-state.js';

/** Rebuilds a run from its durable records (a new leader, a restart, or a dropped run loaded back). */
export function restore(core: FlowCore, record: RunRecord, taskRecords: readonly TaskRecord[]): RunState {
  const run = newRunState(record, compileJob(record.job, `run ${record.id}`));
  const earlier = record.resumedFrom ? core.runs.get(record.resumedFrom) : undefined;
  if (earlier) {
    run.reuse = reusableTasks(earlier, run, { fromStep: record.resumeFromStep, ignoreCode: record.resumeIgnoresCode });
    run.reuseItems = earlier;
  }
  core.catalog.add(run);
  const byStep = new Map<string, TaskRecord[]>();
  for (const r of taskRecords) {
    const ofStep = byStep.get(r.step);
    if (ofStep) ofStep.push(r);
    else byStep.set(r.step, [r]);
  }
  for (const name of run.order) {
    // An unfinished run's steps are made as far as their records go (and a slice more): the rest
    // is made as it runs, as for a new run, or when an agent reports a task of it (taskById).
    const recorded = byStep.get(name) ?? [];
    const made = record.state === 'running' ? recorded.reduce((n, r) => Math.max(n, r.index + 1), expandSliceTasks) : Infinity;
    expandStep(run, name, made);
    const tasks = run.steps.get(name)!.tasks ?? [];
    for (const rec of recorded) {
      const task = tasks[rec.index];
      if (!task) continue;
      task.attempts = rec.attempts;
      task.attempt = Math.max(0, ...rec.attempts.map((a) => a.attempt));
      if (rec.reusedFrom) {
        task.reusedFrom = rec.reusedFrom;
        run.steps.get(name)!.reused++;
      }
      // Where and when its last attempt ran, for status: a new leader shows what the old one did.
      const last = rec.attempts[rec.attempts.length - 1];
      if (last?.agentId) task.agentId = last.agentId;
      if (last) task.startedAtMs = last.startedAtMs;
      if (rec.state && last) task.finishedAtMs = last.finishedAtMs;
      if (!rec.state) continue;
      task.caught = rec.caught ?? false;
      setTaskState(run, task, rec.state);
      if (rec.state === 'failed' && !task.caught) {
        run.failure ??= { code: rec.error?.code ?? 'TASK_FAILED', message: `${task.step}/${task.index} failed: ${rec.error?.message ?? 'unknown error'}` };
        run.failedTasks++;
      }
      if (rec.result) task.result = rec.result;
      if (rec.resultObject) task.resultObject = rec.resultObject;
      if (rec.artifacts) task.artifacts = rec.artifacts;
      if (rec.error) task.error = rec.error;
    }
  }
  if (record.state !== 'running') core.catalog.markFinished(run);
  return run;
}

/** Enters or leaves the window in which agents report their running tasks before queueing. */
export function setRecovering(core: FlowCore, recovering: boolean): void {
  core.recovering = recovering;
  if (!recovering) core.granted.clear();
  if (!recovering) for (const run of core.runs.values()) if (run.record.state === 'running') advance(core, run);
}

/**
 * An agent (re-)registered and reports what it runs. Tasks the engine still wants are adopted
 * as running there; the rest are returned for the agent to stop. A task this leader has no
 * record of giving the agent (restored as pending after a failover) is adopted only with a signed
 * assignment among `grants`, which also admit the results the registration reports (see
 * acceptsReport): another agent's tasks cannot be claimed.
 */
export function adopt(core: FlowCore, agentId: string, running: readonly TaskRef__Output[], grants: readonly AssignmentGrant__Output[]): TaskRef__Output[] {
  const granted = core.grants?.granted(agentId, grants);
  if (granted) core.granted.set(agentId, granted);
  const stop: TaskRef__Output[] = [];
  for (const ref of running) {
    const task = core.taskById(ref.task_id);
    const run = task && core.runs.get(task.runId);
    const wanted = task && run?.record.state === 'running' && !isTerminal(task.state)
      && ((task.state === 'pending' && (!granted || granted.has(attemptKey(ref.task_id, ref.attempt))))
        || (task.state === 'running' && task.agentId === agentId && task.attempt === ref.attempt));
    if (!task || !run || !wanted) {
      stop.push(ref);
      continue;
    }
    const step = run.steps.get(task.step)!.spec;
    if (task.state === 'running') {
      // Already this agent's: if it was waiting in the agent's queue, it has started since.
      core.placer.started(task.id);
      continue;
    }
    if (!core.placer.allocate(task.id, agentId, step.resources, ref.gpu_indices, run.job.project)) {
      stop.push(ref);
      continue;
    }
    core.startOn(run, task, agentId, ref.gpu_indices);
    task.attempt = Math.max(ref.attempt, task.attempt);
  }
  return stop;
}

/**
 * After an agent re-registered: the attempts this scheduler gave it that it neither runs nor
 * has finished never started there (they were lost with a broken stream, or waited in its
 * queue, which it drops when it reconnects). They are queued again at once, as they were.
 */
export function reconcile(core: FlowCore, agentId: string, running: readonly AttemptRef[], finished: readonly AttemptRef[]): void {
  const held = core.runningOn.get(agentId);
  if (!held || held.size === 0) return;
  const reported = new Set([...running, ...finished].map((r) => `${r.task_id}#${r.attempt}`));
  let requeued = 0;
  for (const task of [...held]) {
    if (task.finishing || reported.has(`${task.id}#${task.attempt}`)) continue;
    core.placer.release(task.id);
    core.queue(task);
    requeued++;
  }
  if (requeued === 0) return;
  core.logger.info({ agentId, requeued }, 'tasks the agent did not have when it reconnected queued again');
  core.schedulePass();
}
