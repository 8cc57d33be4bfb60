// The free-capacity index of an agent class (scheduler/placement/agent-pool.ts): buckets by free
// GPUs and free CPU, searched from the demand up, so agents that cannot hold a task are skipped.
import { describe, expect, it } from 'vitest';
import { AgentDirectory } from '../../scheduler/placement/agent-directory.js';
import type { AgentState } from '../../scheduler/placement/agent-pool.js';
import { cpuColumnOf } from '../../scheduler/placement/agent-pool.js';
import { agent } from '../support/placement-builders.js';

const GI = 2 ** 30;
const demand = (cpuMilli: number, memoryGi: number, gpus = 0) => ({ cpuMilli, memoryBytes: memoryGi * GI, gpus });

describe('cpuColumnOf', () => {
  it.each([
    // 25m columns below 2 CPUs: 0..24 → 0, 1999 → 79; 250m columns above: 2000 → 80, 2250 → 81
    { freeMilli: -500, column: 0 },
    { freeMilli: 0, column: 0 },
    { freeMilli: 24, column: 0 },
    { freeMilli: 25, column: 1 },
    { freeMilli: 1999, column: 79 },
    { freeMilli: 2000, column: 80 },
    { freeMilli: 2249, column: 80 },
    { freeMilli: 2250, column: 81 },
    // 80 + (512000 - 2000) / 250 = 2120; beyond the last column everything shares it
    { freeMilli: 512_000, column: 2120 },
    { freeMilli: 10_000_000, column: 2127 },
  ])('$freeMilli m → column $column', ({ freeMilli, column }) => {
    expect(cpuColumnOf(freeMilli)).toBe(column);
  });
});

describe('AgentPool.collectFitting', () => {
  function directoryWith(frees: Array<[id: string, cpuMilli: number, memoryGi: number]>): AgentDirectory {
    const directory = new AgentDirectory();
    for (const [id, cpuMilli, memoryGi] of frees) {
      const state = directory.upsert(agent(id).cpu(16).memory('64Gi').build(), () => ({ resources: { cpuMilli: 0, memoryBytes: 0, gpus: 0 }, gpuIndices: [] }));
      directory.take(state, `fill-${id}`, { cpuMilli: 16_000 - cpuMilli, memoryBytes: (64 - memoryGi) * GI, gpus: 0 });
    }
    return directory;
  }
  const search = (directory: AgentDirectory, d: ReturnType<typeof demand>, emptiestFirst = false): string[] => {
    const out: AgentState[] = [];
    const [pool] = directory.poolsFor({ executor: 'thread', constraints: {} });
    pool!.collectFitting(d, emptiestFirst, 8, out);
    return out.map((a) => a.node.id);
  };

  it.each([
    // free CPU: a 1, b 3, c 3, d 8; 2 CPUs: columns from 80 up: b and c share column 84
    { name: 'the tightest bucket that fits', d: demand(2000, 1), emptiestFirst: false, found: ['b', 'c'] },
    // c has only 1Gi free: skipped inside the bucket
    { name: 'memory is checked per agent', d: demand(2000, 4), emptiestFirst: false, found: ['b'] },
    // 9 CPUs: nobody
    { name: 'nothing when no agent has room', d: demand(9000, 1), emptiestFirst: false, found: [] },
    { name: 'spread searches from the emptiest', d: demand(2000, 1), emptiestFirst: true, found: ['d'] },
  ])('$name', ({ d, emptiestFirst, found }) => {
    const directory = directoryWith([['a', 1000, 8], ['b', 3000, 8], ['c', 3000, 1], ['d', 8000, 8]]);
    expect(search(directory, d, emptiestFirst)).toEqual(found);
  });

  it('tightens a bucket bound after reading it whole, and re-opens it when an agent frees room', () => {
    const directory = directoryWith([['b', 3000, 1], ['c', 3000, 1]]);
    // 4Gi: the 3-CPU bucket is read whole, no fit; its memory bound becomes exact (1Gi)
    expect(search(directory, demand(2000, 4))).toEqual([]);
    const c = directory.agents.get('c')!;
    directory.giveBack(c, 'fill-c', { cpuMilli: 0, memoryBytes: 8 * GI, gpus: 0 }, []);
    expect(search(directory, demand(2000, 4))).toEqual(['c']);
  });
});
