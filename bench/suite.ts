/**
 * The benchmark suite: runs the chosen benchmarks, side by side with the Dask peer where it
 * applies, and returns the report with the charts it draws.
 */
import { spawnSync } from 'node:child_process';
import { runContainerLatency, type ContainerLatencyResult } from './container-latency.js';
import { runDask, type DaskResult } from './dask.js';
import { runEngineMemory, type EngineMemoryResult } from './engine-memory.js';
import { runExpansion, type ExpansionResult } from './expansion.js';
import { runFailover, type FailoverResult } from './failover.js';
import { runLatency, type LatencyResult } from './latency.js';
import { runPlacementBench, type PlacementBenchResult } from './placement.js';
import { newReport, type BarSeries, type BenchReport } from './report.js';
import type { BenchmarkName } from './names.js';
import { say } from './progress.js';
import { round } from './stats.js';
import { runStoreBench } from './store.js';
import { runThroughput, type ThroughputRow } from './throughput.js';
import { runBullmq } from './bullmq.js';
import { runSecurityBench, type SecurityBenchResult } from './security.js';
import { runUserPath, type UserPathResult } from './user-path.js';


export interface SuiteOptions {
  which: BenchmarkName[];
  agentCounts: number[];
  tasks: number;
  latencyTasks: number;
  /** Runs before the steady-state latency sample (see latency.ts). */
  latencySteadyAfter: number;
  /** Sequential container tasks for container start latency (needs dockerd and busybox-static). */
  containerTasks: number;
  /** Simulated agents and queued tasks for the placement benchmark (pure, in process). */
  placementAgents: number;
  placementTasks: number;
  addr?: string;
  repeats: number;
  /** Tuned path: warm-up tasks and single-task runs before the measured ones (see throughput.ts). */
  warmup?: number;
  peer: boolean;
  /** Leader kills for the failover benchmark (on a cluster it starts: it kills processes). */
  kills: number;
  /** Size of the mixed corpus the store benchmark uploads. */
  storeBytes: number;
  /** Items of the user's-path efficiency sweep (10 ms tasks); 0: not measured. */
  efficiencyItems: number;
}

/**
 * The user's-path sweep sizes for `--tasks N`: 10,000 and 100,000 items, and N too when it is
 * bigger; N alone when it is under 10,000 (a trial run).
 */
export function userPathSizes(tasks: number): number[] {
  if (tasks < 10_000) return [tasks];
  return [10_000, 100_000, ...(tasks > 100_000 ? [tasks] : [])];
}

/**
 * The tuned path's sweep is a listed foreach: its items are part of the job document, which on
 * etcd must fit one request (1 MiB; 1,000,000 numbers are ~4.9 MB). Bigger sweeps are the user's
 * path, whose list a first step computes.
 */
const tunedMaxTasks = 100_000;

type StoreBenchResult = Awaited<ReturnType<typeof runStoreBench>>;

