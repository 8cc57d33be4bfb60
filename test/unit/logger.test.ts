// The daemons' logger: lines to a regular file are written at once; lines to a pipe still arrive.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';

const dir = mkdtempSync(path.join(tmpdir(), 'clusterd-logger-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createLogger', () => {
  it('writes a line to a regular file before the call returns', () => {
    const file = path.join(dir, 'daemon.log');
    const fd = openSync(file, 'a');
    try {
      createLogger({ name: 'scheduler', destination: fd }).info({ runId: 'r-1' }, 'run submitted');
      const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 30, name: 'scheduler', runId: 'r-1', msg: 'run submitted' });
      expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    } finally {
      closeSync(fd);
    }
  });

  it('delivers every line to a pipe, written asynchronously, by the time the process exits', () => {
    const logger = fileURLToPath(new URL('../../dist/core/logger.js', import.meta.url)); // built, as the daemons run it
    const script = `import { createLogger } from ${JSON.stringify(logger)};
const log = createLogger({ name: 'agent' });
for (let i = 0; i < 1000; i++) log.info({ i }, 'line');`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { i: number });
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
