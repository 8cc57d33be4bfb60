/**
 * Latency: single-task round trips (submit until the result is recorded and the client hears
 * of it) and submit-to-start, over sequential no-op thread tasks.
 */
import { ClusterClient } from '../cli/client.js';
import { startLocalCluster } from './local-cluster.js';
import { Progress, say } from './progress.js';
import { percentile, round } from './stats.js';
import { singleTaskJob, submitAndWait } from './workload.js';

export interface LatencyOptions {
  tasks: number;
  addr?: string;
}

export interface LatencyResult {
  tasks: number;
  roundTripMs: { p50: number; p99: number; max: number };
  submitToStartMs: { p50: number; p99: number };
  samplesMs: number[];
}

export async function runLatency(opts: LatencyOptions): Promise<LatencyResult> {
  const cluster = opts.addr ? undefined : await startLocalCluster({ agents: 1 });
  const client = new ClusterClient(opts.addr ? opts.addr.split(',') : [cluster!.addr]);
  try {
    say(`latency: ${opts.tasks} sequential single-task runs`);
    for (let i = 0; i < 20; i++) await submitAndWait(client, singleTaskJob()); // warm up
    const progress = new Progress('  round trips', opts.tasks);
    const roundTrips: number[] = [];
    const toStart: number[] = [];
    for (let i = 0; i < opts.tasks; i++) {
      const t0 = performance.now();
      const end = await submitAndWait(client, singleTaskJob());
      roundTrips.push(performance.now() - t0);
      const task = end.steps[0]!.tasks[0]!;
      toStart.push(Number(task.started_at_ms) - Number(end.created_at_ms));
      progress.update(i + 1);
    }
    progress.done();
    return {
      tasks: opts.tasks,
      roundTripMs: { p50: round(percentile(roundTrips, 50), 3), p99: round(percentile(roundTrips, 99), 3), max: round(Math.max(...roundTrips), 3) },
      submitToStartMs: { p50: percentile(toStart, 50), p99: percentile(toStart, 99) },
      samplesMs: roundTrips.map((v) => round(v, 3)),
    };
  } finally {
    client.close();
    await cluster?.stop();
  }
}
