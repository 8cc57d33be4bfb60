// clusterctl resume: a new run that reuses what succeeded and runs the rest with the fixed code.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, startDev, type DevCluster } from '../support/cli-cluster.js';

interface TaskJson { index: number; state: string; reused_from: string }
interface RunJson { run_id: string; state: string; resumed_from: string; steps: Array<{ name: string; tasks: TaskJson[] }> }

describe('resume', () => {
  let dev: DevCluster;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'clusterd-resume-'));
    cpSync('test/fixtures/resume', dir, { recursive: true });
    dev = await startDev(2);
  });
  afterAll(async () => {
    await dev?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const ended = (runId: string) => eventually(async () => {
    const run = await clusterctlJson<RunJson>(['status', runId], dev.addr);
    return run.state !== 'running' ? run : undefined;
  }, 30_000, `run ${runId} to end`);

  it('after a code fix, runs everything again, or with --ignore-code-change only the failed items and the steps after them', async () => {
    const first = await clusterctl(['submit', path.join(dir, 'job.yaml'), '--wait', '-o', 'json'], { addr: dev.addr, timeoutMs: 60_000 });
    expect(first.code).toBe(1);
    const failed = JSON.parse(first.stdout) as RunJson;
    const work = failed.steps.find((s) => s.name === 'work')!;
    expect(work.tasks.filter((t) => t.state === 'failed').map((t) => t.index)).toEqual([7, 42, 93]);

    const source = path.join(dir, 'work.mjs');
    writeFileSync(source, readFileSync(source, 'utf8').replace('const BUGGY = true;', 'const BUGGY = false;'));
    // Changed code may compute something else: nothing is reused unless the user says so.
    const rerun = await clusterctl(['resume', failed.run_id, '--wait'], { addr: dev.addr, timeoutMs: 60_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain(`the code changed since ${failed.run_id}: every task runs again`);
    expect(rerun.stdout).toContain(`resumed from ${failed.run_id}: 0 task(s) reused (the code, params or steps changed`);

    const resumed = await clusterctlJson<{ run_id: string }>(['resume', failed.run_id, '--ignore-code-change'], dev.addr);
    const run = await ended(resumed.run_id);
    expect(run.state).toBe('succeeded');
    expect(run.resumed_from).toBe(failed.run_id);
    const ran = (name: string) => run.steps.find((s) => s.name === name)!.tasks.filter((t) => !t.reused_from).map((t) => t.index);
    expect(ran('start')).toEqual([]);
    expect(ran('work')).toEqual([7, 42, 93]);
    expect(ran('total')).toEqual([0]);
    const text = await clusterctl(['status', resumed.run_id], { addr: dev.addr });
    expect(text.stdout).toContain(`resumed from ${failed.run_id}: 98 task(s) reused (across a code change: --ignore-code-change)`);
    expect(text.stdout).toMatch(/work +succeeded +100 +100 +0 +0 +0 +97/); // TASKS DONE RUNNING WAITING FAILED REUSED
    expect((await clusterctl(['status'], { addr: dev.addr })).stdout).toMatch(new RegExp(`${resumed.run_id} .*${failed.run_id}`));
    const total = await clusterctlJson<{ result: number }>(['result', resumed.run_id, 'total'], dev.addr);
    expect(total.result).toBe(2 * (99 * 100) / 2);

    // Reused by reference: the same chunk store objects, nothing copied.
    const artifactsOf = (runId: string, task: string) => clusterctlJson<{ artifacts: Array<{ name: string; object_id: string }> }>(['artifacts', 'ls', runId, task], dev.addr);
    const before = await artifactsOf(failed.run_id, 'work/5');
    expect(before.artifacts.map((a) => a.name)).toEqual(['item.txt']);
    expect((await artifactsOf(resumed.run_id, 'work/5')).artifacts).toEqual(before.artifacts);
    expect((await artifactsOf(resumed.run_id, 'work/42')).artifacts[0]!.object_id).not.toBe('');
    const items = await clusterctlJson<{ result: { items: number[] } }>(['result', resumed.run_id, 'start'], dev.addr);
    expect(items.result.items).toHaveLength(100);
  });

  it('--from re-runs a step and everything after it; --wait follows the new run to its end', async () => {
    const runs = await clusterctlJson<RunJson[]>(['status'], dev.addr);
    const succeeded = runs.find((r) => r.state === 'succeeded')!;
    const waited = await clusterctl(['resume', succeeded.run_id, '--from', 'total', '--wait', '-o', 'json'], { addr: dev.addr, timeoutMs: 60_000 });
    expect(waited.code, waited.stderr).toBe(0); // --wait: exit 0 only if the new run succeeded
    const run = JSON.parse(waited.stdout) as RunJson;
    expect([run.state, run.resumed_from]).toEqual(['succeeded', succeeded.run_id]);
    expect(run.steps.find((s) => s.name === 'work')!.tasks.every((t) => t.reused_from)).toBe(true);
    expect(run.steps.find((s) => s.name === 'total')!.tasks[0]!.reused_from).toBe('');
  });

  it('refuses --from with a step the job does not have', async () => {
    const runs = await clusterctlJson<RunJson[]>(['status'], dev.addr);
    const res = await clusterctl(['resume', runs[0]!.run_id, '--from', 'nope'], { addr: dev.addr });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--from nope: the job has no such step');
  });

  it('reuses nothing when the params differ, and says so', async () => {
    const runs = await clusterctlJson<RunJson[]>(['status'], dev.addr);
    const succeeded = runs.find((r) => r.state === 'succeeded')!;
    const waited = await clusterctl(['resume', succeeded.run_id, '-p', 'broken=[5]', '--wait', '-o', 'json'], { addr: dev.addr, timeoutMs: 60_000 });
    const run = JSON.parse(waited.stdout) as RunJson;
    expect(run.steps.flatMap((s) => s.tasks).filter((t) => t.reused_from)).toEqual([]);
    expect([waited.code, run.state, run.steps.flatMap((s) => s.tasks).length]).toEqual([0, 'succeeded', 102]); // every task ran again
    const text = await clusterctl(['status', run.run_id], { addr: dev.addr });
    expect(text.stdout).toContain(`resumed from ${succeeded.run_id}: 0 task(s) reused (the code, params or steps changed`);
  });

  it('reuses everything when only the job file\'s limits changed: the job file is not code', async () => {
    const runs = await clusterctlJson<RunJson[]>(['status'], dev.addr);
    const succeeded = runs.find((r) => r.state === 'succeeded')!;
    const job = path.join(dir, 'job.yaml');
    writeFileSync(job, readFileSync(job, 'utf8').replace('    catch: true\n', '    catch: true\n    retry: { times: 2 }\n    timeout: 5m\n'));
    const waited = await clusterctl(['resume', succeeded.run_id, '--wait', '-o', 'json'], { addr: dev.addr, timeoutMs: 60_000 });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).not.toContain('the code changed');
    const run = JSON.parse(waited.stdout) as RunJson;
    expect(run.steps.flatMap((s) => s.tasks).filter((t) => !t.reused_from)).toEqual([]);
  });
});
