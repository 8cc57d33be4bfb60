// Queue order: priority within a project, submission order (seq) among equals, and dominant
// resource fairness between projects (scheduler/placement/fair-share.ts).
import { describe, expect, it } from 'vitest';
import { dominantShare } from '../../scheduler/placement/fair-share.js';
import { agent, placerWith, task } from '../support/placement-builders.js';

const GI = 2 ** 30;

describe('dominantShare', () => {
  it.each([
    // max(cpu 4/16, mem 2/64) = .25
    { name: 'CPU dominates', usage: { cpuMilli: 4000, memoryBytes: 2 * GI, gpus: 0 }, share: 0.25 },
    // max(cpu 1/16, mem 32/64) = .5
    { name: 'memory dominates', usage: { cpuMilli: 1000, memoryBytes: 32 * GI, gpus: 0 }, share: 0.5 },
    // max(cpu 2/16, mem 8/64, gpu 3/4) = .75
    { name: 'GPUs dominate', usage: { cpuMilli: 2000, memoryBytes: 8 * GI, gpus: 3 }, share: 0.75 },
    { name: 'nothing used', usage: { cpuMilli: 0, memoryBytes: 0, gpus: 0 }, share: 0 },
  ])('$name: $share', ({ usage, share }) => {
    expect(dominantShare(usage, { cpuMilli: 16000, memoryBytes: 64 * GI, gpus: 4 })).toBeCloseTo(share, 12);
  });

  it('ignores a resource the cluster has none of', () => {
    expect(dominantShare({ cpuMilli: 1000, memoryBytes: 0, gpus: 0 }, { cpuMilli: 4000, memoryBytes: GI, gpus: 0 })).toBe(0.25);
  });
});

describe('queue order', () => {
  it('starts higher priority first within a project, then by submission order', () => {
    // one 1-CPU slot at a time: the order of placements is the queue order
    const placer = placerWith([agent('a').cpu(1)], [
      task('low-1').seq(1), task('high-2').priority(5).seq(2), task('low-0').seq(0), task('high-3').priority(5).seq(3),
    ]);
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      const [p] = placer.schedule();
      order.push(p!.taskId);
      placer.release(p!.taskId);
    }
    expect(order).toEqual(['high-2', 'high-3', 'low-0', 'low-1']);
  });

  it('a 5-task job of another project is not starved by a 10,000-task sweep submitted before it', () => {
    // 4 agents x 4 CPUs = 16 one-CPU slots; the sweep comes first and asks for 10,000
    const sweep = Array.from({ length: 10_000 }, (_, i) => task(`sweep-${i}`).project('sweep'));
    const small = Array.from({ length: 5 }, (_, i) => task(`small-${i}`).project('small'));
    const placer = placerWith(['a', 'b', 'c', 'd'].map((id) => agent(id).cpu(4)), [...sweep, ...small]);
    const first = placer.schedule().map((p) => p.taskId);
    // DRF: small's share stays below sweep's until all 5 run: 5 of 16 slots, sweep gets 11
    expect(first.filter((id) => id.startsWith('small-'))).toHaveLength(5);
    expect(first.filter((id) => id.startsWith('sweep-'))).toEqual(Array.from({ length: 11 }, (_, i) => `sweep-${i}`));
  });

  it('shares by the dominant resource: a GPU project and a CPU project each get their turn', () => {
    // cluster: 8 CPUs, 2 GPUs. gpu tasks (1 CPU, 1 GPU): share 1/2 each; cpu tasks (1 CPU): 1/8 each
    const placer = placerWith([agent('g').cpu(8).memory('64Gi').gpus(2)], [
      ...Array.from({ length: 4 }, (_, i) => task(`gpu-${i}`).project('gpu').gpus(1)),
      ...Array.from({ length: 8 }, (_, i) => task(`cpu-${i}`).project('cpu')),
    ]);
    const placed = placer.schedule().map((p) => p.taskId);
    // shares 0 = 0, gpu-0 submitted first → gpu .5; cpu-0..3 → cpu .125, .25, .375, .5;
    // .5 = .5, gpu-1 submitted first → gpu 1.0; GPUs gone, cpu-4, cpu-5 take the last 2 CPUs
    expect(placed.filter((id) => id.startsWith('gpu-'))).toEqual(['gpu-0', 'gpu-1']);
    expect(placed.filter((id) => id.startsWith('cpu-'))).toHaveLength(6);
  });

  it('dequeue removes a task before it is placed, and only once', () => {
    const placer = placerWith([agent('a').cpu(1)], [task('t1'), task('t2')]);
    expect(placer.dequeue('t1')).toBe(true);
    expect(placer.dequeue('t1')).toBe(false);
    expect(placer.queuedCount).toBe(1);
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['t2']);
    expect(placer.why('t1')).toBeUndefined();
  });

  it('a per-pass budget stops a pass and says so; the next pass goes on in order', () => {
    const placer = placerWith([agent('a').cpu(8)], Array.from({ length: 5 }, (_, i) => task(`t${i}`)), { maxPlacementsPerPass: 3 });
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['t0', 't1', 't2']);
    expect(placer.lastPassTruncated).toBe(true);
    expect(placer.schedule().map((p) => p.taskId)).toEqual(['t3', 't4']);
    expect(placer.lastPassTruncated).toBe(false);
  });
});
