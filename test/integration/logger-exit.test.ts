// The daemons' logger in a process of its own, as the daemons run it (the built module): no line
// is lost when the process exits, and a pipe gets every line.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const builtLogger = fileURLToPath(new URL('../../dist/core/logger.js', import.meta.url));

describe('createLogger in a daemon process', () => {
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