export async function runSuite(opts: SuiteOptions): Promise<BenchReport> {
  const report = newReport();
  const charts: BarSeries[] = [];
  let dask: DaskResult | undefined;
  const peer = async () => {
    if (!opts.peer) return { available: false as const, note: 'peer not requested' };
    if (!dask) {
      say(`dask peer: LocalCluster of ${Math.max(...opts.agentCounts)} worker process(es)`);
      dask = await runDask(Math.max(...opts.agentCounts), Math.min(opts.tasks, 10_000), opts.latencyTasks, opts.latencySteadyAfter);
    }
    return dask;
  };
  if (opts.which.includes('throughput')) {
    const userPath = await runUserPath({ items: userPathSizes(opts.tasks), repeats: opts.repeats, etcd: etcdInstalled(), efficiencyItems: opts.addr ? 0 : opts.efficiencyItems, ...(opts.addr ? { addr: opts.addr } : {}) });
    if (opts.peer && !opts.addr) {
      const jobs = Math.min(opts.tasks, 10_000);
      say(`bullmq peer: ${jobs} no-op jobs, one worker of concurrency 50, on a private redis-server`);
      userPath.bullmq = await runBullmq(jobs, opts.repeats);
    }
    report.results.userPath = userPath;
    charts.push(userPathChart(userPath));
    say(userPathLines(userPath).join('\n')); // now: the tuned path that follows takes a while
    const rows = await runThroughput({ agentCounts: opts.agentCounts, tasks: Math.min(opts.tasks, tunedMaxTasks), repeats: opts.repeats, etcd: etcdInstalled(), ...(opts.warmup !== undefined ? { warmup: opts.warmup } : {}), ...(opts.addr ? { addr: opts.addr } : {}) });
    const d = await peer();
    const embedded = rows.filter((r) => r.state === 'embedded');
    const onEtcd = rows.find((r) => r.state !== 'embedded');
    const sameAgents = onEtcd && embedded.find((r) => r.agents === onEtcd.agents);
    report.results.throughput = {
      rows,
      dask: d,
      ratioToDask: d.available ? round(Math.max(...embedded.map((r) => r.sweepTasksPerSec)) / d.tasksPerSec, 1) : null,
      etcdToEmbedded: onEtcd && sameAgents ? round(onEtcd.sweepTasksPerSec / sameAgents.sweepTasksPerSec, 2) : null,
      ...(opts.addr || onEtcd ? {} : { etcdNote: 'etcd is not installed (Debian package etcd-server): no row for 3 replicas on etcd' }),
    };
    charts.push(throughputChart(rows, d));
  }
  if (opts.which.includes('latency')) {
    const lat: LatencyResult = await runLatency({ tasks: opts.latencyTasks, steadyAfterRuns: opts.latencySteadyAfter, ...(opts.addr ? { addr: opts.addr } : {}) });
    const d = await peer();
    const { samplesMs, ...figures } = lat;
    report.results.latency = { ...figures, dask: d, ratioToDask: d.available ? round(lat.roundTripMs.p50 / d.roundTripMs.p50, 2) : null };
    charts.push({
      title: `Single-task round trip from run ${lat.steadyAfterRuns} on, and cold (lower is better)`,
      unit: 'ms',
      bars: [
        { label: 'clusterd p50', value: lat.roundTripMs.p50 },
        { label: 'clusterd p99', value: lat.roundTripMs.p99 },
        ...(lat.coldRoundTripMs ? [{ label: 'clusterd p50, cold', value: lat.coldRoundTripMs.p50 }] : []),
        ...(lat.floorMs ? [{ label: 'transport floor p50', value: lat.floorMs.p50 }, { label: 'transport floor p99', value: lat.floorMs.p99 }] : []),
        ...(d.available
          ? [{ label: 'Dask p50', value: d.roundTripMs.p50 }, { label: 'Dask p99', value: d.roundTripMs.p99 }, { label: 'Dask p50, cold', value: d.coldRoundTripMs.p50 }]
          : []),
      ],
    });
    report.results.latencySamplesMs = samplesMs;
    if (opts.addr) {
      report.results.containerLatency = { skipped: 'container latency starts its own Docker engine and cluster (without --addr)' };
    } else {
      const c = await runContainerLatency({ tasks: opts.containerTasks, log: say });
      report.results.containerLatency = c;
      if (!('skipped' in c)) {
        charts.push({
          title: `Container task start, p50 over ${c.tasks} tasks (lower is better)`,
          unit: 'ms',
          bars: [
            { label: 'clusterd: assigned to running', value: c.clusterd.assignToRunningMs.p50 },
            { label: 'raw docker run: command to running', value: c.raw.commandToRunningMs.p50 },
            { label: 'clusterd: submit to result', value: c.clusterd.submitToResultMs.p50 },
            { label: 'raw docker run with a result file', value: c.raw.runWithResultMs.p50 },
          ],
        });
      }
    }
  }
  if (opts.which.includes('expansion')) {
    report.results.expansion = await runExpansion({ items: opts.tasks, repeats: opts.repeats, ...(opts.addr ? { addr: opts.addr } : {}) });
  }
  if (opts.which.includes('memory')) {
    say(`memory: the flow engine in process, a computed sweep of ${Math.max(opts.tasks, 100_000)} no-op items`);
    report.results.memory = await runEngineMemory({ items: Math.max(opts.tasks, 100_000) });
  }
  if (opts.which.includes('placement')) {
    const p = await runPlacementBench({ agents: opts.placementAgents, tasks: opts.placementTasks, log: say });
    report.results.placement = p;
    charts.push({
      title: `Placements per second, ${p.agents} agents and ${p.tasks} queued tasks (higher is better)`,
      unit: 'placements/s',
      bars: [
        { label: 'clusterd, filling the cluster', value: p.placer.fill.placementsPerSec },
        { label: 'clusterd, churn', value: p.placer.churn.placementsPerSec },
        { label: 'first-fit decreasing, filling', value: p.firstFitDecreasing.fill.placementsPerSec },
      ],
    });
  }
  if (opts.which.includes('failover')) {
    if (opts.addr) {
      report.results.failover = { skipped: 'failover kills leader processes, so it runs on a cluster it starts itself (without --addr)' };
    } else if (!etcdInstalled()) {
      report.results.failover = { skipped: 'etcd is not installed (Debian package etcd-server)' };
    } else {
      const f = await runFailover({ kills: opts.kills, agents: 2 });
      report.results.failover = f;
      charts.push({
        title: `Failover: leader SIGKILL to the first task placed by the new leader (lease TTL ${f.leaseTtl}; lower is better)`,
        unit: 'ms',
        bars: f.failoverMs.samples.map((v, i) => ({ label: `kill ${i + 1}`, value: v })),
      });
    }
  }
  if (opts.which.includes('store')) {
    const st = await runStoreBench({ sizeBytes: opts.storeBytes, runs: opts.repeats, log: say });
    report.results.store = st;
    charts.push({
      title: 'Chunk store upload of a mixed corpus (higher is better)',
      unit: 'MB/s',
      bars: [
        { label: 'single-core chunk + sha256 + lz4', value: st.pipeline.singleCoreLimitMBps },
        { label: 'gRPC upload, fs backend (fsync)', value: st.upload.fs.uploadMBps },
        { label: 'gRPC upload, memory backend', value: st.upload.memory.uploadMBps },
      ],
    });
  }
  if (opts.which.includes('security')) {
    if (opts.addr) {
      report.results.security = { skipped: 'the security benchmark compares clusters it starts itself (without --addr)' };
    } else {
      const sec = await runSecurityBench({ items: Math.min(opts.tasks, 100_000), smallRuns: 50, rounds: opts.repeats });
      report.results.security = sec;
      charts.push({
        title: `TLS and tokens on the user's path (dev --data vs dev --secure --data), medians of ${sec.rounds} rounds`,
        unit: 'tasks/s',
        bars: [
          { label: `plaintext: sweep of ${sec.items}`, value: sec.plaintext.sweepTasksPerSec },
          { label: `TLS + tokens: sweep of ${sec.items}`, value: sec.secure.sweepTasksPerSec },
        ],
      });
    }
  }
  report.results.charts = charts;
  return report;
}

