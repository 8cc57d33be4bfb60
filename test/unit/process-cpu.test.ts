// Reading a process's CPU time from /proc, as the throughput benchmark does for its cluster.
import { describe, expect, it } from 'vitest';
import { cpuDuring, processCpuMs } from '../../bench/process-cpu.js';

describe('process CPU', () => {
  it('counts the CPU a process burns during a span', async () => {
    // Spins until this process has burnt 200 ms of CPU by its own account, however long that
    // takes on a busy machine; /proc counts the same time in 10 ms ticks.
    const { value, cpuMs } = await cpuDuring([process.pid], async () => {
      const start = process.cpuUsage();
      let spins = 0;
      while (process.cpuUsage(start).user + process.cpuUsage(start).system < 200_000) spins++;
      return spins;
    });
    expect(value).toBeGreaterThan(0);
    expect(cpuMs[0]).toBeGreaterThanOrEqual(180);
    expect(cpuMs[0]).toBeLessThanOrEqual(400);
  });

  it('says nothing for a process that does not exist', () => {
    expect(processCpuMs(2 ** 22 + 1)).toBeUndefined();
  });
});
