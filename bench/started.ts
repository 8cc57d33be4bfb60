/**
 * What a benchmark starts (clusters of real processes), stopped however the benchmark ends:
 * each stops when its work is done, and `stopStarted` stops what is still up when the benchmark
 * is interrupted (Ctrl-C, SIGTERM, a closed output: see cli/commands/bench.ts). `clusterctl up`
 * runs its processes detached so that a user's cluster outlives the command that started it; a
 * benchmark's must not outlive the benchmark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { downLocalCluster, upLocalCluster, type ClusterManifest, type UpOptions } from '../client/local-cluster.js';

const pending = new Set<() => Promise<void>>();

/** `stop`, run at most once: by the caller when done, or by `stopStarted` if that comes first. */
export function stoppedOnInterrupt(stop: () => Promise<void>): () => Promise<void> {
  let stopped: Promise<void> | undefined;
  // Pending until it has finished: an interrupt during a stop waits for it rather than exit mid-way.
  const once = (): Promise<void> => (stopped ??= stop().finally(() => pending.delete(once)));
  pending.add(once);
  return once;
}

/** Stops everything started and not stopped yet. */
export async function stopStarted(): Promise<void> {
  await Promise.all([...pending].map((stop) => stop()));
}

/**
 * Runs `use` on a cluster `up` starts in a new temp folder named after `label`; `again` runs
 * `up` once more on it (bringing back what was killed). Stopped and removed after, always.
 */
export async function withUpCluster<T>(label: string, options: Omit<UpOptions, 'dir'>, use: (cluster: ClusterManifest, again: () => Promise<ClusterManifest>, dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), `clusterd-bench-${label}-`));
  const stop = stoppedOnInterrupt(async () => {
    await downLocalCluster(dir, 5_000).catch(() => undefined); // nothing started yet: no cluster.json
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    const up = () => upLocalCluster({ ...options, dir });
    return await use(await up(), up, dir);
  } finally {
    await stop();
  }
}
