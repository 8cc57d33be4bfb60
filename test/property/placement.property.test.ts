// Placement invariants over random clusters and workloads (fast-check, seeded):
//   - no agent is over-committed in CPU, memory or GPUs;
//   - no GPU index is given to two tasks, and every index exists on the agent;
//   - every placed task's executor and labels match its agent, which was not draining;
//   - after a pass, a task is left waiting only when no agent can hold it now, except agents
//     held for another task by the anti-starvation rule (reservations.ts).
// The test keeps its own model of allocations and checks the placer against it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Resources } from '../../core/resources.js';
import { Placer } from '../../scheduler/placement/placer.js';
import type { AgentNode, TaskDemand } from '../../scheduler/placement/types.js';

const GI = 2 ** 30;

const agentArb = fc.record({
  cpuMilli: fc.integer({ min: 500, max: 16_000 }),
  memoryGi: fc.integer({ min: 1, max: 32 }),
  gpuIndices: fc.uniqueArray(fc.integer({ min: 0, max: 7 }), { maxLength: 4 }),
  zone: fc.constantFrom('a', 'b', undefined),
  executors: fc.constantFrom(['thread'], ['container'], ['thread', 'container']),
  draining: fc.integer({ min: 0, max: 6 }).map((n) => n === 0),
});
type AgentSpec = typeof agentArb extends fc.Arbitrary<infer T> ? T : never;

const taskArb = fc.record({
  cpuMilli: fc.integer({ min: 100, max: 8_000 }),
  memoryGi: fc.integer({ min: 0, max: 12 }),
  gpus: fc.constantFrom(0, 0, 0, 1, 2, 3),
  project: fc.constantFrom('p1', 'p2', 'p3'),
  priority: fc.integer({ min: 0, max: 2 }),
  spread: fc.boolean(),
  zone: fc.constantFrom(undefined, undefined, 'a', 'b'),
  executor: fc.constantFrom('thread', 'container'),
});

