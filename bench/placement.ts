/**
 * Placement benchmark: the placer against plain first-fit decreasing on the same seeded input.
 *
 *   fill     10,000 empty agents, 1,000,000 queued tasks; passes of at most `passBudget`
 *            placements until one places nothing (placements/s, p99 time per pass)
 *   churn    then rounds of "1% of running tasks finish, one unbounded pass" with the rest of the
 *            million still queued: the steady state of a full cluster
 *   packing  after fill: share of agents used, of CPU, memory and GPUs allocated, and GPUs left
 *            idle while GPU tasks wait; and on a workload of half the cluster's size, the share
 *            of agents used (lower is tighter)
 * First-fit decreasing sees all tasks at once, sorted, and ignores fairness and queue order, so
 * its packing is the bar, not its latency.
 *
 * Run: `node dist/bench/placement.js [agents] [tasks] [seed]` after `npx tsc -p tsconfig.build.json`.
 */
import { pathToFileURL } from 'node:url';
import { Placer } from '../scheduler/placement/placer.js';
import type { AgentNode, Placement, TaskDemand } from '../scheduler/placement/types.js';
import { firstFitDecreasing } from './placement-first-fit.js';
import { packingOf, type AgentUse, type PackingFigures } from './placement-packing.js';
import { benchAgents, benchTasks } from './placement-workload.js';
import { seededRandom } from './seeded-random.js';
import { percentile, round } from './stats.js';

export interface PlacementBenchResult {
  agents: number;
  tasks: number;
  seed: number;
  placer: {
    enqueueMs: number;
    fill: { passes: number; placements: number; placementsPerSec: number; p99PassMs: number };
    churn: { rounds: number; placements: number; placementsPerSec: number; medianPassMs: number; p99PassMs: number };
    packing: PackingFigures;
    halfClusterAgentsUsedShare: number;
  };
  firstFitDecreasing: {
    fill: { placements: number; placementsPerSec: number; ms: number };
    packing: PackingFigures;
    halfClusterAgentsUsedShare: number;
    /** The same with CPU-only tasks kept off GPU agents entirely while CPU agents have room. */
    halfClusterAgentsUsedShareSameRule: number;
  };
}

const PASS_BUDGET = 10_000;
const CHURN_ROUNDS = 40;
const CHURN_SHARE = 0.01;

