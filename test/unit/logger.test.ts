// The daemons' logger: lines leave once per loop turn (exit and pipes: integration/logger-exit.test.ts).
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';

const dir = mkdtempSync(path.join(tmpdir(), 'clusterd-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createLogger', () => {
  it('writes the lines of one loop turn to a regular file together, once the turn is over', async () => {
    const file = path.join(dir, 'daemon.log');
    const fd = openSync(file, 'a');
    try {
      const log = createLogger({ name: 'scheduler', destination: fd });
      log.info({ runId: 'r-1' }, 'run submitted');
      log.info({ runId: 'r-1', state: 'succeeded' }, 'run ended');
      expect(readFileSync(file, 'utf8')).toBe(''); // nothing written inside the turn
      await new Promise((resolve) => setImmediate(resolve));
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toMatchObject([
        { level: 30, name: 'scheduler', runId: 'r-1', msg: 'run submitted' },
        { level: 30, name: 'scheduler', runId: 'r-1', state: 'succeeded', msg: 'run ended' },
      ]);
      expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      closeSync(fd);
    }
  });
});
