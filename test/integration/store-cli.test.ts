// The chunk store through clusterctl: results, artifacts, logs and code packages on a dev
// cluster that keeps its data in a folder, across a restart, and garbage collection.
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreClient } from '../../store/client.js';
import { weights } from '../fixtures/store/outputs.mjs';
import { clusterctl, clusterctlJson, startDev, type DevCluster } from '../support/cli-cluster.js';

describe('chunk store through clusterctl', () => {
  let dev: DevCluster;
  let dir: string;
  let data: string;
  let runId: string;
  const job = () => path.join(dir, 'job', 'job.yaml');
  const run = (args: string[]) => clusterctl(args, { addr: dev.addr });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'clusterd-store-cli-'));
    data = path.join(dir, 'data');
    cpSync('test/fixtures/store', path.join(dir, 'job'), { recursive: true });
    dev = await startDev(1, ['--data', data, '--gc-grace', '0s']);
    const submitted = await clusterctl(['submit', job(), '--wait', '-o', 'json'], { addr: dev.addr, timeoutMs: 60_000 });
    expect(submitted.code, submitted.stderr).toBe(0);
    runId = (JSON.parse(submitted.stdout) as { run_id: string }).run_id;
  });
  afterAll(async () => {
    await dev?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a large result in the store and feeds it to the next step', async () => {
    const made = await clusterctlJson<{ result: { values: number[] } }>(['result', runId, 'start'], dev.addr);
    expect(made.result.values).toHaveLength(5000);
    expect(made.result.values[4999]).toBe(2499.5);
    expect((await clusterctlJson<{ result: number }>(['result', runId, 'check'], dev.addr)).result).toBe(5000);
  });

  it('lists and downloads artifacts, verified', async () => {
    const listed = await clusterctlJson<{ artifacts: Array<{ name: string; size_bytes: number }> }>(['artifacts', 'ls', runId, 'start'], dev.addr);
    expect(listed.artifacts.map((a) => [a.name, a.size_bytes])).toEqual([['weights.bin', 300_000], ['notes.txt', 33]]);
    const file = path.join(dir, 'weights.bin');
    const got = await run(['artifacts', 'get', runId, 'start', 'weights.bin', '-o', file]);
    expect(got.code, got.stderr).toBe(0);
    expect(Buffer.compare(readFileSync(file), Buffer.from(weights()))).toBe(0);
    const notes = await run(['artifacts', 'get', runId, 'start', 'notes.txt']);
    expect(notes.stdout).toBe('trained on nothing in particular\n');
  });

  it('says which artifacts exist when the name is wrong or missing', async () => {
    const unknown = await run(['artifacts', 'get', runId, 'start', 'nope.bin']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('has no artifact "nope.bin" (it has: weights.bin, notes.txt)');
    const ambiguous = await run(['artifacts', 'get', runId, 'start']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('name one of: weights.bin, notes.txt');
  });

  it('re-submitting an unchanged folder uploads nothing new', async () => {
    const again = await clusterctl(['submit', job(), '--wait'], { addr: dev.addr, timeoutMs: 60_000 });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/code package [0-9a-f]{12}: 2 files, .*, 0B uploaded/);
  });

  it('reports store statistics', async () => {
    const stats = await clusterctlJson<{ objects: number; chunks: number; logicalBytes: number; storedBytes: number; dedupRatio: number }>(['store', 'stats'], dev.addr);
    expect(stats.objects).toBeGreaterThanOrEqual(5);
    expect(stats.logicalBytes).toBeGreaterThan(300_000);
    expect(stats.dedupRatio).toBeGreaterThan(0);
  });

  it('gc removes what nothing refers to and keeps what runs refer to', async () => {
    const store = new StoreClient(dev.addr);
    const orphan = await store.putValue({ unreferenced: 'x'.repeat(10_000) });
    const dry = await clusterctlJson<{ removedChunks: number; dryRun: boolean }>(['store', 'gc', '--dry-run'], dev.addr);
    expect(dry.removedChunks).toBeGreaterThanOrEqual(2); // the orphan's manifest and data chunk
    expect((await store.stat(orphan)).sizeBytes).toBeGreaterThan(10_000);
    const gc = await clusterctlJson<{ removedChunks: number }>(['store', 'gc'], dev.addr);
    expect(gc.removedChunks).toBe(dry.removedChunks);
    await expect(store.stat(orphan)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.close();
    const got = await run(['artifacts', 'get', runId, 'start', 'notes.txt']);
    expect(got.stdout).toBe('trained on nothing in particular\n');
  });

  it('after a restart, logs, results and artifacts come from the store', async () => {
    await dev.stop();
    dev = await startDev(1, ['--data', data]);
    const logs = await run(['logs', runId, 'start']);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.split('\n').filter(Boolean)).toEqual(['making outputs', '5000 values', 'done']);
    expect((await clusterctlJson<{ result: { values: number[] } }>(['result', runId, 'start'], dev.addr)).result.values).toHaveLength(5000);
    const notes = await run(['artifacts', 'get', runId, 'start', 'notes.txt']);
    expect(notes.stdout).toBe('trained on nothing in particular\n');
  });

  it('verify re-hashes every chunk of a store folder', async () => {
    const verified = await clusterctl(['store', 'verify', '--dir', path.join(data, 'store'), '-o', 'json']);
    expect(verified.code, verified.stderr).toBe(0);
    const report = JSON.parse(verified.stdout) as { checked: number; corrupt: string[] };
    expect(report.checked).toBeGreaterThan(5);
    expect(report.corrupt).toEqual([]);
  });
});
