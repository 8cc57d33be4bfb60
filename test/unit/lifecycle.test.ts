// The lifecycle pieces daemons are built with: a background loop that outlives a failed
// iteration (backing off, then going on), and the handlers that stop a daemon on an error
// nothing handled, with status 70.
import { describe, expect, it } from 'vitest';
import { crashExitCode, exitOnCrash } from '../../cli/context.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { ownedLoop } from '../../core/owned-loop.js';

function recordingLogger(): { logger: Logger; errors: Array<Record<string, unknown>>; fatal: Array<Record<string, unknown>> } {
  const errors: Array<Record<string, unknown>> = [];
  const fatal: Array<Record<string, unknown>> = [];
  const logger = { ...silentLogger, error: (obj: Record<string, unknown>) => errors.push(obj), fatal: (obj: Record<string, unknown>) => fatal.push(obj) } as unknown as Logger;
  return { logger, errors, fatal };
}

describe('ownedLoop', () => {
  it('goes on after an iteration throws, backs off while they fail, and ends when aborted', async () => {
    const { logger, errors } = recordingLogger();
    const controller = new AbortController();
    const at: number[] = [];
    const loop = ownedLoop({ name: 'test', signal: controller.signal, intervalMs: 10, maxBackoffMs: 40, logger }, () => {
      at.push(performance.now());
      if (at.length <= 3) throw new Error(`failure ${at.length}`);
      if (at.length === 5) controller.abort();
    });
    await loop; // resolves, never rejects
    expect(at).toHaveLength(5);
    expect(errors.map((e) => [e.failuresInARow, e.err])).toEqual([[1, 'failure 1'], [2, 'failure 2'], [3, 'failure 3']]);
    // after failures 1, 2, 3 the pauses are 20, 40 and 40 ms (capped); after a success, 10 again
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(19);
    expect(at[3]! - at[2]!).toBeGreaterThanOrEqual(39);
  });

  it('starts no iteration once aborted during its pause', async () => {
    const controller = new AbortController();
    let ran = 0;
    const loop = ownedLoop({ name: 'test', signal: controller.signal, intervalMs: 60_000, logger: silentLogger }, () => {
      ran++;
    });
    controller.abort();
    await loop;
    expect(ran).toBe(0);
  });
});

describe('exitOnCrash', () => {
  it('logs an unhandled rejection or an uncaught exception and exits with status 70', () => {
    const { logger, fatal } = recordingLogger();
    const codes: number[] = [];
    const before = { rejection: process.listeners('unhandledRejection'), exception: process.listeners('uncaughtException') };
    const remove = exitOnCrash(logger, (code) => codes.push(code));
    try {
      const onRejection = process.listeners('unhandledRejection').find((l) => !before.rejection.includes(l))!;
      const onException = process.listeners('uncaughtException').find((l) => !before.exception.includes(l))!;
      // Called directly: emitting the events would reach the test runner's own handlers too.
      (onRejection as (err: unknown) => void)(new Error('a write nobody awaited failed'));
      (onException as (err: unknown) => void)(new TypeError('x is undefined'));
      expect(codes).toEqual([crashExitCode, crashExitCode]);
      expect(crashExitCode).toBe(70);
      expect(fatal.map((f) => f.err)).toEqual(['a write nobody awaited failed', 'x is undefined']);
    } finally {
      remove();
    }
    expect(process.listeners('unhandledRejection')).toEqual(before.rejection);
  });
});
