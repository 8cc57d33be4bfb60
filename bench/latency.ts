/**
 * Latency: single-task round trips (submit until the result is recorded and the client hears
 * of it) and submit-to-start, over sequential no-op thread tasks.
 *
 * Two samples of `tasks` runs each. Cold: the first runs of a cluster this benchmark started,
 * what a freshly started scheduler shows. Steady: the runs after `steadyAfterRuns` in all
 * (default 3,000), what a cluster that has been up a while shows. They differ by 2x because V8
 * optimises a function only after many calls, and one run calls most of the scheduler's and the
 * agent's code once: on 2 cores the p50 fell from 2.2 ms over runs 1-500 to 1.1 ms at 2,000 and
 * settled at 0.8-0.9 ms from about 3,000 on.
 *
 * Next to its own cluster it measures the machine's transport floor (transport-floor.ts): the
 * same path with nothing on it, which clusterd's figures can be read against.
 */
import { ClusterClient } from '../cli/client.js';
import { startLocalCluster } from './local-cluster.js';
import { Progress, say } from './progress.js';
import { percentile, round } from './stats.js';
import { measureTransportFloor, type TransportFloor } from './transport-floor.js';
import { singleTaskJob, submitAndWait } from './workload.js';

/** Runs before the first measured one: the task module is imported, the worker pool warm. */
const settleRuns = 20;
const floorRoundTrips = 3_000;

export interface LatencyOptions {
  tasks: number;
  /** Runs, counted from the first, before the steady-state sample starts. */
  steadyAfterRuns: number;
  addr?: string;
}

export interface RoundTrips {
  p50: number;
  p99: number;
  max: number;
}

export interface LatencyResult {
  tasks: number;
  /** Steady state: the `tasks` runs after `steadyAfterRuns`. */
  roundTripMs: RoundTrips;
  submitToStartMs: { p50: number; p99: number };
  /** The first `tasks` runs of a new cluster; absent for a live cluster (--addr). */
  coldRoundTripMs?: RoundTrips;
  /** This machine's transport floor over `tasks` round trips; absent for a live cluster (--addr). */
  floorMs?: TransportFloor;
  steadyAfterRuns: number;
  samplesMs: number[];
}

interface Sample {
  roundTrips: number[];
  toStart: number[];
}

export async function runLatency(opts: LatencyOptions): Promise<LatencyResult> {
  const cluster = opts.addr ? undefined : await startLocalCluster({ agents: 1 });
  const client = new ClusterClient(opts.addr ? opts.addr.split(',') : [cluster!.addr]);
  const { steadyAfterRuns } = opts;
  const warmup = Math.max(0, steadyAfterRuns - settleRuns - opts.tasks);
  const progress = new Progress('  round trips', settleRuns + opts.tasks + warmup + opts.tasks);
  let done = 0;
  const runs = async (n: number): Promise<Sample> => {
    const sample: Sample = { roundTrips: [], toStart: [] };
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const end = await submitAndWait(client, singleTaskJob());
      sample.roundTrips.push(performance.now() - t0);
      const task = end.steps[0]!.tasks[0]!;
      sample.toStart.push(Number(task.started_at_ms) - Number(end.created_at_ms));
      progress.update(++done);
    }
    return sample;
  };
  let cold: Sample;
  let steady: Sample;
  try {
    say(`latency: sequential single-task runs, ${opts.tasks} cold and ${opts.tasks} after ${steadyAfterRuns} in all`);
    await runs(settleRuns);
    cold = await runs(opts.tasks);
    await runs(warmup);
    steady = await runs(opts.tasks);
    progress.done();
  } finally {
    client.close();
    await cluster?.stop();
  }
  // Measured once the cluster is gone, so nothing else runs beside it; at least 3,000 round
  // trips (about a second), as its p99 is the figure that varies most.
  const floorMs = cluster ? await measureTransportFloor(Math.max(opts.tasks, floorRoundTrips)) : undefined;
  return {
    tasks: opts.tasks,
    roundTripMs: roundTrips(steady.roundTrips),
    submitToStartMs: { p50: percentile(steady.toStart, 50), p99: percentile(steady.toStart, 99) },
    ...(cluster ? { coldRoundTripMs: roundTrips(cold.roundTrips), floorMs } : {}),
    steadyAfterRuns,
    samplesMs: steady.roundTrips.map((v) => round(v, 3)),
  };
}

function roundTrips(ms: number[]): RoundTrips {
  return { p50: round(percentile(ms, 50), 3), p99: round(percentile(ms, 99), 3), max: round(Math.max(...ms), 3) };
}
