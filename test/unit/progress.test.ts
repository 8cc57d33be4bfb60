import { describe, expect, it } from 'vitest';
import { RunProgress } from '../../cli/progress.js';
import type { RunStatus__Output } from '../../proto/types.js';

function sink(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
}

const status = (done: number, state = 'running'): RunStatus__Output => ({
  run_id: 'r-1', state, steps: [
    { name: 'start', state: 'succeeded', total: 1, succeeded: 1, failed: 0, running: 0, waiting: 0, reused: 0, tasks: [] },
    { name: 'train', state, total: 1000, succeeded: done, failed: 0, running: 2, waiting: 1000 - done - 2, reused: 0, tasks: [] },
  ],
} as unknown as RunStatus__Output);

describe('RunProgress', () => {
  it('on a terminal, redraws a line per step in place, with the rate and the time left', () => {
    const { written, stream } = sink(true);
    const progress = new RunProgress(stream);
    progress.update(status(0), 0);
    progress.update(status(100), 1_000);
    expect(written[0]).not.toContain('\x1b[2A'); // nothing to go back over yet
    expect(written[1]!.startsWith('\x1b[2A')).toBe(true); // back up two lines, then both again
    expect(written[1]).toContain('train        running       100/1000 done, 2 running, 898 waiting, 0 failed, 100/s, ~9.00s left');
    expect(written[1]).toContain('start        succeeded       1/1 done');
  });

  it('elsewhere, a plain line per step at most every 10 s, and only when something moved', () => {
    const { written, stream } = sink(false);
    const progress = new RunProgress(stream);
    progress.update(status(0), 10_000);
    progress.update(status(50), 12_000); // too soon
    progress.update(status(50), 25_000);
    progress.update(status(50), 40_000); // nothing moved
    expect(written).toHaveLength(2);
    expect(written[1]).toMatch(/progress: train +running +50\/1000 done/);
    expect(written.join('')).not.toContain('\x1b');
  });
});
