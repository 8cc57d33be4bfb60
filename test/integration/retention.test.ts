// --retain through clusterctl: a finished run past its retention is deleted (status says so,
// listings leave it out, the state log holds no record of it) and store gc then collects what
// it produced; the flag is refused when it would expire runs before they are compacted.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { clusterctl, clusterctlJson, freePort, startAgent, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { tempDir, type TempDir } from '../support/temp.js';

interface StoreStats { objects: number }

describe('retention of finished runs', () => {
  let dir: TempDir;
  let addr: string;
  let scheduler: Daemon;
  let agent: Daemon;

  beforeAll(async () => {
    dir = await tempDir('clusterd-retention');
    addr = `127.0.0.1:${await freePort()}`;
    scheduler = startDaemon(['scheduler', '--listen', addr, '--state', path.join(dir.path, 'state.log'), '--store', path.join(dir.path, 'store'),
      '--compact-after', '1s', '--retain', '4s', '--gc-grace', '0s']);
    await scheduler.waitFor(/scheduler listening/);
    agent = await startAgent(addr, 'retention-agent');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await scheduler?.stop();
    await dir?.remove();
  });

  it('deletes a run past --retain; store gc then collects its objects', async () => {
    const submitted = await clusterctl(['submit', 'test/fixtures/ha/job.yaml', '-p', 'items=3', '-p', 'ms=0', '--wait', '-o', 'json'], { addr, timeoutMs: 60_000 });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = (JSON.parse(submitted.stdout) as { run_id: string }).run_id;
    expect((await clusterctlJson<{ result: unknown }>(['result', runId, 'total'], addr)).result).toBe(3);
    expect((await clusterctlJson<StoreStats>(['store', 'stats', '-o', 'json'], addr)).objects).toBeGreaterThan(0);

    await scheduler.waitFor(new RegExp(`"runIds":\\[[^\\]]*"${runId}"[^\\]]*\\],"msg":"finished runs past --retain deleted`), 30_000);
    const status = await clusterctl(['status', runId], { addr });
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain(`no run "${runId}"`);
    expect((await clusterctlJson<Array<{ run_id: string }>>(['status'], addr)).map((r) => r.run_id)).not.toContain(runId);

    // Nothing refers to the run's code package, tasks object, logs or results any more.
    const gc = await clusterctl(['store', 'gc'], { addr });
    expect(gc.code, gc.stderr).toBe(0);
    expect((await clusterctlJson<StoreStats>(['store', 'stats', '-o', 'json'], addr)).objects).toBe(0);

    await scheduler.stop();
    const state = await MemoryStateStore.open(path.join(dir.path, 'state.log'));
    expect(await state.list('runs/')).toEqual([]);
    expect(await state.list('tasks/')).toEqual([]);
    await state.close();
  }, 90_000);

  it('refuses --retain no longer than --compact-after, before starting anything', async () => {
    const res = await clusterctl(['scheduler', '--listen', `127.0.0.1:${await freePort()}`, '--retain', '5m', '--compact-after', '10m'], { timeoutMs: 20_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--retain 5m must be longer than --compact-after 10m');
  });
});
