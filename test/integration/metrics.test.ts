// /metrics on the scheduler's and the agent's health ports, read by a Prometheus text parser
// while real jobs run through clusterctl.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, eventually, freePort, repoRoot, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { scrape } from '../support/prometheus.js';
import { tempDir, type TempDir } from '../support/temp.js';

describe('Prometheus metrics', () => {
  let addr: string;
  let schedulerHttp: string;
  let agentHttp: string;
  let scheduler: Daemon;
  let agent: Daemon;
  let data: TempDir;

  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    schedulerHttp = `http://127.0.0.1:${await freePort()}`;
    agentHttp = `http://127.0.0.1:${await freePort()}`;
    scheduler = startDaemon(['scheduler', '--listen', addr, '--health-listen', schedulerHttp.slice(7)]);
    await scheduler.waitFor(/scheduler listening/);
    // A data folder of its own: the code package is not in its cache, so it downloads it.
    data = await tempDir('clusterd-metrics-agent');
    agent = startDaemon(['agent', '--scheduler', addr, '--id', 'metered', '--cpu', '2', '--memory', '2Gi', '--data', data.path, '--health-listen', agentHttp.slice(7)]);
    await eventually(async () => (await scrape(`${schedulerHttp}/metrics`)).value('clusterd_agents', { state: 'ready' }) === 1, 30_000, 'the agent, counted ready');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await scheduler?.stop();
    await data?.remove();
  });

  it('counts assignments, ended attempts by outcome and reason, passes and commits on the scheduler', async () => {
    // 100 items, 3 of which fail (caught): the run ends failed.
    const res = await clusterctl(['submit', path.join(repoRoot, 'test/fixtures/resume/job.yaml'), '--wait', '-o', 'json'], { addr, timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(1);
    const tasks = (JSON.parse(res.stdout) as { steps: Array<{ tasks: Array<{ state: string }> }> }).steps.flatMap((s) => s.tasks);
    const ended = (state: string) => tasks.filter((t) => t.state === state).length;
    expect(ended('failed')).toBe(4); // items 7, 42 and 93, and the join they reach as errors
    const m = await scrape(`${schedulerHttp}/metrics`);
    expect(m.value('clusterd_leader')).toBe(1);
    expect(m.value('clusterd_tasks_assigned_total')).toBe(ended('succeeded') + ended('failed'));
    expect(m.value('clusterd_task_attempts_finished_total', { outcome: 'succeeded' })).toBe(ended('succeeded'));
    expect(m.value('clusterd_task_attempts_finished_total', { outcome: 'failed', reason: 'TASK_FAILED' })).toBe(4);
    expect(m.value('clusterd_task_attempt_seconds')).toBe(ended('succeeded'));
    // Starts reported on their own: a task that ends before its agent's next report has none.
    expect(m.value('clusterd_task_start_seconds')).toBeGreaterThan(0);
    expect(m.value('clusterd_task_start_seconds')).toBeLessThanOrEqual(ended('succeeded') + ended('failed'));
    // The code package went up, and each task's input and result through the store.
    expect(m.value('clusterd_store_bytes_total', { direction: 'in' })).toBeGreaterThan(0);
    expect(m.value('clusterd_store_bytes_total', { direction: 'out' })).toBeGreaterThan(0);
    expect(m.value('clusterd_placement_pass_seconds')).toBeGreaterThan(0);
    expect(m.value('clusterd_state_commit_seconds')).toBeGreaterThan(0);
    expect(m.value('clusterd_state_commit_ops')).toBe(m.value('clusterd_state_commit_seconds'));
    expect(m.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(m.value('nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(m.types.get('clusterd_tasks_assigned_total')).toBe('COUNTER');
    expect(m.types.get('clusterd_task_attempt_seconds')).toBe('HISTOGRAM');
  });

  it('shows what waits per project while a run queues, and the agent\'s own figures', async () => {
    // 16 tasks of 0.5 s, 0.25 CPU each on 2 CPUs: 8 are placed, the rest wait.
    const submitted = await clusterctl(['submit', path.join(repoRoot, 'test/fixtures/ha/job.yaml'), '-p', 'items=16', '-p', 'ms=500'], { addr });
    expect(submitted.code, submitted.stderr).toBe(0);
    await eventually(async () => ((await scrape(`${schedulerHttp}/metrics`)).value('clusterd_queued_tasks', { project: 'default' }) ?? 0) >= 4, 30_000, 'queued tasks in the metrics');
    const agentNow = await scrape(`${agentHttp}/metrics`);
    expect(agentNow.value('clusterd_agent_registered')).toBe(1);
    expect(agentNow.value('clusterd_agent_cpu_millicores')).toBe(2000);
    expect(agentNow.value('clusterd_agent_memory_bytes')).toBe(2 * 2 ** 30);
    expect(agentNow.value('clusterd_agent_tasks_held')).toBeGreaterThan(0);
    expect(agentNow.value('clusterd_agent_tasks_started')).toBeGreaterThan(0);
    expect(agentNow.value('clusterd_agent_gpus_in_use')).toBe(0);
    expect(agentNow.value('process_resident_memory_bytes')).toBeGreaterThan(0);
    const waited = await clusterctl(['wait', submitted.stdout.trim()], { addr, timeoutMs: 60_000 });
    expect(waited.code, waited.stderr).toBe(0);
    expect((await scrape(`${schedulerHttp}/metrics`)).value('clusterd_queued_tasks', { project: 'default' }) ?? 0).toBe(0);
  }, 90_000);
});