export async function runPlacementBench(opts: { agents?: number; tasks?: number; seed?: number; log?: (line: string) => void } = {}): Promise<PlacementBenchResult> {
  const agentCount = opts.agents ?? 10_000;
  const taskCount = opts.tasks ?? 1_000_000;
  const seed = opts.seed ?? 1;
  const log = opts.log ?? (() => {});
  const random = seededRandom(seed);
  const nodes = benchAgents(agentCount, random);
  const tasks = benchTasks(taskCount, random);
  log(`placement bench: ${agentCount} agents, ${taskCount} queued tasks, seed ${seed}`);

  const placer = new Placer({ maxPlacementsPerPass: PASS_BUDGET });
  const use = new Map<string, AgentUse>(nodes.map((n) => [n.id, { cpuMilli: 0, memoryBytes: 0, gpus: 0, tasks: 0 }]));
  const running: Placement[] = [];
  const record = (placements: Placement[]) => {
    for (const p of placements) {
      track(use.get(p.agentId)!, taskOf(tasks, p.taskId), 1);
      running.push(p);
    }
  };
  for (const node of nodes) placer.upsertAgent(node);
  let started = performance.now();
  for (const task of tasks) placer.enqueue(task);
  const enqueueMs = performance.now() - started;

  const fillPassMs: number[] = [];
  let fillPlaced = 0;
  for (;;) {
    started = performance.now();
    const placed = placer.schedule();
    fillPassMs.push(performance.now() - started);
    record(placed);
    fillPlaced += placed.length;
    if (placed.length === 0 || !placer.lastPassTruncated) break;
  }
  const packing = packingOf(nodes, use, waitingGpuTasks(placer, tasks));
  const fill = { passes: fillPassMs.length, placements: fillPlaced, placementsPerSec: round(fillPlaced / (sum(fillPassMs) / 1000), 0), p99PassMs: round(percentile(fillPassMs, 99)) };
  log(`placer fill:  ${fill.placements} placements in ${fill.passes} passes, ${fill.placementsPerSec}/s, p99 pass ${fill.p99PassMs} ms`);

  const churnPassMs: number[] = [];
  let churnPlaced = 0;
  for (let round = 0; round < CHURN_ROUNDS; round++) {
    const finishing = Math.ceil(running.length * CHURN_SHARE);
    for (let i = 0; i < finishing; i++) {
      const at = Math.floor(random() * running.length);
      const done = running[at]!;
      running[at] = running[running.length - 1]!;
      running.pop();
      placer.release(done.taskId);
      track(use.get(done.agentId)!, taskOf(tasks, done.taskId), -1);
    }
    started = performance.now();
    const placed = placer.schedule();
    churnPassMs.push(performance.now() - started);
    record(placed);
    churnPlaced += placed.length;
  }
  const churn = { rounds: CHURN_ROUNDS, placements: churnPlaced, placementsPerSec: round(churnPlaced / (sum(churnPassMs) / 1000), 0), medianPassMs: round(percentile(churnPassMs, 50)), p99PassMs: round(percentile(churnPassMs, 99)) };
  log(`placer churn: ${churn.placements} placements in ${churn.rounds} passes, ${churn.placementsPerSec}/s, median pass ${churn.medianPassMs} ms, p99 ${churn.p99PassMs} ms`);

  started = performance.now();
  const ffd = firstFitDecreasing(nodes, tasks);
  const ffdMs = performance.now() - started;
  const ffdUse = new Map(ffd.agents.map((a) => [a.node.id, usedOf(a.node, a.free, a.tasks)]));
  const ffdPacking = packingOf(nodes, ffdUse, ffd.waiting.filter((t) => t.resources.gpus > 0).length);
  const ffdFill = { placements: ffd.placed, placementsPerSec: round(ffd.placed / (ffdMs / 1000), 0), ms: round(ffdMs) };
  log(`first-fit decreasing: ${ffdFill.placements} placements in ${ffdFill.ms} ms, ${ffdFill.placementsPerSec}/s`);

  const half = halfClusterWorkload(nodes, tasks);
  const placerHalf = halfClusterAgentsUsed(nodes, half);
  const ffdHalf = firstFitDecreasing(nodes, half).agents.filter((a) => a.tasks > 0).length / nodes.length;
  const ffdHalfSameRule = firstFitDecreasing(nodes, half, { avoidGpuAgents: true }).agents.filter((a) => a.tasks > 0).length / nodes.length;

  const result: PlacementBenchResult = {
    agents: agentCount,
    tasks: taskCount,
    seed,
    placer: { enqueueMs: round(enqueueMs), fill, churn, packing, halfClusterAgentsUsedShare: round(placerHalf, 4) },
    firstFitDecreasing: { fill: ffdFill, packing: ffdPacking, halfClusterAgentsUsedShare: round(ffdHalf, 4), halfClusterAgentsUsedShareSameRule: round(ffdHalfSameRule, 4) },
  };
  logSideBySide(result, half.length, log);
  return result;
}

function taskOf(tasks: readonly TaskDemand[], taskId: string): TaskDemand {
  return tasks[Number(taskId.slice('task-'.length))]!;
}

function track(use: AgentUse, task: TaskDemand, sign: 1 | -1): void {
  use.cpuMilli += sign * task.resources.cpuMilli;
  use.memoryBytes += sign * task.resources.memoryBytes;
  use.gpus += sign * task.resources.gpus;
  use.tasks += sign;
}

