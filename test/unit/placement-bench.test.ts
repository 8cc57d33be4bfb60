// The placement benchmark at toy size: it runs, its result survives JSON, and its figures are
// consistent (shares within [0, 1], the placer never places more than exists).
import { describe, expect, it } from 'vitest';
import { firstFitDecreasing } from '../../bench/placement-first-fit.js';
import { runPlacementBench } from '../../bench/placement.js';
import { agent, task } from '../support/placement-builders.js';

describe('placement bench', () => {
  it('runs small and returns a JSON-serialisable result', async () => {
    const lines: string[] = [];
    const result = await runPlacementBench({ agents: 200, tasks: 20_000, seed: 7, log: (line) => lines.push(line) });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    expect(result.placer.fill.placements).toBeGreaterThan(0);
    expect(result.placer.fill.placements).toBeLessThanOrEqual(20_000);
    for (const share of Object.values(result.placer.packing).slice(0, 4)) {
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
    }
    expect(result.placer.halfClusterAgentsUsedShare).toBeLessThanOrEqual(1);
    expect(lines.some((line) => line.includes('first-fit-d'))).toBe(true);
  });

  it('first-fit decreasing places the largest first, each on the first agent with room', () => {
    // a(4) b(4): sorted 3, 2, 2, 1 → 3 on a; 2 on b; 2 on b; 1 on a
    const outcome = firstFitDecreasing([agent('a').cpu(4).build(), agent('b').cpu(4).build()], [
      task('t1').cpu(1).build(), task('t2').cpu(2).build(), task('t3').cpu(3).build(), task('t4').cpu(2).build(), task('t5').cpu(1).build(),
    ]);
    expect(outcome.placed).toBe(4);
    expect(outcome.agents.map((a) => a.tasks)).toEqual([2, 2]);
    expect(outcome.waiting.map((t) => t.id)).toEqual(['t5']);
  });
});
