/**
 * Throughput: end-to-end no-op thread tasks per second, from submit until every result is
 * recorded — as one foreach sweep, and as many small runs — for several agent counts. Every
 * task is placed, runs in a worker thread of an agent process, and its result is recorded
 * before it counts.
 */
import { ClusterClient } from '../client/client.js';
import { startLocalCluster } from './local-cluster.js';
import { cpuDuring } from './process-cpu.js';
import { Progress, say } from './progress.js';
import { median, round } from './stats.js';
import { withUpCluster } from './started.js';
import { singleTaskJob, submitAndWait, sweepJob } from './workload.js';

export interface ThroughputOptions {
  agentCounts: number[];
  tasks: number;
  /** Measure this live cluster instead of starting one (agentCounts then only labels it). */
  addr?: string;
  repeats: number;
  /** Warm-up before the measured sweeps, and before the measured small runs (default: see below). */
  warmup?: number;
  /** Also measure 3 replicas on etcd (needs `etcd` on PATH). */
  etcd: boolean;
}

export interface ThroughputRow {
  agents: number;
  /** Where the state lives: one scheduler on the embedded store, or 3 replicas on etcd. */
  state: 'embedded' | 'etcd, 3 replicas';
  /** Sweeps after `sweepWarmupPerAgent` tasks per agent: what a cluster that has been up a while does. */
  sweepTasksPerSec: number;
  /** The first full sweep of the cluster, before the code of a task's path is optimised. */
  sweepColdTasksPerSec: number;
  /** Single-task runs after `smallRunsWarmup` of them: what a cluster that has been up a while does. */
  smallRunsTasksPerSec: number;
  /** The first single-task runs of the cluster, before the code of a run's path is optimised. */
  smallRunsColdTasksPerSec: number;
  sweepRunsMs: number[];
  /**
   * CPU per sweep task in µs (median over the repeats), for a cluster this benchmark started:
   * the scheduler's, and all agents' together (worker threads and GC included).
   */
  sweepCpuUsPerTask?: { scheduler: number; agents: number };
}

/**
 * No-op tasks per agent run between the cold sweep and the measured ones, on a cluster this
 * benchmark started. Each agent is its own process whose code V8 optimises only after many
 * calls: on 2 cores, 4 agents went from ~13,000 tasks/s in the first 10,000-task sweep to
 * ~19,000-25,000 after about 10,000 tasks per agent; 1 agent from ~15,000-19,000 to
 * ~18,000-21,000. A live cluster (--addr) has been up a while: one more sweep of --tasks there,
 * not 10,000 per agent of a cluster of any size.
 */
const sweepWarmupPerAgent = 10_000;
const smallRunsInFlight = 64;
/** Single-task runs in each small-runs sample. */
const smallRunsSample = 2_000;
/**
 * Single-task runs between the cold sample and the steady one. The sweeps before them warm the
 * task path, not a run's own (submit, commit, follow, end): like the latency benchmark's round
 * trip, small runs went ~1.5x faster after a few thousand (2,700 -> 4,100-5,500 runs/s).
 */
const smallRunsWarmup = 3_000;

export async function runThroughput(opts: ThroughputOptions): Promise<ThroughputRow[]> {
  if (opts.addr) return [await measure(opts, opts.addr.split(','), 0, 'embedded', [])];
  const rows: ThroughputRow[] = [];
  for (const agents of opts.agentCounts) {
    const cluster = await startLocalCluster({ agents });
    try {
      rows.push(await measure(opts, [cluster.addr], agents, 'embedded', cluster.pids));
    } finally {
      await cluster.stop();
    }
  }
  if (opts.etcd) {
    // The same sweep through 3 replicas on etcd, with as many agents as the largest embedded row.
    const agents = Math.max(...opts.agentCounts);
    await withUpCluster('etcd', { agents, replicas: 3, host: '127.0.0.1', leaseTtl: '2s', agentTtl: '5s', agentArgs: [], logLevel: 'warn', readyTimeoutMs: 60_000, insecure: true }, async (cluster) => {
      rows.push(await measure(opts, cluster.schedulers, agents, 'etcd, 3 replicas', []));
    });
  }
  return rows;
}

/** `pids`: the scheduler's then the agents', when this benchmark started them; else empty. */
async function measure(opts: ThroughputOptions, addrs: string[], agents: number, state: ThroughputRow['state'], pids: number[]): Promise<ThroughputRow> {
  const client = new ClusterClient(addrs);
  try {
    say(`throughput: ${opts.addr ? `cluster at ${opts.addr}` : `${agents} agent(s), ${state} state`}, ${opts.tasks} no-op tasks, ${opts.repeats} repeat(s)`);
    const label = opts.addr ? (await client.call('ListAgents', {})).agents.length : agents;
    await sweep(client, 200); // the worker pools started, the task module imported
    const sweepColdMs = await sweep(client, opts.tasks);
    const warmup = opts.warmup ?? (opts.addr ? opts.tasks : sweepWarmupPerAgent * agents);
    if (warmup > 0) await sweep(client, warmup);
    const sweepMs: number[] = [];
    const schedulerUs: number[] = [];
    const agentsUs: number[] = [];
    for (let i = 0; i < opts.repeats; i++) {
      const { value: ms, cpuMs } = await cpuDuring(pids, () => sweep(client, opts.tasks));
      sweepMs.push(ms);
      if (cpuMs.length && cpuMs.every((v) => v !== undefined)) {
        const [scheduler, ...agentMs] = cpuMs as number[];
        schedulerUs.push((scheduler! * 1000) / opts.tasks);
        agentsUs.push((agentMs.reduce((a, b) => a + b, 0) * 1000) / opts.tasks);
      }
    }
    const small = Math.min(opts.tasks, smallRunsSample);
    const smallColdMs = await smallRuns(client, small);
    await smallRuns(client, opts.warmup ?? smallRunsWarmup);
    const smallMs = await smallRuns(client, small);
    return {
      agents: label,
      state,
      sweepTasksPerSec: round(opts.tasks / (median(sweepMs) / 1000), 0),
      sweepColdTasksPerSec: round(opts.tasks / (sweepColdMs / 1000), 0),
      smallRunsTasksPerSec: round(small / (smallMs / 1000), 0),
      smallRunsColdTasksPerSec: round(small / (smallColdMs / 1000), 0),
      sweepRunsMs: sweepMs.map((v) => round(v, 1)),
      ...(schedulerUs.length ? { sweepCpuUsPerTask: { scheduler: round(median(schedulerUs), 0), agents: round(median(agentsUs), 0) } } : {}),
    };
  } finally {
    client.close();
  }
}

/** One foreach run of `n` tasks (plus its join); returns ms from submit to its end. */
async function sweep(client: ClusterClient, n: number): Promise<number> {
  const progress = new Progress(`  sweep of ${n}`, n);
  const start = performance.now();
  await submitAndWait(client, sweepJob(n), (s) => progress.update(s.steps[0]?.succeeded ?? 0), { summaryOnly: true });
  progress.done();
  return performance.now() - start;
}

/** `n` single-task runs, `smallRunsInFlight` at a time; returns ms from first submit to last end. */
async function smallRuns(client: ClusterClient, n: number): Promise<number> {
  const progress = new Progress(`  ${n} small runs`, n);
  const start = performance.now();
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < n) {
      next++;
      await submitAndWait(client, singleTaskJob());
      progress.update(++done);
    }
  };
  await Promise.all(Array.from({ length: smallRunsInFlight }, lane));
  progress.done();
  return performance.now() - start;
}