function usedOf(node: AgentNode, free: { cpuMilli: number; memoryBytes: number; gpus: number }, tasks: number): AgentUse {
  return { cpuMilli: node.capacity.cpuMilli - free.cpuMilli, memoryBytes: node.capacity.memoryBytes - free.memoryBytes, gpus: node.capacity.gpus - free.gpus, tasks };
}

function waitingGpuTasks(placer: Placer, tasks: readonly TaskDemand[]): number {
  let waiting = 0;
  for (const task of tasks) if (task.resources.gpus > 0 && placer.why(task.id) !== undefined) waiting++;
  return waiting;
}

/** The queue's first tasks up to half the cluster's CPUs or GPUs, whichever comes first. */
function halfClusterWorkload(nodes: readonly AgentNode[], tasks: readonly TaskDemand[]): TaskDemand[] {
  const cpuLimit = sum(nodes.map((n) => n.capacity.cpuMilli)) / 2;
  const gpuLimit = sum(nodes.map((n) => n.capacity.gpus)) / 2;
  let cpu = 0;
  let gpus = 0;
  const chosen: TaskDemand[] = [];
  for (const task of tasks) {
    cpu += task.resources.cpuMilli;
    gpus += task.resources.gpus;
    if (cpu > cpuLimit || gpus > gpuLimit) break;
    chosen.push(task);
  }
  return chosen;
}

function halfClusterAgentsUsed(nodes: readonly AgentNode[], tasks: readonly TaskDemand[]): number {
  const placer = new Placer();
  for (const node of nodes) placer.upsertAgent(node);
  for (const task of tasks) placer.enqueue(task);
  return new Set(placer.schedule().map((p) => p.agentId)).size / nodes.length;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function logSideBySide(r: PlacementBenchResult, halfTasks: number, log: (line: string) => void): void {
  const a = r.placer.packing;
  const b = r.firstFitDecreasing.packing;
  const row = (label: string, x: number | string, y: number | string) => log(`  ${label.padEnd(38)} ${String(x).padStart(12)} ${String(y).padStart(12)}`);
  log(`  ${''.padEnd(38)} ${'placer'.padStart(12)} ${'first-fit-d'.padStart(12)}`);
  row('placements/s (fill)', r.placer.fill.placementsPerSec, r.firstFitDecreasing.fill.placementsPerSec);
  row('placements/s (churn, full cluster)', r.placer.churn.placementsPerSec, '-');
  row('p99 pass ms (fill / churn)', `${r.placer.fill.p99PassMs} / ${r.placer.churn.p99PassMs}`, '-');
  row('tasks placed after fill', r.placer.fill.placements, r.firstFitDecreasing.fill.placements);
  row('agents used', a.agentsUsedShare, b.agentsUsedShare);
  row('CPU allocated', a.cpuAllocatedShare, b.cpuAllocatedShare);
  row('memory allocated', a.memoryAllocatedShare, b.memoryAllocatedShare);
  row('GPUs allocated', a.gpuAllocatedShare, b.gpuAllocatedShare);
  row('GPUs idle while GPU tasks wait', `${a.idleGpus} (${a.waitingGpuTasks} wait)`, `${b.idleGpus} (${b.waitingGpuTasks} wait)`);
  row(`agents used, ${halfTasks} tasks (half cluster)`, r.placer.halfClusterAgentsUsedShare, r.firstFitDecreasing.halfClusterAgentsUsedShare);
  row('  first-fit keeping CPU tasks off GPU agents', '-', r.firstFitDecreasing.halfClusterAgentsUsedShareSameRule);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [agents, tasks, seed] = process.argv.slice(2).map(Number);
  const result = await runPlacementBench({ agents: agents || undefined, tasks: tasks || undefined, seed: seed || undefined, log: (line) => console.error(line) });
  console.log(JSON.stringify(result, null, 2));
}
