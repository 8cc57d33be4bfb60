// clusterctl schedule: a per-second cron fires runs, once per tick; ls and rm.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, startDev, type DevCluster } from '../support/cli-cluster.js';

interface ScheduleJson { name: string; cron: string; last_tick_ms: number; last_run_id: string; next_tick_ms: number }
interface RunJson { run_id: string; name: string; state: string; created_at_ms: number }

describe('schedule', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(1);
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it('fires a run at each tick, once, until removed', async () => {
    const added = await clusterctl(['schedule', 'add', 'every2s', 'examples/hello/job.yaml', '--cron', '*/2 * * * * *', '-p', 'repeat=1'], { addr: dev.addr });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toMatch(/schedule every2s added; next run at/);

    await eventually(async () => (await clusterctlJson<RunJson[]>(['status'], dev.addr)).length >= 2, 15_000, 'two scheduled runs');
    // The schedule first, then the runs: a tick may fire in between, never the other way round.
    const [listed] = await clusterctlJson<ScheduleJson[]>(['schedule', 'ls'], dev.addr);
    const fired = await clusterctlJson<RunJson[]>(['status'], dev.addr);
    expect(listed).toMatchObject({ name: 'every2s', cron: '*/2 * * * * *' });
    expect(listed!.last_tick_ms % 2000).toBe(0);
    expect(fired.map((r) => r.run_id)).toContain(listed!.last_run_id);

    const removed = await clusterctl(['schedule', 'rm', 'every2s'], { addr: dev.addr });
    expect(removed.code).toBe(0);
    const removedAt = Date.now();
    // A tick at or before the removal may still have fired, none after it. A second schedule,
    // every second, shows when the cron loop has passed the removed one's next tick.
    const nextTick = Math.ceil(removedAt / 2000) * 2000;
    const marker = await clusterctl(['schedule', 'add', 'marker', 'examples/sweep/job.yaml', '--cron', '* * * * * *'], { addr: dev.addr });
    expect(marker.code, marker.stderr).toBe(0);
    await eventually(async () => (await clusterctlJson<RunJson[]>(['status', '--limit', '100'], dev.addr))
      .some((r) => r.name !== 'hello' && Number(r.created_at_ms) >= nextTick + 1000), 20_000, 'the cron loop past the next tick');
    expect((await clusterctl(['schedule', 'rm', 'marker'], { addr: dev.addr })).code).toBe(0);
    const runs = (await clusterctlJson<RunJson[]>(['status', '--limit', '100'], dev.addr)).filter((r) => r.name === 'hello');
    const ticks = runs.map((r) => Math.floor(Number(r.created_at_ms) / 2000));
    expect(Math.max(...ticks) * 2000).toBeLessThanOrEqual(removedAt);
    // one run per 2 s tick at most: runs are created at distinct ticks
    expect(new Set(ticks).size).toBe(ticks.length);
    const result = await clusterctlJson<{ result: { message: string } }>(['result', runs[runs.length - 1]!.run_id, 'finish'], dev.addr);
    expect(result.result.message).toBe('HELLO');
  });

  it('refuses a bad cron expression with exit 2, and an unknown schedule with exit 1', async () => {
    const bad = await clusterctl(['schedule', 'add', 'bad', 'examples/hello/job.yaml', '--cron', 'whenever'], { addr: dev.addr });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cron "whenever"');
    const unknown = await clusterctl(['schedule', 'rm', 'nope'], { addr: dev.addr });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no schedule "nope"');
  });
});
