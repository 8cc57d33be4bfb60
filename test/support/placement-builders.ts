/**
 * Builders for placement tests: `agent('a').cpu(4).memory('8Gi').gpus(2).build()` and
 * `task('t').cpu(1).project('vision').build()` instead of literal blobs. Defaults: an agent has
 * 4 CPUs, 8Gi and no GPUs, offers thread and container; a task wants 1 CPU and 1Gi in project
 * "default" at priority 0, with a seq that follows creation order.
 */
import { parseBytes } from '../../core/units.js';
import { Placer } from '../../scheduler/placement/placer.js';
import type { AgentNode, PlacerOptions, StepTiming, TaskDemand } from '../../scheduler/placement/types.js';

let nextSeq = 0;

export class AgentBuilder {
  private readonly node: AgentNode;

  constructor(id: string) {
    this.node = { id, capacity: { cpuMilli: 4000, memoryBytes: parseBytes('8Gi'), gpus: 0 }, gpuIndices: [], labels: {}, executors: ['thread', 'container'], draining: false };
  }

  /** Whole or fractional CPUs. */
  cpu(cpus: number): this {
    this.node.capacity.cpuMilli = Math.round(cpus * 1000);
    return this;
  }

  memory(size: string | number): this {
    this.node.capacity.memoryBytes = parseBytes(size);
    return this;
  }

  /** `count` GPUs with indices 0..count-1, or the given indices. */
  gpus(count: number, indices?: number[]): this {
    this.node.gpuIndices = indices ?? Array.from({ length: count }, (_, i) => i);
    this.node.capacity.gpus = this.node.gpuIndices.length;
    return this;
  }

  label(key: string, value: string): this {
    this.node.labels[key] = value;
    return this;
  }

  executors(...names: string[]): this {
    this.node.executors = names;
    return this;
  }

  draining(on = true): this {
    this.node.draining = on;
    return this;
  }

  build(): AgentNode {
    return structuredClone(this.node);
  }
}

export class TaskBuilder {
  private readonly demand: TaskDemand;

  constructor(id: string) {
    this.demand = { id, project: 'default', priority: 0, seq: nextSeq++, resources: { cpuMilli: 1000, memoryBytes: parseBytes('1Gi'), gpus: 0 }, executor: 'thread', constraints: {}, spread: false };
  }

  cpu(cpus: number): this {
    this.demand.resources.cpuMilli = Math.round(cpus * 1000);
    return this;
  }

  memory(size: string | number): this {
    this.demand.resources.memoryBytes = parseBytes(size);
    return this;
  }

  gpus(count: number): this {
    this.demand.resources.gpus = count;
    return this;
  }

  project(name: string): this {
    this.demand.project = name;
    return this;
  }

  priority(value: number): this {
    this.demand.priority = value;
    return this;
  }

  seq(value: number): this {
    this.demand.seq = value;
    return this;
  }

  executor(name: string): this {
    this.demand.executor = name;
    return this;
  }

  constraint(key: string, value: string): this {
    this.demand.constraints[key] = value;
    return this;
  }

  spread(on = true): this {
    this.demand.spread = on;
    return this;
  }

  /** Its step's run time: a number, or a StepTiming object the test shares between tasks and changes. */
  timing(t: number | StepTiming): this {
    this.timingOf = typeof t === 'number' ? { runMs: t, longestRunningMs: 0 } : t;
    return this;
  }

  build(): TaskDemand {
    const built = structuredClone(this.demand);
    if (this.timingOf) built.timing = this.timingOf; // shared, not cloned: the engine updates it in place
    return built;
  }

  private timingOf: StepTiming | undefined;
}

export const agent = (id: string): AgentBuilder => new AgentBuilder(id);
export const task = (id: string): TaskBuilder => new TaskBuilder(id);

/** A placer holding these agents and, queued, these tasks. */
export function placerWith(agents: Array<AgentBuilder | AgentNode>, tasks: Array<TaskBuilder | TaskDemand> = [], options?: PlacerOptions): Placer {
  const placer = new Placer(options);
  for (const a of agents) placer.upsertAgent(a instanceof AgentBuilder ? a.build() : a);
  for (const t of tasks) placer.enqueue(t instanceof TaskBuilder ? t.build() : t);
  return placer;
}

/** schedule() as a map from task id to agent id, for compact expectations. */
export function placementsOf(placer: Placer): Record<string, string> {
  return Object.fromEntries(placer.schedule().map((p) => [p.taskId, p.agentId]));
}
