/**
 * Capacity planning: how long N tasks of a given shape take on this cluster, and how many agents
 * of each kind would finish them within a deadline — from the cluster's own figures: its agents'
 * capacity (ListAgents) and the per-task overhead measured just now with a sweep of no-op tasks
 * of the same shape.
 *
 * The model, shown to the user with its numbers filled in:
 *   slots per agent  k = min(cpu / task cpu, memory / task memory, gpus / task gpus), whole
 *   slots            K = sum of k over the agents
 *   per task         t = task seconds + overhead (slot time a no-op task of this shape used)
 *   run time         T = max(ceil(N / K) × t, N / dispatch rate)
 * The dispatch rate (no-op tasks/s end to end) bounds short tasks: scheduling, not slots.
 */
import type { ClusterClient } from '../client/client.js';
import { formatBytes, formatDuration } from '../core/units.js';
import type { AgentInfo__Output } from '../proto/types.js';
import { round } from './stats.js';
import { submitAndWait } from './workload.js';

export interface TaskShape {
  seconds: number;
  cpuMilli: number;
  memoryBytes: number;
  gpus: number;
}

export interface AgentKind {
  cpuMilli: number;
  memoryBytes: number;
  gpus: number;
  count: number;
}

export interface Measured {
  /** Slot time one no-op task of the shape took, scheduling and recording included. */
  overheadSeconds: number;
  /** No-op tasks of the shape per second, end to end. */
  dispatchPerSec: number;
}

export interface KindPlan {
  kind: AgentKind;
  slotsPerAgent: number;
  /** Agents of only this kind that finish the tasks within the deadline (null: the kind cannot run them). */
  agentsForDeadline: number | null;
}

export interface Plan {
  tasks: number;
  shape: TaskShape;
  measured: Measured;
  kinds: KindPlan[];
  slots: number;
  waves: number;
  perTaskSeconds: number;
  /** null when no agent of the cluster can run a task of this shape. */
  estimatedSeconds: number | null;
  deadlineSeconds: number;
  /** Dispatch alone takes longer than the deadline: more agents do not help. */
  dispatchBound: boolean;
  arithmetic: string[];
}

export function slotsFor(kind: Omit<AgentKind, 'count'>, shape: TaskShape): number {
  const limits = [Math.floor(kind.cpuMilli / shape.cpuMilli), Math.floor(kind.memoryBytes / shape.memoryBytes)];
  if (shape.gpus > 0) limits.push(Math.floor(kind.gpus / shape.gpus));
  return Math.max(0, Math.min(...limits));
}

/** Agents grouped by identical capacity. */
export function agentKinds(agents: readonly AgentInfo__Output[]): AgentKind[] {
  const kinds = new Map<string, AgentKind>();
  for (const a of agents) {
    const cap = { cpuMilli: Number(a.capacity?.cpu_milli ?? 0), memoryBytes: Number(a.capacity?.memory_bytes ?? 0), gpus: a.capacity?.gpus.length ?? 0 };
    const key = `${cap.cpuMilli}/${cap.memoryBytes}/${cap.gpus}`;
    const kind = kinds.get(key) ?? { ...cap, count: 0 };
    kind.count++;
    kinds.set(key, kind);
  }
  return [...kinds.values()].sort((a, b) => b.count - a.count);
}

export function plan(tasks: number, shape: TaskShape, kinds: AgentKind[], measured: Measured, deadlineSeconds: number): Plan {
  const perTask = shape.seconds + measured.overheadSeconds;
  const dispatchSeconds = tasks / measured.dispatchPerSec;
  const kindPlans = kinds.map((kind) => {
    const k = slotsFor(kind, shape);
    // Waves that fit the deadline, times the slots of one agent, must cover every task.
    const wavesInDeadline = Math.floor(deadlineSeconds / perTask);
    const agents = k === 0 || wavesInDeadline === 0 || dispatchSeconds > deadlineSeconds ? null : Math.ceil(tasks / (wavesInDeadline * k));
    return { kind, slotsPerAgent: k, agentsForDeadline: agents };
  });
  const slots = kindPlans.reduce((n, p) => n + p.slotsPerAgent * p.kind.count, 0);
  const waves = slots > 0 ? Math.ceil(tasks / slots) : 0;
  const estimated = slots > 0 ? Math.max(waves * perTask, dispatchSeconds) : null;
  const describe = (k: AgentKind) => `${k.cpuMilli / 1000} CPU, ${formatBytes(k.memoryBytes)}, ${k.gpus} GPU`;
  const arithmetic = [
    `task: ${shape.seconds} s, ${shape.cpuMilli / 1000} CPU, ${formatBytes(shape.memoryBytes)}, ${shape.gpus} GPU; overhead measured ${round(measured.overheadSeconds * 1000, 1)} ms of slot time per task, dispatch ${round(measured.dispatchPerSec, 0)} tasks/s`,
    ...kindPlans.map((p) => `${p.kind.count} agent(s) of ${describe(p.kind)}: ${p.slotsPerAgent} slot(s) each`),
    `slots K = ${slots}; waves = ceil(${tasks} / ${slots || '0'}) = ${waves}; per task t = ${shape.seconds} + ${round(measured.overheadSeconds, 4)} = ${round(perTask, 4)} s`,
    estimated === null
      ? 'no agent of this cluster can hold one task of this shape'
      : `T = max(${waves} × ${round(perTask, 4)} s, ${tasks} / ${round(measured.dispatchPerSec, 0)} tasks/s) = max(${round(waves * perTask, 1)}, ${round(dispatchSeconds, 1)}) = ${round(estimated, 1)} s (${formatDuration(estimated * 1000)})`,
    ...kindPlans.map((p) => p.agentsForDeadline === null
      ? `within ${formatDuration(deadlineSeconds * 1000)}: agents of ${describe(p.kind)} cannot do it (${p.slotsPerAgent === 0 ? 'a task does not fit' : 'a task or dispatch alone takes longer'})`
      : `within ${formatDuration(deadlineSeconds * 1000)}: ${p.agentsForDeadline} agent(s) of ${describe(p.kind)} = ceil(${tasks} / (floor(${deadlineSeconds} / ${round(perTask, 4)}) × ${p.slotsPerAgent}))`),
  ];
  return {
    tasks, shape, measured, kinds: kindPlans, slots, waves, perTaskSeconds: perTask,
    estimatedSeconds: estimated, deadlineSeconds, dispatchBound: dispatchSeconds > deadlineSeconds, arithmetic,
  };
}

/**
 * Measures this cluster with a sweep of `n` no-op tasks of the shape (without its GPUs, so any
 * agent can take them): slot time per task is (sweep time × slots busy) / n.
 */
export async function measureOverhead(client: ClusterClient, shape: TaskShape, slots: number, n = 500): Promise<Measured> {
  const resources = { cpu: `${shape.cpuMilli}m`, memory: `${shape.memoryBytes}` };
  const job = (count: number) => ({
    name: 'bench-plan',
    steps: {
      start: { run: { module: './noop.js', export: 'noop' }, resources, foreach: Array.from({ length: count }, (_, i) => i), next: 'join' },
      join: { run: { module: './noop.js', export: 'count' }, resources, join: true },
    },
  });
  await submitAndWait(client, job(Math.min(n, 50))); // warm the workers
  const start = performance.now();
  await submitAndWait(client, job(n), undefined, { summaryOnly: true });
  const seconds = (performance.now() - start) / 1000;
  return { overheadSeconds: (seconds * Math.min(slots, n)) / n, dispatchPerSec: n / seconds };
}
