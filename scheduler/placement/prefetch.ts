/**
 * Prefetching: a slot of an agent should never sit idle waiting on the scheduler between two
 * tasks (result up, commit, placement, assignment down: milliseconds, as long as a short task).
 * So an agent that is full may be sent more tasks than it can run, which wait in its own queue
 * and start the moment a slot frees. How many is bounded by time, not count:
 *
 *   runsAtOnce(agent, task) = capacity / demand in the task's tightest dimension (cpu, memory)
 *   room                    = waitingMs + expected(task) <= windowMs * runsAtOnce
 *                             and fewer than maxPerAgent tasks waiting
 *
 * where waitingMs is the expected run time of what already waits there. With the default window
 * of 50 ms, a 2-slot agent holds up to ~100 ms of work beyond what it runs: ten 10 ms tasks, the
 * 256-task cap of no-op ones, one 60 ms task, and nothing of a step whose tasks take a second
 * (their round trip is lost in their run time). A step's expected run time is the recent average
 * of its finished tasks, raised to the age of its longest-running unfinished one; a step none of
 * whose tasks has finished yet is not prefetched at all.
 *
 * Only thread tasks without GPUs are prefetched: a container start (~200 ms) dwarfs the round
 * trip, and GPU indices are given at placement. The agent starts what waits in order, each task
 * when its CPU and memory fit beside what runs, so reserved resources still mean what they say.
 * The placer mirrors that: a prefetched task's resources are taken from the agent's free
 * capacity when an allocation ahead of it is released and it fits (see Placer.promote).
 *
 * Which agent: the one whose queue empties soonest (waitingMs / runsAtOnce), CPU agents before
 * GPU agents; each agent class keeps its schedulable agents in a heap by waiting work, so this
 * costs one look per class. Tasks wait on an agent only while it is the best place for them: when
 * their step turns out slower (the expected run time grows) the excess is revoked, and the
 * agent gives back what it has not started; drained and reserved agents give back everything.
 */
import type { Resources } from '../../core/resources.js';
import type { AgentPool, AgentState } from './agent-pool.js';
import type { StepTiming, TaskDemand } from './types.js';

export interface PrefetchRule {
  windowMs: number;
  maxPerAgent: number;
}

/** Revocation waits until the waiting work is this many times the window: no churn on noise. */
const revokeAtFactor = 2;

/** The expected run time of a step's task, or undefined while none has finished. */
export function expectedRunMs(timing: StepTiming | undefined): number | undefined {
  if (!timing || timing.runMs === undefined) return undefined;
  return Math.max(timing.runMs, timing.longestRunningMs);
}

/** Whether the task may wait in an agent's queue at all, and its expected run time if so. */
export function prefetchEstimate(task: TaskDemand, rule: PrefetchRule): number | undefined {
  if (rule.windowMs <= 0 || task.executor !== 'thread' || task.resources.gpus > 0) return undefined;
  return expectedRunMs(task.timing);
}

/** How many tasks of `demand` an agent of `capacity` runs at once (Infinity for a task asking nothing). */
export function runsAtOnce(capacity: Resources, demand: Resources): number {
  let n = Infinity;
  if (demand.cpuMilli > 0) n = Math.min(n, Math.floor(capacity.cpuMilli / demand.cpuMilli));
  if (demand.memoryBytes > 0) n = Math.min(n, Math.floor(capacity.memoryBytes / demand.memoryBytes));
  return n;
}

/**
 * Whether the task, expected to run `estimateMs`, may wait on the agent now. An agent's queue is
 * filled up to its window, then left to run down to half of it before it is filled again: it is
 * topped up by one assignment message of many tasks, not one message per task that ended.
 */
export function hasWaitingRoom(agent: AgentState, demand: Resources, estimateMs: number, rule: PrefetchRule): boolean {
  const limitMs = rule.windowMs * runsAtOnce(agent.node.capacity, demand);
  if (agent.waiting.length >= rule.maxPerAgent || agent.waitingMs + estimateMs > limitMs) {
    agent.refilling = false;
    return false;
  }
  if (!agent.refilling && agent.waiting.length <= rule.maxPerAgent / 2 && agent.waitingMs <= limitMs / 2) agent.refilling = true;
  return agent.refilling;
}

/**
 * The agent the task should wait on: of the classes that match it, the least loaded agent of
 * each (CPU classes first), and of those the one whose queue empties soonest.
 */
export function selectPrefetchAgent(task: TaskDemand, estimateMs: number, pools: readonly AgentPool[], rule: PrefetchRule): AgentState | undefined {
  return bestWaitingPlace(task, estimateMs, pools, false, rule) ?? bestWaitingPlace(task, estimateMs, pools, true, rule);
}

function bestWaitingPlace(task: TaskDemand, estimateMs: number, pools: readonly AgentPool[], gpuPools: boolean, rule: PrefetchRule): AgentState | undefined {
  let best: AgentState | undefined;
  let bestWait = Infinity;
  for (const pool of pools) {
    if (pool.hasGpus !== gpuPools) continue;
    const agent = pool.leastWaiting();
    if (!agent || !hasWaitingRoom(agent, task.resources, estimateMs, rule)) continue;
    const wait = agent.waitingMs / runsAtOnce(agent.node.capacity, task.resources);
    if (wait < bestWait) {
      bestWait = wait;
      best = agent;
    }
  }
  return best;
}

/**
 * The waiting tasks to revoke from an agent whose queue, at its steps' current expected run
 * times, holds more than `revokeAtFactor` windows of work: from the back, until one window is
 * left. A task already revoked is not counted or chosen again.
 */
export function excessWaiting(agent: AgentState, rule: PrefetchRule): string[] {
  const head = agent.waiting.find((w) => !w.revoked);
  if (!head) return [];
  const limitMs = rule.windowMs * runsAtOnce(agent.node.capacity, head.resources);
  const expected = agent.waiting.map((w) => (w.revoked ? 0 : expectedRunMs(w.timing) ?? w.estimateMs));
  let totalMs = expected.reduce((a, b) => a + b, 0);
  if (totalMs <= revokeAtFactor * limitMs) return [];
  const revoke: string[] = [];
  for (let i = agent.waiting.length - 1; i >= 0 && totalMs > limitMs; i--) {
    const w = agent.waiting[i]!;
    if (w.revoked) continue;
    revoke.push(w.taskId);
    totalMs -= expected[i]!;
  }
  return revoke;
}
