/**
 * Latency: single-task round trips (submit until the result is recorded and the client hears
 * of it) and submit-to-start, over sequential no-op thread tasks.
 *
 * Submit-to-start runs from the client's submit call to the first line of the task function in
 * the agent's worker, which returns the time it read: both are wall-clock readings with
 * sub-millisecond resolution on the same machine (the recorded started_at_ms has whole
 * milliseconds only). Against a live cluster (--addr) it includes the clocks' offset.
 *
 * Two samples of `tasks` runs each. Cold: the first runs of a cluster this benchmark started,
 * what a freshly started scheduler shows. Steady: the runs after `steadyAfterRuns` in all
 * (default 12,000), what a cluster that has been up a while shows. V8 optimises a function only
 * after many calls, and one run calls most of the scheduler's and the agent's code once: the p50
 * settles within ~3,000 runs (2.2 ms over runs 1-500, 0.8-0.9 ms from 3,000 on, 2 cores), but
 * TurboFan keeps compiling on V8's helper threads for longer, and on 2 cores those compiles
 * delay the runs they overlap: the p99 of 2,000-run windows (median of six clusters) was 3.8 ms
 * over runs 2,001-4,000, 2.0 over 6,001-8,000 and 1.3-1.9 from 12,000 on (bench/README.md).
 *
 * Next to its own cluster it measures the machine's transport floor (transport-floor.ts): the
 * same path with nothing on it, which clusterd's figures can be read against.
 */
import { ClusterClient } from '../client/client.js';
import { decodeValue } from '../core/codec.js';
import { monotonicNowMs, wallNowMs } from './container-timeline.js';
import { startLocalCluster } from './local-cluster.js';
import { Progress, say } from './progress.js';
import { percentile, round } from './stats.js';
import { measureTransportFloor, type TransportFloor } from './transport-floor.js';
import { startedAtJob, submitAndWait } from './workload.js';

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
    const submitted: Array<[runId: string, submittedAtMs: number]> = [];
    for (let i = 0; i < n; i++) {
      const submittedAtMs = cluster ? monotonicNowMs() : wallNowMs();
      const t0 = performance.now();
      const end = await submitAndWait(client, startedAtJob());
      sample.roundTrips.push(performance.now() - t0);
      submitted.push([end.run_id, submittedAtMs]);
      progress.update(++done);
    }
    // Read once the sample is done: a call between runs was still being served as the next run
    // came in, and put 0.05-0.2 ms on the round trip's p50.
    for (const [runId, submittedAtMs] of submitted) {
      const { result } = await client.call('Result', { run_id: runId, step: 'start', index: 0 });
      const startedAt = decodeValue(result) as { wallMs: number; monotonicMs: number };
      // On a cluster it started itself, on this machine: the monotonic clock, which all its
      // processes share. A live cluster's agents may be elsewhere: only the wall clock is common.
      sample.toStart.push((cluster ? startedAt.monotonicMs : startedAt.wallMs) - submittedAtMs);
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
    submitToStartMs: { p50: round(percentile(steady.toStart, 50), 3), p99: round(percentile(steady.toStart, 99), 3) },
    ...(cluster ? { coldRoundTripMs: roundTrips(cold.roundTrips), floorMs } : {}),
    steadyAfterRuns,
    samplesMs: steady.roundTrips.map((v) => round(v, 3)),
  };
}

function roundTrips(ms: number[]): RoundTrips {
  return { p50: round(percentile(ms, 50), 3), p99: round(percentile(ms, 99), 3), max: round(Math.max(...ms), 3) };
}
