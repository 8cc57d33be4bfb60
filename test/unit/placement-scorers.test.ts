// Worked examples of the bounded scores in scheduler/placement/scorers.ts:
//   binPack = 100 * mean over D of (capacity - free + demand) / capacity,  spread = 100 - binPack
import { describe, expect, it } from 'vitest';
import { binPackScore, spreadScore } from '../../scheduler/placement/scorers.js';

const GI = 2 ** 30;
const r = (cpus: number, memoryGi: number, gpus = 0) => ({ cpuMilli: cpus * 1000, memoryBytes: memoryGi * GI, gpus });

describe('binPackScore and spreadScore', () => {
  it.each([
    // capacity, free, demand, binPack — the arithmetic above each row
    // cpu (4-2+2)/4 = 1, mem (8-4+4)/8 = 1 → 100
    { name: 'the task fills the agent exactly', capacity: r(4, 8), free: r(2, 4), demand: r(2, 4), binPack: 100 },
    // cpu (4-4+1)/4 = .25, mem (8-8+2)/8 = .25 → 25
    { name: 'a quarter task on an empty agent', capacity: r(4, 8), free: r(4, 8), demand: r(1, 2), binPack: 25 },
    // cpu (4-1+1)/4 = 1, mem (8-6+2)/8 = .5 → 75
    { name: 'CPU full, memory half', capacity: r(4, 8), free: r(1, 6), demand: r(1, 2), binPack: 75 },
    // cpu (32-32+8)/32 = .25, mem (64-64+16)/64 = .25, gpu (8-8+2)/8 = .25 → 25
    { name: 'GPU agents score GPUs too', capacity: r(32, 64, 8), free: r(32, 64, 8), demand: r(8, 16, 2), binPack: 25 },
    // cpu (32-16+8)/32 = .75, mem (64-32+16)/64 = .75, gpu (8-0+0)/8 = 1 → 83.33
    { name: 'a CPU task on a GPU agent whose GPUs are all taken', capacity: r(32, 64, 8), free: r(16, 32, 0), demand: r(8, 16, 0), binPack: 250 / 3 },
    // cpu (32-32+8)/32 = .25, mem .25, gpu (8-8+0)/8 = 0 → 16.67: low, GPU boxes look empty to CPU tasks
    { name: 'a CPU task on an idle GPU agent', capacity: r(32, 64, 8), free: r(32, 64, 8), demand: r(8, 16, 0), binPack: 50 / 3 },
    // shrunk capacity: cpu (2-(-1)+1)/2 = 2 → clamped 1, mem (8-8+8)/8 = 1 → 100, never above
    { name: 'over-committed agents stay in range', capacity: r(2, 8), free: r(-1, 8), demand: r(1, 8), binPack: 100 },
  ])('$name: $binPack', ({ capacity, free, demand, binPack }) => {
    expect(binPackScore(capacity, free, demand)).toBeCloseTo(binPack, 9);
    expect(spreadScore(capacity, free, demand)).toBeCloseTo(100 - binPack, 9);
  });

  it('stays within [0, 100] for a fitting demand', () => {
    for (const cpus of [0, 1, 3, 4]) {
      const score = binPackScore(r(4, 8, 2), r(4, 8, 2), r(cpus, cpus * 2, cpus % 3));
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(100);
    }
  });
});
