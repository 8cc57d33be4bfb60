/**
 * Feasibility checks: hard rules an agent must pass before it is scored. Each check is a small
 * pure function; the engine applies the executor and label checks once per agent class (see
 * agent-directory.ts), resources per agent, and draining by keeping such agents out of the index.
 */
import { formatBytes, formatCpu } from '../../core/units.js';
import type { Resources } from '../../core/resources.js';
import type { PlacementRules } from './shapes.js';
import type { Feasibility } from './types.js';

interface AgentTraits {
  executors: readonly string[];
  labels: Record<string, string>;
}

/** Resources: the demand fits in what is free now, in every dimension. */
export function fitsNow(demand: Resources, free: Resources): boolean {
  return demand.cpuMilli <= free.cpuMilli && demand.memoryBytes <= free.memoryBytes && demand.gpus <= free.gpus;
}

/** Executor: the agent offers the task's executor. */
export function offersExecutor(agent: AgentTraits, task: PlacementRules): boolean {
  return agent.executors.includes(task.executor);
}

/** Label constraints: the first constraint the agent does not meet, as "key=value", if any. */
export function unmetConstraint(agent: AgentTraits, task: PlacementRules): string | undefined {
  for (const key in task.constraints) {
    if (agent.labels[key] !== task.constraints[key]) return `${key}=${task.constraints[key]}`;
  }
  return undefined;
}

export function matchesRules(agent: AgentTraits, task: PlacementRules): boolean {
  return offersExecutor(agent, task) && unmetConstraint(agent, task) === undefined;
}

export function describeRules(task: PlacementRules): string {
  const labels = Object.entries(task.constraints).map(([k, v]) => `${k}=${v}`);
  return labels.length ? `the ${task.executor} executor and labels ${labels.join(', ')}` : `the ${task.executor} executor`;
}

export function describeResources(r: Resources): string {
  const parts = [`${formatCpu(r.cpuMilli)} CPU`, `${formatBytes(r.memoryBytes)} memory`];
  if (r.gpus > 0) parts.push(`${r.gpus} GPU${r.gpus === 1 ? '' : 's'}`);
  return parts.join(', ');
}

export interface AgentClassCapacities extends AgentTraits {
  /** The distinct capacities of the class's agents. */
  capacities: Iterable<Resources>;
}

/**
 * Whether an empty agent of the cluster could ever hold the task, with a human reason when not.
 * Draining agents count: they are still part of the cluster, and a submit should not be refused
 * because of maintenance. An empty cluster accepts everything (agents may not have joined yet).
 */
export function everFeasible(demand: Resources, rules: PlacementRules, classes: Iterable<AgentClassCapacities>): Feasibility {
  let anyAgent = false;
  let executorSeen = false;
  let rulesMet = false;
  let unmet: string | undefined;
  const largest: Resources = { cpuMilli: 0, memoryBytes: 0, gpus: 0 };
  for (const cls of classes) {
    anyAgent = true;
    if (!offersExecutor(cls, rules)) continue;
    executorSeen = true;
    const missing = unmetConstraint(cls, rules);
    if (missing !== undefined) {
      unmet ??= missing;
      continue;
    }
    rulesMet = true;
    for (const capacity of cls.capacities) {
      if (fitsNow(demand, capacity)) return { ok: true };
      largest.cpuMilli = Math.max(largest.cpuMilli, capacity.cpuMilli);
      largest.memoryBytes = Math.max(largest.memoryBytes, capacity.memoryBytes);
      largest.gpus = Math.max(largest.gpus, capacity.gpus);
    }
  }
  if (!anyAgent) return { ok: true };
  if (!executorSeen) return { ok: false, reason: `no agent offers the ${rules.executor} executor` };
  if (!rulesMet) return { ok: false, reason: `no agent offers ${describeRules(rules)} (none has label ${unmet})` };
  return { ok: false, reason: tooBigReason(demand, largest) };
}

function tooBigReason(demand: Resources, largest: Resources): string {
  if (demand.gpus > largest.gpus) return `needs ${demand.gpus} GPUs; the largest matching agent has ${largest.gpus}`;
  if (demand.cpuMilli > largest.cpuMilli) return `needs ${formatCpu(demand.cpuMilli)} CPU; the largest matching agent has ${formatCpu(largest.cpuMilli)}`;
  if (demand.memoryBytes > largest.memoryBytes) return `needs ${formatBytes(demand.memoryBytes)} memory; the largest matching agent has ${formatBytes(largest.memoryBytes)}`;
  return `needs ${describeResources(demand)} on one agent; no matching agent has all of them together`;
}