function userPathChart(u: UserPathResult): BarSeries {
  return {
    title: 'The user\'s path: a computed sweep through clusterctl submit --wait, default resources, durable state (higher is better)',
    unit: 'tasks/s',
    bars: [
      ...u.rows.map((r) => ({ label: `${r.items} items, ${r.state}`, value: r.tasksPerSec })),
      ...(u.bullmq?.available ? [{ label: `BullMQ, ${u.bullmq.jobs} jobs (a bare queue)`, value: u.bullmq.jobsPerSec }] : []),
    ],
  };
}

function throughputChart(rows: ThroughputRow[], d: DaskResult): BarSeries {
  return {
    title: 'Tuned path: no-op tasks per second through the API, 10m CPU requests, no code package, in-memory state (higher is better)',
    unit: 'tasks/s',
    bars: [
      ...rows.flatMap((r) => [
        { label: `clusterd sweep, ${r.agents} agent(s), ${r.state}`, value: r.sweepTasksPerSec },
        { label: `clusterd small runs, ${r.agents} agent(s), ${r.state}`, value: r.smallRunsTasksPerSec },
      ]),
      ...(d.available ? [{ label: `Dask, ${d.workers} worker(s)`, value: d.tasksPerSec }] : []),
    ],
  };
}

function userPathLines(u: UserPathResult): string[] {
  const lines = ['the user\'s path (examples/computed-sweep through clusterctl submit --wait, default resources, durable state)'];
  for (const r of u.rows) {
    const cpu = r.cpuUsPerTask ? `; CPU per task: schedulers ${r.cpuUsPerTask.schedulers} µs, agents ${r.cpuUsPerTask.agents} µs` : '';
    lines.push(`  ${r.items} items, ${r.state}: ${r.tasksPerSec} tasks/s (${r.seconds.join(', ')} s); leader event-loop delay p99 ${r.loopDelayMs.p99} ms, max ${r.loopDelayMs.max} ms; RSS ${Math.round(r.maxRssBytes / 2 ** 20)} MiB${cpu}`);
  }
  if (u.efficiency) {
    const e = u.efficiency;
    lines.push(`  efficiency: ${e.items} tasks of ${e.workMs} ms on ${e.slots} slots took ${e.seconds} s against an ideal ${e.idealSeconds} s (${e.efficiency})`);
  }
  const q = u.bullmq;
  if (q?.available) {
    const ours = u.rows.find((r) => r.state === 'dev --data' && r.items === 10_000) ?? u.rows[0];
    const ratio = ours ? `; the user's path (${ours.items} items, ${ours.state}) / BullMQ: ${round(ours.tasksPerSec / q.jobsPerSec, 1)}x` : '';
    lines.push(`  BullMQ (one worker, concurrency ${q.concurrency}, ${q.jobs} no-op jobs): ${q.jobsPerSec} jobs/s (${q.seconds.join(', ')} s)${ratio}`);
  } else if (q) lines.push(`  BullMQ: ${q.note}`);
  return lines;
}

