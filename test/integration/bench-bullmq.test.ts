// The bench's bare-queue peer (bench/bullmq.ts): BullMQ on a private redis-server it starts and
// stops by pid, with the jobs it was given all completed and timed.
import { describe, expect, it } from 'vitest';
import { runBullmq } from '../../bench/bullmq.js';

describe('the BullMQ peer', () => {
  it('runs its no-op jobs on a private redis-server and reports jobs/s', async () => {
    const result = await runBullmq(2_000, 2);
    if (!result.available) throw new Error(result.note);
    expect(result.jobs).toBe(2_000);
    expect(result.concurrency).toBe(50);
    expect(result.seconds).toHaveLength(2);
    // the median of two sweeps is their mean; their seconds are rounded to 10 ms (a few percent of ~0.3 s)
    const meanSeconds = (result.seconds[0]! + result.seconds[1]!) / 2;
    expect(result.jobsPerSec).toBeGreaterThan(0);
    expect(Math.abs(result.jobsPerSec * meanSeconds - 2_000)).toBeLessThan(200);
  }, 60_000);
});
