// The bench's bare-queue peer (bench/bullmq.ts): BullMQ on a private redis-server it starts and
// stops by pid, with the jobs it was given all completed and timed.
import { describe, expect, it } from 'vitest';
import { runBullmq } from '../../bench/bullmq.js';

describe('the BullMQ peer', () => {
  it('runs its no-op jobs on a private redis-server and reports jobs/s', async () => {
    const result = await runBullmq(2_000, 3);
    if (!result.available) throw new Error(result.note);
    expect(result.jobs).toBe(2_000);
    expect(result.concurrency).toBe(50);
    expect(result.seconds).toHaveLength(3);
    // the figure is the middle sweep's; its seconds are rounded to 10 ms (a few percent of ~0.3 s)
    const middle = [...result.seconds].sort((a, b) => a - b)[1]!;
    expect(result.jobsPerSec).toBeGreaterThan(0);
    expect(Math.abs(result.jobsPerSec * middle - 2_000)).toBeLessThan(200);
  }, 60_000);
});