/** The short table printed after a run. */
export function summary(report: BenchReport): string {
  const lines: string[] = [];
  const u = report.results.userPath as UserPathResult | undefined;
  if (u) lines.push(...userPathLines(u));
  const t = report.results.throughput as { rows: ThroughputRow[]; dask: DaskResult; ratioToDask: number | null; etcdToEmbedded: number | null; etcdNote?: string } | undefined;
  if (t) {
    lines.push('tuned path (no-op tasks/s through the API: 10m CPU requests, no code package, in-memory state)');
    for (const r of t.rows) {
      const cpu = r.sweepCpuUsPerTask ? ` (CPU per sweep task: scheduler ${r.sweepCpuUsPerTask.scheduler} µs, agents ${r.sweepCpuUsPerTask.agents} µs)` : '';
      lines.push(`  ${r.agents} agent(s), ${r.state}: sweep ${r.sweepTasksPerSec} (cold ${r.sweepColdTasksPerSec}), small runs ${r.smallRunsTasksPerSec} (cold ${r.smallRunsColdTasksPerSec})${cpu}`);
    }
    if (t.etcdToEmbedded !== null) lines.push(`  3 replicas on etcd / embedded, same agents: ${t.etcdToEmbedded}x the sweep throughput`);
    if (t.etcdNote) lines.push(`  ${t.etcdNote}`);
    lines.push(t.dask.available ? `  Dask (${t.dask.workers} workers): ${t.dask.tasksPerSec} (cold ${t.dask.coldTasksPerSec}); clusterd/Dask ${t.ratioToDask}x` : `  Dask: ${t.dask.note}`);
  }
  const l = report.results.latency as (Omit<LatencyResult, 'samplesMs'> & { dask: DaskResult; ratioToDask: number | null }) | undefined;
  if (l) {
    lines.push(`latency (${l.tasks} sequential single-task runs from run ${l.steadyAfterRuns} on: steady state)`);
    lines.push(`  round trip p50 ${l.roundTripMs.p50} ms, p99 ${l.roundTripMs.p99} ms; submit to start p50 ${l.submitToStartMs.p50} ms, p99 ${l.submitToStartMs.p99} ms`);
    if (l.coldRoundTripMs) lines.push(`  cold (the first ${l.tasks} runs of a new cluster): round trip p50 ${l.coldRoundTripMs.p50} ms, p99 ${l.coldRoundTripMs.p99} ms`);
    if (l.floorMs) lines.push(`  transport floor (the same path on bare loopback TCP and a worker thread, no work): p50 ${l.floorMs.p50} ms, p99 ${l.floorMs.p99} ms`);
    lines.push(l.dask.available
      ? `  Dask round trip p50 ${l.dask.roundTripMs.p50} ms, p99 ${l.dask.roundTripMs.p99} ms (cold ${l.dask.coldRoundTripMs.p50} / ${l.dask.coldRoundTripMs.p99}); clusterd/Dask ${l.ratioToDask}`
      : `  Dask: ${l.dask.note}`);
  }
  const c = report.results.containerLatency as ContainerLatencyResult | { skipped: string } | undefined;
  if (c) {
    lines.push('skipped' in c
      ? `container latency: skipped (${c.skipped})`
      : `container start (${c.tasks} tasks): assigned to running p50 ${c.clusterd.assignToRunningMs.p50} ms vs raw docker run ${c.raw.commandToRunningMs.p50} ms (${c.ratio.assignToRunning}x); submit to result p50 ${c.clusterd.submitToResultMs.p50} ms vs ${c.raw.runWithResultMs.p50} ms (${c.ratio.submitToResult}x; goal <= 1.15x)`);
  }
  const sec = report.results.security as SecurityBenchResult | { skipped: string } | undefined;
  if (sec) {
    lines.push('skipped' in sec
      ? `security: skipped (${sec.skipped})`
      : `security (dev --data vs dev --secure --data, medians of ${sec.rounds} rounds): sweep of ${sec.items} ${sec.plaintext.sweepTasksPerSec} -> ${sec.secure.sweepTasksPerSec} tasks/s (x${sec.sweepRatio}), CPU per task ${sec.plaintext.cpuUsPerTask} -> ${sec.secure.cpuUsPerTask} µs (x${sec.cpuRatio}); one-item run on open connections ${sec.plaintext.roundTripMs} -> ${sec.secure.roundTripMs} ms (x${sec.roundTripRatio}; goal for both: within 15%); submitted as the CLI does, with a new store connection ${sec.plaintext.submitMs} -> ${sec.secure.submitMs} ms (x${sec.submitRatio}); a new connection's first answer ${sec.plaintext.connectMs} -> ${sec.secure.connectMs} ms (the handshake each clusterctl command pays)`);
  }
  const e = report.results.expansion as ExpansionResult | undefined;
  if (e) lines.push(`expansion: a foreach of ${e.items} items submitted and all queued in ${e.submitToQueuedMs.median} ms (median)`);
  const m = report.results.memory as EngineMemoryResult | undefined;
  if (m) lines.push(`memory: the leader's heap holds ${m.heapBytesPerQueuedTask} bytes per queued task (${m.queuedTasks} made ahead) and ${m.heapBytesPerFinishedTask} per finished task (a computed sweep of ${m.items} items, engine in process: ${m.tasksPerSec} tasks/s, ${m.processCpuUsPerTask} µs CPU per task, GC ${(m.gcShareOfWall * 100).toFixed(1)}% of the time, longest pause ${m.longestGcPauseMs} ms)`);
  const p = report.results.placement as PlacementBenchResult | undefined;
  if (p) {
    lines.push(`placement (${p.agents} agents, ${p.tasks} queued tasks)`);
    lines.push(`  fill ${p.placer.fill.placementsPerSec} placements/s (p99 pass ${p.placer.fill.p99PassMs} ms); churn ${p.placer.churn.placementsPerSec}/s (p99 pass ${p.placer.churn.p99PassMs} ms)`);
    lines.push(`  half-cluster packing: ${(p.placer.halfClusterAgentsUsedShare * 100).toFixed(1)}% of agents used; first-fit decreasing ${(p.firstFitDecreasing.halfClusterAgentsUsedShare * 100).toFixed(1)}%`);
  }
  const f = report.results.failover as FailoverResult | { skipped: string } | undefined;
  if (f) {
    lines.push('skipped' in f ? `failover: skipped (${f.skipped})` : `failover (lease TTL ${f.leaseTtl}, ${f.kills} leader kills): p50 ${f.failoverMs.p50} ms, max ${f.failoverMs.max} ms (goal < 3000 ms)`);
  }
  const st = report.results.store as StoreBenchResult | undefined;
  if (st) {
    lines.push(`store (${Math.round(st.corpusBytes / 2 ** 20)} MiB mixed corpus)`);
    lines.push(`  gRPC upload ${st.upload.fs.uploadMBps} MB/s to fs (${st.upload.ratioToSingleCore}x the single-core chunk+hash+lz4 limit of ${st.pipeline.singleCoreLimitMBps} MB/s)`);
    for (const d of st.checkpoints.bySize) lines.push(`  chunks ${d.chunkSizes}: 10 checkpoints ${Math.round(d.logicalBytes / 2 ** 20)} MiB -> ${(d.storedBytes / 2 ** 20).toFixed(1)} MiB stored (x${d.dedupRatio})`);
  }
  return lines.join('\n');
}

function etcdInstalled(): boolean {
  return spawnSync('sh', ['-c', 'command -v etcd'], { stdio: 'ignore' }).status === 0;
}
