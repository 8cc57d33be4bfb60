/**
 * The seeded input of the placement benchmark: a cluster of CPU boxes and 8-GPU boxes, and a
 * queue of tasks of mixed shapes from several projects, one of them a huge sweep. Tasks of one
 * shape share their resources and constraints objects, as tasks of one step do in the engine.
 */
import type { Resources } from '../core/resources.js';
import type { AgentNode, TaskDemand } from '../scheduler/placement/types.js';

const GI = 2 ** 30;

function pick<T extends { weight: number }>(items: readonly T[], random: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let x = random() * total;
  for (const item of items) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return items[items.length - 1]!;
}

const resources = (cpus: number, memoryGi: number, gpus = 0): Resources => ({ cpuMilli: cpus * 1000, memoryBytes: memoryGi * GI, gpus });

const agentKinds = [
  { weight: 40, capacity: resources(16, 64), gpuModel: undefined },
  { weight: 28, capacity: resources(32, 128), gpuModel: undefined },
  { weight: 12, capacity: resources(64, 256), gpuModel: undefined },
  { weight: 12, capacity: resources(96, 1024, 8), gpuModel: 'A100' },
  { weight: 8, capacity: resources(96, 1024, 8), gpuModel: 'H100' },
];

/** 80% CPU boxes of three sizes, 20% 8-GPU boxes of two models, in a shuffled order. */
export function benchAgents(count: number, random: () => number): AgentNode[] {
  const agents: AgentNode[] = [];
  for (let i = 0; i < count; i++) {
    const kind = pick(agentKinds, random);
    agents.push({
      id: `agent-${i}`,
      capacity: { ...kind.capacity },
      gpuIndices: Array.from({ length: kind.capacity.gpus }, (_, g) => g),
      labels: kind.gpuModel ? { gpu_model: kind.gpuModel } : {},
      executors: ['thread', 'container'],
      draining: false,
    });
  }
  return agents;
}

interface Shape { weight: number; resources: Resources; constraints: Record<string, string>; spread: boolean }

const anyModel = {};
const shapes: Shape[] = [
  { weight: 19, resources: resources(0.5, 1), constraints: anyModel, spread: false },
  { weight: 24, resources: resources(1, 2), constraints: anyModel, spread: false },
  { weight: 2, resources: resources(1, 2), constraints: anyModel, spread: true },
  { weight: 14, resources: resources(2, 4), constraints: anyModel, spread: false },
  { weight: 10, resources: resources(4, 16), constraints: anyModel, spread: false },
  { weight: 5, resources: resources(2, 32), constraints: anyModel, spread: false },
  { weight: 5, resources: resources(8, 32), constraints: anyModel, spread: false },
  { weight: 8, resources: resources(8, 64, 1), constraints: anyModel, spread: false },
  { weight: 4, resources: resources(8, 64, 1), constraints: { gpu_model: 'H100' }, spread: false },
  { weight: 5, resources: resources(16, 128, 2), constraints: anyModel, spread: false },
  { weight: 2, resources: resources(32, 256, 4), constraints: anyModel, spread: false },
  { weight: 1, resources: resources(64, 512, 8), constraints: { gpu_model: 'A100' }, spread: false },
  { weight: 1, resources: resources(64, 512, 8), constraints: anyModel, spread: false },
];

const projects = [
  { weight: 60, name: 'sweep' },
  { weight: 15, name: 'vision' },
  { weight: 10, name: 'nlp' },
  { weight: 8, name: 'etl' },
  { weight: 7, name: 'adhoc' },
];

/** Tasks in submission order (seq), each a random shape, project and priority 0–2. */
export function benchTasks(count: number, random: () => number): TaskDemand[] {
  const tasks: TaskDemand[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const shape = pick(shapes, random);
    tasks[i] = {
      id: `task-${i}`,
      project: pick(projects, random).name,
      priority: Math.floor(random() * 3),
      seq: i,
      resources: shape.resources,
      executor: 'container',
      constraints: shape.constraints,
      spread: shape.spread,
    };
  }
  return tasks;
}
