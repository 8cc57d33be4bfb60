// A leader stopped with SIGTERM resigns on purpose: it says so at info, with no warning.
import { describe, expect, it } from 'vitest';
import { freePort, startDaemon } from '../support/cli-cluster.js';

describe('scheduler stop', () => {
  it('logs "leadership released" at info, not "leadership lost", when SIGTERM stops the leader', async () => {
    const scheduler = startDaemon(['scheduler', '--listen', `127.0.0.1:${await freePort()}`]);
    try {
      await scheduler.waitFor(/"to":"leader"/);
    } finally {
      await scheduler.stop();
    }
    const lines = scheduler.output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; reason?: string });
    expect(lines.filter((l) => l.msg === 'leadership released')).toEqual([expect.objectContaining({ level: 30, reason: 'closed' })]);
    expect(lines.filter((l) => l.msg === 'leadership lost')).toEqual([]);
    expect(lines.filter((l) => l.level >= 40)).toEqual([]);
  });
});
