// clusterctl bench through the CLI: a small run writes its figures and reports.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterctl } from '../support/cli-cluster.js';

describe('clusterctl bench', () => {
  const out = mkdtempSync(path.join(tmpdir(), 'clusterd-bench-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures throughput and latency on a cluster it starts, and writes JSON and HTML', async () => {
    const res = await clusterctl(['bench', 'all', '--agents', '1', '--tasks', '300', '--repeats', '1', '--latency-tasks', '20', '--placement-agents', '100', '--placement-tasks', '5000', '--no-peer', '--out', out, '-o', 'json'], { timeoutMs: 120_000 });
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as { results: { throughput: { rows: Array<{ agents: number; sweepTasksPerSec: number; smallRunsTasksPerSec: number }> }; latency: { tasks: number; roundTripMs: { p50: number } }; placement: { placer: { fill: { placements: number } } }; expansion: { items: number } } };
    const [row] = report.results.throughput.rows;
    expect(row!.agents).toBe(1);
    expect(row!.sweepTasksPerSec).toBeGreaterThan(0);
    expect(row!.smallRunsTasksPerSec).toBeGreaterThan(0);
    expect(report.results.latency.tasks).toBe(20);
    expect(report.results.latency.roundTripMs.p50).toBeGreaterThan(0);
    expect(report.results.placement.placer.fill.placements).toBeGreaterThan(0);
    expect(report.results.expansion).toMatchObject({ items: 300 });
    const files = readdirSync(out);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    const html = readFileSync(path.join(out, files.find((f) => f.endsWith('.html'))!), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('No-op tasks per second');
  });

  it('refuses an unknown benchmark with exit 2', async () => {
    const res = await clusterctl(['bench', 'nonsense', '--out', out]);
    expect(res.code).toBe(2);
    expect(existsSync(out)).toBe(true);
  });
});
