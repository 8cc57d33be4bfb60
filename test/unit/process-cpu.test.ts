// Reading a process's CPU time from /proc, as the throughput benchmark does for its cluster.
import { describe, expect, it } from 'vitest';
import { cpuDuring, processCpuMs } from '../../bench/process-cpu.js';

describe('process CPU', () => {
  it('counts the CPU a process burns during a span', async () => {
    const { value, cpuMs } = await cpuDuring([process.pid], async () => {
      const end = Date.now() + 200;
      let spins = 0;
      while (Date.now() < end) spins++;
      return spins;
    });
    expect(value).toBeGreaterThan(0);
    // 200 ms of wall time on the CPU, counted in 10 ms ticks; a busy machine may take some.
    expect(cpuMs[0]).toBeGreaterThanOrEqual(100);
    expect(cpuMs[0]).toBeLessThanOrEqual(400);
  });

  it('says nothing for a process that does not exist', () => {
    expect(processCpuMs(2 ** 22 + 1)).toBeUndefined();
  });
});
