// clusterctl bench through the CLI: a small run writes its figures and reports.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterctl, repoRoot, startDev } from '../support/cli-cluster.js';

describe('clusterctl bench', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'clusterd-bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures every benchmark on clusters it starts, and writes JSON and HTML', async () => {
    const res = await clusterctl(['bench', 'all', '--agents', '1', '--tasks', '300', '--warmup', '100', '--repeats', '1', '--latency-tasks', '20', '--latency-steady-after', '100', '--container-tasks', '3', '--placement-agents', '100', '--placement-tasks', '5000', '--kills', '1', '--store-mib', '16', '--efficiency-items', '100', '--no-peer', '--out', out, '-o', 'json'], { timeoutMs: 300_000 });
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as { results: { throughput: { rows: Array<{ agents: number; state: string; sweepTasksPerSec: number; sweepColdTasksPerSec: number; smallRunsTasksPerSec: number; smallRunsColdTasksPerSec: number; sweepCpuUsPerTask?: { scheduler: number; agents: number } }>; etcdToEmbedded: number }; latency: { tasks: number; steadyAfterRuns: number; roundTripMs: { p50: number }; submitToStartMs: { p50: number }; coldRoundTripMs: { p50: number }; floorMs: { roundTrips: number; p50: number; p99: number } }; placement: { placer: { fill: { placements: number } } }; expansion: { items: number }; memory: { items: number; queuedTasks: number; heapBytesPerQueuedTask: number; heapBytesPerFinishedTask: number; tasksPerSec: number }; failover: { failoverMs: { samples: number[] } }; containerLatency: { tasks: number; clusterd: { submitToResultMs: { p50: number } }; raw: { runMs: { p50: number } } }; store: { upload: { fs: { uploadMBps: number } }; checkpoints: { bySize: Array<{ dedupRatio: number }> } } } };
    // The user's path: the example job through the CLI's submit, on dev --data and on etcd.
    const user = (report.results as unknown as { userPath: { rows: Array<{ state: string; items: number; tasksPerSec: number; loopDelayMs: { p99: number; max: number }; maxRssBytes: number; cpuUsPerTask?: { schedulers: number; agents: number } }>; efficiency: { items: number; seconds: number; efficiency: number } } }).userPath;
    expect(user.rows.map((r) => [r.state, r.items])).toEqual([['dev --data', 300], ['etcd, 3 replicas', 300]]);
    for (const r of user.rows) {
      expect(r.tasksPerSec).toBeGreaterThan(0);
      expect(r.loopDelayMs.max).toBeGreaterThanOrEqual(r.loopDelayMs.p99);
      expect(r.maxRssBytes).toBeGreaterThan(0);
      expect(r.cpuUsPerTask!.schedulers).toBeGreaterThan(0);
    }
    expect(user.efficiency.items).toBe(100);
    expect(user.efficiency.efficiency).toBeGreaterThan(0);
    const [row] = report.results.throughput.rows;
    expect(row!.agents).toBe(1);
    expect(row!.sweepTasksPerSec).toBeGreaterThan(0);
    expect(row!.sweepColdTasksPerSec).toBeGreaterThan(0);
    expect(row!.smallRunsTasksPerSec).toBeGreaterThan(0);
    expect(row!.smallRunsColdTasksPerSec).toBeGreaterThan(0);
    // CPU per task is read from /proc for the processes the benchmark started itself.
    expect(row!.sweepCpuUsPerTask).toEqual({ scheduler: expect.any(Number), agents: expect.any(Number) });
    expect(row!.sweepCpuUsPerTask!.scheduler + row!.sweepCpuUsPerTask!.agents).toBeGreaterThan(0);
    expect(report.results.throughput.rows[1]!.sweepCpuUsPerTask).toBeUndefined();
    expect(report.results.throughput.rows.map((r) => r.state)).toEqual(['embedded', 'etcd, 3 replicas']);
    expect(report.results.throughput.etcdToEmbedded).toBeGreaterThan(0);
    expect(report.results.latency.tasks).toBe(20);
    expect(report.results.latency.roundTripMs.p50).toBeGreaterThan(0);
    expect(report.results.latency.steadyAfterRuns).toBe(100);
    expect(report.results.latency.coldRoundTripMs.p50).toBeGreaterThan(0);
    // Measured below a millisecond (the recorded start times have whole ms), and a task starts
    // before its run's result is back.
    const { submitToStartMs, roundTripMs } = report.results.latency;
    expect(submitToStartMs.p50).toBeGreaterThan(0);
    expect(submitToStartMs.p50).toBeLessThan(roundTripMs.p50);
    // The bare path is no slower than clusterd's round trip over it.
    const floor = report.results.latency.floorMs;
    expect(floor.roundTrips).toBe(3_000);
    expect(floor.p50).toBeGreaterThan(0);
    expect(floor.p99).toBeGreaterThanOrEqual(floor.p50);
    expect(floor.p50).toBeLessThan(report.results.latency.roundTripMs.p50);
    expect(report.results.placement.placer.fill.placements).toBeGreaterThan(0);
    // TLS and tokens beside plaintext: both modes measured, each figure from a real run.
    const security = (report.results as unknown as { security: Record<'plaintext' | 'secure', { sweepTasksPerSec: number; cpuUsPerTask: number; roundTripMs: number; submitMs: number; connectMs: number }> }).security;
    for (const mode of ['plaintext', 'secure'] as const) {
      for (const figure of ['sweepTasksPerSec', 'cpuUsPerTask', 'roundTripMs', 'submitMs', 'connectMs'] as const) expect(security[mode][figure], `${mode} ${figure}`).toBeGreaterThan(0);
    }
    expect(report.results.expansion).toMatchObject({ items: 300 });
    // At least 100,000 items, whatever --tasks says: per-task memory needs a big run to show.
    expect(report.results.memory.items).toBe(100_000);
    expect(report.results.memory.queuedTasks).toBeGreaterThan(0);
    expect(report.results.memory.heapBytesPerQueuedTask).toBeGreaterThan(0);
    expect(report.results.memory.heapBytesPerFinishedTask).toBeGreaterThan(0);
    expect(report.results.memory.tasksPerSec).toBeGreaterThan(0);
    expect(report.results.containerLatency.tasks).toBe(3);
    expect(report.results.containerLatency.clusterd.submitToResultMs.p50).toBeGreaterThan(0);
    expect(report.results.containerLatency.raw.runMs.p50).toBeGreaterThan(0);
    expect(report.results.failover.failoverMs.samples).toHaveLength(1);
    expect(report.results.failover.failoverMs.samples[0]).toBeGreaterThan(0);
    expect(report.results.store.upload.fs.uploadMBps).toBeGreaterThan(0);
    expect(report.results.store.checkpoints.bySize[0]!.dedupRatio).toBeGreaterThan(1);
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const html = readFileSync(path.join(out, files.find((f) => f.endsWith('.html'))!), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('The user\'s path: a computed sweep');
    expect(html).toContain('Tuned path: no-op tasks per second');
    expect(html).toContain('Failover');
  }, 320_000);

  it('measures the throughput of a live cluster with --addr, its agents counted from the cluster', async () => {
    const dev = await startDev(2);
    try {
      const res = await clusterctl(['bench', 'throughput', '--tasks', '300', '--warmup', '100', '--repeats', '1', '--no-peer', '--out', path.join(out, 'live'), '-o', 'json'], { addr: dev.addr, timeoutMs: 120_000 });
      expect(res.code, res.stderr).toBe(0);
      const report = JSON.parse(res.stdout) as { results: { throughput: { rows: Array<{ agents: number; state: string; sweepTasksPerSec: number; sweepColdTasksPerSec: number; smallRunsTasksPerSec: number; sweepCpuUsPerTask?: unknown }> } } };
      const { rows } = report.results.throughput;
      expect(rows).toHaveLength(1); // no clusters of its own, so no etcd row either
      const user = (report.results as unknown as { userPath: { rows: Array<{ state: string; items: number; tasksPerSec: number }> } }).userPath;
      expect(user.rows.map((r) => [r.state, r.items])).toEqual([['live cluster', 300]]);
      expect(user.rows[0]!.tasksPerSec).toBeGreaterThan(0);
      expect(rows[0]).toMatchObject({ agents: 2, state: 'embedded' });
      expect(rows[0]!.sweepTasksPerSec).toBeGreaterThan(0);
      expect(rows[0]!.sweepColdTasksPerSec).toBeGreaterThan(0);
      expect(rows[0]!.smallRunsTasksPerSec).toBeGreaterThan(0);
      expect(rows[0]!.sweepCpuUsPerTask).toBeUndefined(); // not its processes: no /proc figures
    } finally {
      await dev.stop();
    }
  }, 150_000);

  it('plans capacity from figures it measures on a live cluster, showing the arithmetic', async () => {
    const dev = await startDev(2, ['--agent-cpu', '2', '--agent-memory', '4Gi']);
    try {
      const args = ['bench', 'plan', '--task-seconds', '30', '--cpu', '1', '--memory', '1Gi', '--tasks', '100', '--within', '10m'];
      const res = await clusterctl([...args, '-o', 'json'], { addr: dev.addr, timeoutMs: 60_000 });
      expect(res.code, res.stderr).toBe(0);
      const p = JSON.parse(res.stdout) as { slots: number; waves: number; estimatedSeconds: number; measured: { overheadSeconds: number }; kinds: Array<{ agentsForDeadline: number }> };
      expect(p.slots).toBe(4); // 2 agents × min(2 CPU / 1, 4 GiB / 1 GiB)
      expect(p.waves).toBe(25);
      expect(p.measured.overheadSeconds).toBeGreaterThan(0);
      expect(p.estimatedSeconds).toBeCloseTo(25 * (30 + p.measured.overheadSeconds), 3);
      expect(p.kinds[0]!.agentsForDeadline).toBe(Math.ceil(100 / (Math.floor(600 / (30 + p.measured.overheadSeconds)) * 2)));
      const text = await clusterctl(args, { addr: dev.addr, timeoutMs: 60_000 });
      expect(text.stdout).toMatch(/slots K = 4; waves = ceil\(100 \/ 4\) = 25/);
      const missing = await clusterctl(['bench', 'plan'], { addr: dev.addr });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('--task-seconds');
    } finally {
      await dev.stop();
    }
  }, 120_000);

  it('stops the clusters it started when interrupted, though `up` runs them detached', async () => {
    const bench = spawn(process.execPath, [path.join(repoRoot, 'bin/clusterctl.js'), 'bench', 'failover', '--kills', '20', '--no-peer', '--out', path.join(out, 'interrupted')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exited = once(bench, 'exit');
    let stderr = '';
    const dir = await new Promise<string>((resolve, reject) => {
      bench.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /failover: etcd, 3 replicas and \d+ agent\(s\) in (\S+);/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`bench ended before its cluster was up: ${stderr}`)));
    });
    const pids = (JSON.parse(readFileSync(path.join(dir, 'cluster.json'), 'utf8')) as { processes: Array<{ pid: number }> }).processes.map((p) => p.pid);
    expect(pids.length).toBe(6); // etcd, 3 replicas, 2 agents
    bench.kill('SIGINT');
    const [code] = await exited;
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    for (const pid of alive) process.kill(pid, 'SIGKILL'); // a failing run leaves nothing behind either
    expect(alive).toEqual([]);
    expect(code).toBe(130);
    expect(existsSync(dir)).toBe(false);
  }, 120_000);

  it('refuses an unknown benchmark with exit 2', async () => {
    const res = await clusterctl(['bench', 'nonsense', '--out', out]);
    expect(res.code).toBe(2);
    expect(existsSync(out)).toBe(true);
  });
});
