// OrderedClose: steps once and in order, failures logged and passed over, deadlines forced.
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../core/logger.js';
import { OrderedClose } from '../../core/ordered-close.js';

function recordingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({}, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

describe('OrderedClose', () => {
  it('runs each step once, in order, and every caller waits for the same close', async () => {
    const order: string[] = [];
    let asked = 0;
    const closer = new OrderedClose('part', () => {
      asked++;
      return [
        { name: 'a', run: async () => { await new Promise((r) => setTimeout(r, 10)); order.push('a'); } },
        { name: 'b', run: () => { order.push('b'); } },
      ];
    });
    expect(closer.begun).toBe(false);
    const first = closer.close();
    const second = closer.close();
    expect(second).toBe(first);
    expect(closer.begun).toBe(true);
    await first;
    await closer.close();
    expect(order).toEqual(['a', 'b']);
    expect(asked).toBe(1);
  });

  it('logs a failed step and still runs the rest; close itself never rejects', async () => {
    const { logger, lines } = recordingLogger();
    const order: string[] = [];
    const closer = new OrderedClose('part', () => [
      { name: 'store', run: async () => { throw new Error('disk gone'); } },
      { name: 'sync-throw', run: () => { throw new Error('no handle'); } },
      { name: 'server', run: () => { order.push('server'); } },
    ], logger);
    await expect(closer.close()).resolves.toBeUndefined();
    expect(order).toEqual(['server']);
    expect(lines.map((l) => [l.step, l.err])).toEqual([['store', 'disk gone'], ['sync-throw', 'no handle']]);
  });

  it('forces a step past its deadline and goes on; a step in time is not forced', async () => {
    const { logger, lines } = recordingLogger();
    const events: string[] = [];
    let release!: () => void;
    const closer = new OrderedClose('part', () => [
      { name: 'quick', run: () => undefined, deadlineMs: 1_000, force: () => events.push('forced quick') },
      { name: 'stuck', run: () => new Promise<void>((r) => (release = r)), deadlineMs: 20, force: () => events.push('forced stuck') },
      { name: 'after', run: () => { events.push('after'); } },
    ], logger);
    await closer.close();
    expect(events).toEqual(['forced stuck', 'after']);
    expect(lines).toMatchObject([{ step: 'stuck', deadlineMs: 20, msg: expect.stringContaining('forced') }]);
    release();
  });
});