const opArb = fc.oneof(
  fc.record({ op: fc.constant('enqueue' as const), tasks: fc.array(taskArb, { maxLength: 25 }) }),
  fc.record({ op: fc.constant('schedule' as const) }),
  fc.record({ op: fc.constant('release' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('dequeue' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('drain' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('remove' as const), pick: fc.nat() }),
);

interface Held { agentId: string; resources: Resources; gpuIndices: number[] }

function buildAgent(i: number, a: AgentSpec): AgentNode {
  return {
    id: `agent-${i}`,
    capacity: { cpuMilli: a.cpuMilli, memoryBytes: a.memoryGi * GI, gpus: a.gpuIndices.length },
    gpuIndices: a.gpuIndices,
    labels: a.zone ? { zone: a.zone } : {},
    executors: [...a.executors],
    draining: a.draining,
  };
}

function matches(node: AgentNode, t: TaskDemand): boolean {
  return node.executors.includes(t.executor) && Object.entries(t.constraints).every(([k, v]) => node.labels[k] === v);
}

function freeOf(node: AgentNode, held: Map<string, Held>): Resources & { gpuSet: Set<number> } {
  const free = { ...node.capacity, gpuSet: new Set(node.gpuIndices) };
  for (const h of held.values()) {
    if (h.agentId !== node.id) continue;
    free.cpuMilli -= h.resources.cpuMilli;
    free.memoryBytes -= h.resources.memoryBytes;
    free.gpus -= h.resources.gpus;
    for (const g of h.gpuIndices) free.gpuSet.delete(g);
  }
  return free;
}

describe('placement invariants (property)', () => {
  it('never over-commits, never shares a GPU, honours constraints, leaves nothing placeable waiting', () => {
    fc.assert(
      fc.property(fc.array(agentArb, { minLength: 1, maxLength: 10 }), fc.array(opArb, { minLength: 1, maxLength: 30 }), (agentSpecs, ops) => {
        const placer = new Placer({ reserveAfterPasses: 2, maxReservedAgents: 2 });
        const agents = new Map<string, AgentNode>();
        agentSpecs.forEach((spec, i) => {
          const node = buildAgent(i, spec);
          agents.set(node.id, node);
          placer.upsertAgent(node);
        });
        const queued = new Map<string, TaskDemand>();
        const held = new Map<string, Held>();
        let seq = 0;
        const nth = <T>(items: T[], pick: number): T | undefined => (items.length ? items[pick % items.length] : undefined);

        for (const step of ops) {
          switch (step.op) {
            case 'enqueue':
              for (const t of step.tasks) {
                const id = `task-${seq}`;
                const demand: TaskDemand = {
                  id, project: t.project, priority: t.priority, seq: seq++, spread: t.spread, executor: t.executor,
                  resources: { cpuMilli: t.cpuMilli, memoryBytes: t.memoryGi * GI, gpus: t.gpus },
                  constraints: t.zone ? { zone: t.zone } : {},
                };
                queued.set(id, demand);
                placer.enqueue(demand);
              }
              break;
            case 'release': {
              const id = nth([...held.keys()], step.pick);
              if (id) {
                held.delete(id);
                placer.release(id);
              }
              break;
            }
            case 'dequeue': {
              const id = nth([...queued.keys()], step.pick);
              if (id) {
                queued.delete(id);
                expect(placer.dequeue(id)).toBe(true);
              }
              break;
            }
            case 'drain': {
              const node = nth([...agents.values()], step.pick);
              if (node) {
                node.draining = true;
                placer.upsertAgent(structuredClone(node));
              }
              break;
            }
            case 'remove': {
              const node = nth([...agents.values()], step.pick);
              if (node) {
                agents.delete(node.id);
                const lost = placer.removeAgent(node.id).sort();
                const expected = [...held].filter(([, h]) => h.agentId === node.id).map(([id]) => id).sort();
                expect(lost).toEqual(expected);
                for (const id of lost) held.delete(id);
              }
              break;
            }
            case 'schedule': {
              for (const p of placer.schedule()) {
                const t = queued.get(p.taskId);
                const node = agents.get(p.agentId);
                expect(t, `placed task ${p.taskId} was queued`).toBeDefined();
                expect(node, `placed on a known agent ${p.agentId}`).toBeDefined();
                expect(node!.draining).toBe(false);
                expect(matches(node!, t!)).toBe(true);
                const free = freeOf(node!, held);
                expect(p.gpuIndices.length).toBe(t!.resources.gpus);
                for (const g of p.gpuIndices) expect(free.gpuSet.has(g), `GPU ${g} of ${node!.id} is free`).toBe(true);
                expect(new Set(p.gpuIndices).size).toBe(p.gpuIndices.length);
                expect(t!.resources.cpuMilli).toBeLessThanOrEqual(free.cpuMilli);
                expect(t!.resources.memoryBytes).toBeLessThanOrEqual(free.memoryBytes);
                queued.delete(p.taskId);
                held.set(p.taskId, { agentId: p.agentId, resources: t!.resources, gpuIndices: p.gpuIndices });
              }
              const reserved = new Map(placer.reservedAgents().map(([taskId, agentId]) => [agentId, taskId]));
              for (const t of queued.values()) {
                for (const node of agents.values()) {
                  const holder = reserved.get(node.id);
                  if (node.draining || !matches(node, t) || (holder !== undefined && holder !== t.id)) continue;
                  const free = freeOf(node, held);
                  const fits = t.resources.cpuMilli <= free.cpuMilli && t.resources.memoryBytes <= free.memoryBytes && t.resources.gpus <= free.gpuSet.size;
                  expect(fits, `${t.id} waits although ${node.id} could hold it`).toBe(false);
                }
                expect(placer.why(t.id)).toBeDefined();
              }
              break;
            }
          }
          expect(placer.queuedCount).toBe(queued.size);
        }
      }),
      { seed: 20240611, numRuns: 300 },
    );
  });
});
