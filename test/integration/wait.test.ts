// Waiting for a run, as users do: `clusterctl wait RUN` follows it to its end across a restart of
// the only scheduler, exits with the run's outcome, and gives up only when told to or when no
// scheduler has answered for its patience, saying how to re-attach.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTimeOf } from '../../core/proc.js';
import { clusterctl, eventually, freePort, repoRoot, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { tempDir, type TempDir } from '../support/temp.js';

const slow = path.join(repoRoot, 'test/fixtures/jobs/slow.yaml');

describe('clusterctl wait', () => {
  let tmp: TempDir;
  let addr: string;
  let dev: Daemon;
  const startDev = async () => {
    dev = startDaemon(['dev', '--data', tmp.path, '--port', addr.split(':')[1]!, '--agents', '1']);
    await dev.waitFor(/agent\(s\) ready/, 60_000);
  };
  const submit = async (...params: string[]) => {
    const res = await clusterctl(['submit', slow, ...params.flatMap((p) => ['-p', p]), '-o', 'json'], { addr });
    expect(res.code, res.stderr).toBe(0);
    return (JSON.parse(res.stdout) as { run_id: string }).run_id;
  };

  beforeAll(async () => {
    tmp = await tempDir('clusterd-wait');
    addr = `127.0.0.1:${await freePort()}`;
    await startDev();
  }, 90_000);
  afterAll(async () => {
    await dev?.stop();
    await tmp?.remove();
  });

  it('follows a run across a restart of the only scheduler and exits 0 when it succeeds; so does submit --wait', async () => {
    const runId = await submit('ms=3000');
    const waiting = clusterctl(['wait', runId], { addr, timeoutMs: 120_000 });
    const submitting = clusterctl(['submit', slow, '-p', 'ms=3000', '--wait'], { addr, timeoutMs: 120_000 });
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // both are waiting
    await dev.stop(); // SIGTERM: the scheduler and its agent go away; state stays under --data
    await startDev();
    const res = await waiting;
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`run ${runId} +succeeded`));
    const submitted = await submitting;
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toMatch(/run \S+ +succeeded/);
  }, 150_000);

  it('exits 5 when --timeout passes first, saying the run goes on and how to re-attach; 1 when the run is cancelled', async () => {
    const runId = await submit('ms=60000');
    const timedOut = await clusterctl(['wait', runId, '--timeout', '1s'], { addr });
    expect(timedOut.code).toBe(5);
    expect(timedOut.stderr).toContain(`run ${runId} goes on; re-attach with: clusterctl wait ${runId}`);
    const waiting = clusterctl(['wait', runId, '-o', 'json'], { addr, timeoutMs: 60_000 });
    expect((await clusterctl(['cancel', runId], { addr })).code).toBe(0);
    const cancelled = await waiting;
    expect(cancelled.code).toBe(1);
    expect((JSON.parse(cancelled.stdout) as { state: string }).state).toBe('cancelled');
  }, 90_000);

  it('gives up with exit 3 once no scheduler has answered for its patience, saying the run may still be running', async () => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const started = Date.now();
    const res = await clusterctl(['wait', 'r-123', '--patience', '2s'], { addr: nobody, timeoutMs: 30_000 });
    expect(res.code).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect(res.stderr).toContain('no scheduler answered for 2 s while waiting for run r-123: it may still be running; re-attach with: clusterctl wait r-123');
  });

  it('status RUN --watch follows the run to its end and shows its status; without a run it is bad usage', async () => {
    const runId = await submit('ms=1500');
    const watched = await clusterctl(['status', runId, '--watch'], { addr, timeoutMs: 60_000 });
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toMatch(new RegExp(`run ${runId} +succeeded`));
    expect((await clusterctl(['status', '--watch'], { addr })).code).toBe(2);
  });

  it('clusterctl runs lists them newest first, filtered by state, name, project and age', async () => {
    const all = await clusterctl(['runs', '-o', 'json'], { addr });
    const runs = JSON.parse(all.stdout) as Array<{ run_id: string; state: string; created_at_ms: number }>;
    expect(runs.map((r) => r.state).sort()).toEqual(['cancelled', 'succeeded', 'succeeded', 'succeeded']);
    expect(runs.map((r) => Number(r.created_at_ms))).toEqual(runs.map((r) => Number(r.created_at_ms)).sort((a, b) => b - a));
    const cancelled = JSON.parse((await clusterctl(['runs', '--state', 'cancelled', '-o', 'json'], { addr })).stdout) as Array<{ state: string }>;
    expect(cancelled.map((r) => r.state)).toEqual(['cancelled']);
    expect((JSON.parse((await clusterctl(['runs', '--name', 'slow', '--limit', '1', '-o', 'json'], { addr })).stdout) as unknown[]).length).toBe(1);
    expect((JSON.parse((await clusterctl(['runs', '--since', '1h', '-o', 'json'], { addr })).stdout) as unknown[]).length).toBe(4);
    expect((await clusterctl(['runs', '--project', 'nope'], { addr })).stdout).toBe('no runs match\n');
    const text = await clusterctl(['runs'], { addr });
    expect(text.stdout).toMatch(/RUN +STATE +JOB +PROJECT +AGE +TOOK +TASKS DONE/);
    expect(text.stdout).toMatch(/succeeded +slow +default +\S+ +\S+ +1\/1/);
    expect((await clusterctl(['runs', '--state', 'lost'], { addr })).code).toBe(2);
  });
});

describe('clusterctl dev --detach', () => {
  it('returns once every agent is ready, runs jobs in the background, and stops by the pid it printed', async () => {
    const tmp = await tempDir('clusterd-detach');
    let pid: number | undefined;
    try {
      const port = await freePort();
      const started = await clusterctl(['dev', '--detach', '--port', String(port), '--agents', '1', '--data', tmp.path], { timeoutMs: 120_000 });
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toContain(`scheduler listening on 127.0.0.1:${port}, 1 agent(s) ready`);
      pid = Number(/in the background as pid (\d+) \(log (\S+)\); stop it with: kill \d+/.exec(started.stdout)![1]);
      expect(started.stdout).toContain(`log ${path.join(tmp.path, 'dev.log')}`);
      const hello = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { addr: `127.0.0.1:${port}`, timeoutMs: 60_000 });
      expect(hello.code, hello.stderr).toBe(0);
      process.kill(pid, 'SIGTERM');
      await eventually(async () => startTimeOf(pid!) === undefined, 30_000, 'the detached dev to stop');
    } finally {
      if (pid !== undefined && startTimeOf(pid) !== undefined) process.kill(pid, 'SIGKILL');
      await tmp.remove();
    }
  }, 180_000);
});
