// The container start latency benchmark, run alone as users run it (node dist/bench/container-latency.js).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ContainerLatencyResult } from '../../bench/container-latency.js';
import { repoRoot } from '../support/cli-cluster.js';
import { requireProgram } from '../support/processes.js';

const available = ['dockerd', 'docker', 'busybox'].every((p) => requireProgram(p) !== undefined);

async function runBench(tasks: number, env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['dist/bench/container-latency.js', String(tasks)], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

// Only the benchmark's own prefix: other suites start private engines of their own meanwhile.
const workDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('clusterd-bench-containers-'));

describe.skipIf(!available)('container latency benchmark', () => {
  it('times clusterd and raw docker run on a private engine, and leaves nothing behind', async () => {
    const before = workDirs();
    const res = await runBench(3);
    expect(res.code, res.stderr).toBe(0);
    const result = JSON.parse(res.stdout) as ContainerLatencyResult;
    expect(result).toMatchObject({ tasks: 3, warmUp: 3 });
    const spreads = [...Object.values(result.clusterd), ...Object.values(result.raw)];
    for (const s of spreads) {
      expect(s.p50).toBeGreaterThan(0);
      expect(s.p99).toBeGreaterThanOrEqual(s.p50);
    }
    // The parts sit inside the wholes they are parts of.
    expect(result.clusterd.assignToRunningMs.p50).toBeLessThan(result.clusterd.submitToResultMs.p50);
    expect(result.clusterd.submitToAssignMs.p50).toBeLessThan(result.clusterd.submitToResultMs.p50);
    expect(result.raw.commandToRunningMs.p50).toBeLessThan(result.raw.runMs.p50);
    expect(result.ratio.submitToResult).toBeGreaterThan(0);
    expect(res.stderr).toContain('submit to result p50');
    expect(workDirs()).toEqual(before);
  }, 180_000);
});

it('skips with the package to install when dockerd is not found', async () => {
  const res = await runBench(3, { ...process.env, PATH: '/nonexistent' });
  expect(res.code, res.stderr).toBe(0);
  expect(JSON.parse(res.stdout)).toEqual({ skipped: 'dockerd is not installed (apt-get install docker.io)' });
});
