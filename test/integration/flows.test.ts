// Flows through clusterctl on a dev cluster: DAG branches, foreach scopes and joins, retry, catch, cancel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, startDev, type DevCluster } from '../support/cli-cluster.js';

interface TaskJson { index: number; state: string; attempt: number; error: { code: string; message: string } | null; item_json: string; reused_from: string }
interface RunJson { run_id: string; state: string; steps: Array<{ name: string; state: string; tasks: TaskJson[] }>; error: { message: string } | null }

const jobs = 'test/fixtures/jobs';

describe('flows', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(2);
  });
  afterAll(async () => {
    await dev?.stop();
  });

  async function submitWait(file: string, ...args: string[]): Promise<{ code: number; run: RunJson }> {
    const res = await clusterctl(['submit', `${jobs}/${file}`, '--wait', '-o', 'json', ...args], { addr: dev.addr, timeoutMs: 60_000 });
    expect(res.stderr).toBe('');
    return { code: res.code, run: JSON.parse(res.stdout) as RunJson };
  }
  const result = async <T>(runId: string, task: string) => (await clusterctlJson<{ result: T }>(['result', runId, task], dev.addr)).result;

  it('runs parallel branches and hands the merge step both results by step name', async () => {
    const { code, run } = await submitWait('branches.yaml');
    expect(code).toBe(0);
    const merged = await result<{ input: Record<string, unknown> }>(run.run_id, 'merge');
    expect(Object.keys(merged.input).sort()).toEqual(['left', 'right']);
  });

  it('hands big inputs whole: a computed list of 100 KB to each of its 20,000 items, a 100 KB result to the next step, 20,000 results to the join', async () => {
    const { code, run } = await submitWait('big-inputs.yaml');
    expect(code).toBe(0);
    const gathered = await result<{ count: number; first: unknown[]; sum: number }>(run.run_id, 'gather');
    expect(gathered.count).toBe(20_000);
    expect(gathered.first).toEqual([0, 1, 2].map((item) => ({ item, padLength: 100_000, items: 20_000 })));
    // items 3 .. 19,999 returned themselves
    expect(gathered.sum).toBe((19_999 * 20_000) / 2 - 3);
  });

  it('fans a grid out, runs the next step per item, and joins in item order', async () => {
    const { code, run } = await submitWait('grid.yaml');
    expect(code).toBe(0);
    expect(run.steps.map((s) => [s.name, s.tasks.length])).toEqual([['start', 1], ['sweep', 6], ['per_item', 6], ['gather', 1]]);
    const joined = await result<Array<{ item: unknown; input: { item: unknown } }>>(run.run_id, 'gather');
    const grid = [{ a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }, { a: 2, b: 'z' }];
    expect(joined.map((r) => r.item)).toEqual(grid);
    expect(joined.map((r) => r.input.item)).toEqual(grid);
  });

  it('fans out over a list computed at run time (foreach from:)', async () => {
    const { code, run } = await submitWait('from.yaml');
    expect(code).toBe(0);
    const joined = await result<Array<{ value: number }>>(run.run_id, 'gather');
    expect(joined.map((r) => r.value)).toEqual([4, 9, 16]);
  });

  it('retries with backoff and succeeds on the third attempt', async () => {
    const { code, run } = await submitWait('retry.yaml');
    expect(code).toBe(0);
    expect(run.steps[0]!.tasks[0]!.attempt).toBe(3);
    expect((await result<{ attempt: number }>(run.run_id, 'start')).attempt).toBe(3);
    const logs = await clusterctl(['logs', run.run_id, 'start/0'], { addr: dev.addr });
    expect(logs.stdout).toMatch(/attempt 1 failed: flaky failure on attempt 1; retrying in 100 ms/);
    expect(logs.stdout).toMatch(/attempt 2 failed: flaky failure on attempt 2; retrying in 200 ms/);
  });

  it('fails the run when retries are used up, and -p can change the outcome', async () => {
    const failed = await submitWait('retry.yaml', '-p', 'succeedOn=5');
    expect(failed.code).toBe(1);
    expect(failed.run.state).toBe('failed');
    expect(failed.run.error?.message).toContain('flaky failure on attempt 3');
  });

  it('with catch, records an exhausted item as its result in the join and goes on', async () => {
    const { code, run } = await submitWait('sweep-catch.yaml');
    expect(code).toBe(0);
    const work = run.steps.find((s) => s.name === 'work')!;
    expect(work.tasks.map((t) => [t.state, t.attempt])).toEqual([['succeeded', 1], ['failed', 2], ['succeeded', 1]]);
    const joined = await result<unknown[]>(run.run_id, 'gather');
    expect(joined[1]).toEqual({ error: { code: 'TASK_FAILED', message: 'flaky failure on attempt 2', stack: expect.any(String) }, attempts: 2 });
  });

  it('without catch, a failed item fails the run and the join never runs', async () => {
    const { code, run } = await submitWait('sweep-fail.yaml');
    expect(code).toBe(1);
    expect(run.state).toBe('failed');
    expect(run.steps.find((s) => s.name === 'gather')!.tasks.map((t) => t.state)).toEqual(['cancelled']);
  });

  it('lets the other items of a foreach finish when one fails, then fails the run; resume re-runs only the failed one', async () => {
    const { code, run } = await submitWait('sweep-fail-slow.yaml');
    expect(code).toBe(1);
    expect(run.state).toBe('failed');
    expect(run.error?.message).toMatch(/^work\/1 failed: boom fails at once/);
    expect(run.steps.find((s) => s.name === 'work')!.tasks.map((t) => t.state)).toEqual(['succeeded', 'failed', 'succeeded', 'succeeded']);
    expect(run.steps.find((s) => s.name === 'gather')!.tasks.map((t) => t.state)).toEqual(['cancelled']);

    const resumed = await clusterctl(['resume', run.run_id], { addr: dev.addr });
    const again = await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', resumed.stdout.trim()], dev.addr);
      return r.state !== 'running' ? r : undefined;
    }, 30_000, 'the resumed run');
    // boom fails again (the code is unchanged), and is the only work item that ran again
    expect(again.steps.find((s) => s.name === 'work')!.tasks.map((t) => t.reused_from)).toEqual([run.run_id, '', run.run_id, run.run_id]);
  });

  it('with fail_fast, a failed item cancels its siblings at once', async () => {
    const { code, run } = await submitWait('sweep-fail-fast.yaml', '-p', 'ms=60000');
    expect(code).toBe(1);
    expect(run.state).toBe('failed');
    expect(run.steps.find((s) => s.name === 'work')!.tasks.map((t) => t.state)).toEqual(['cancelled', 'failed', 'cancelled', 'cancelled']);
  });

  it('cancels a run: running tasks stop, the run is cancelled, cancelling twice is fine', async () => {
    const submitted = await clusterctl(['submit', `${jobs}/slow.yaml`, '-p', 'ms=60000'], { addr: dev.addr });
    const runId = submitted.stdout.trim();
    await eventually(async () => (await clusterctlJson<RunJson>(['status', runId], dev.addr)).steps[0]!.tasks[0]?.state === 'running', 20_000, 'the task to run');
    const first = await clusterctlJson<RunJson>(['cancel', runId], dev.addr);
    expect(first.state).toBe('cancelled');
    const second = await clusterctl(['cancel', runId], { addr: dev.addr });
    expect(second.code).toBe(0);
    await eventually(async () => {
      const agents = await clusterctlJson<Array<{ running_tasks: number }>>(['agents'], dev.addr);
      return agents.every((a) => a.running_tasks === 0);
    }, 10_000, 'the agents to be idle');
  });
});
