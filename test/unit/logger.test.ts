// The daemons' logger: lines leave once per loop turn, none is lost at exit, pipes get every line.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../core/logger.js';

const dir = mkdtempSync(path.join(tmpdir(), 'clusterd-logger-'));
/** Child processes import the built module, as the daemons run it. */
const builtLogger = fileURLToPath(new URL('../../dist/core/logger.js', import.meta.url));
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

  it('writes the lines still waiting when the process exits', () => {
    const script = `import { createLogger } from ${JSON.stringify(builtLogger)};
const log = createLogger({ name: 'agent' });
log.info('first'); log.error('last words'); process.exit(3);`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, res.stderr).toBe(3);
    expect(res.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['first', 'last words']);
  });

  it('delivers every line to a pipe, written asynchronously, by the time the process exits', () => {
    const script = `import { createLogger } from ${JSON.stringify(builtLogger)};
const log = createLogger({ name: 'agent' });
for (let i = 0; i < 1000; i++) log.info({ i }, 'line');`;
    const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n').map((l) => JSON.parse(l) as { i: number });
    expect(lines.map((l) => l.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
