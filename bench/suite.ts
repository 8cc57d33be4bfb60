/**
 * The benchmark suite: runs the chosen benchmarks, side by side with the Dask peer where it
 * applies, and returns the report with the charts it draws.
 */
import { runDask, type DaskResult } from './dask.js';
import { runExpansion, type ExpansionResult } from './expansion.js';
import { runLatency, type LatencyResult } from './latency.js';
import { runPlacementBench, type PlacementBenchResult } from './placement.js';
import { newReport, type BarSeries, type BenchReport } from './report.js';
import { say } from './progress.js';
import { round } from './stats.js';
import { runThroughput, type ThroughputRow } from './throughput.js';

export const benchmarks = ['throughput', 'latency', 'expansion', 'placement'] as const;
export type BenchmarkName = (typeof benchmarks)[number];

export interface SuiteOptions {
  which: BenchmarkName[];
  agentCounts: number[];
  tasks: number;
  latencyTasks: number;
  /** Simulated agents and queued tasks for the placement benchmark (pure, in process). */
  placementAgents: number;
  placementTasks: number;
  addr?: string;
  repeats: number;
  peer: boolean;
}

export async function runSuite(opts: SuiteOptions): Promise<BenchReport> {
  const report = newReport();
  const charts: BarSeries[] = [];
  let dask: DaskResult | undefined;
  const peer = async () => {
    if (!opts.peer) return { available: false as const, note: 'peer not requested' };
    if (!dask) {
      say(`dask peer: LocalCluster of ${Math.max(...opts.agentCounts)} worker process(es)`);
      dask = await runDask(Math.max(...opts.agentCounts), Math.min(opts.tasks, 10_000), opts.latencyTasks);
    }
    return dask;
  };
  if (opts.which.includes('throughput')) {
    const rows = await runThroughput({ agentCounts: opts.agentCounts, tasks: opts.tasks, repeats: opts.repeats, ...(opts.addr ? { addr: opts.addr } : {}) });
    const d = await peer();
    report.results.throughput = { rows, dask: d, ratioToDask: d.available ? round(Math.max(...rows.map((r) => r.sweepTasksPerSec)) / d.tasksPerSec, 1) : null };
    charts.push(throughputChart(rows, d));
  }
  if (opts.which.includes('latency')) {
    const lat: LatencyResult = await runLatency({ tasks: opts.latencyTasks, ...(opts.addr ? { addr: opts.addr } : {}) });
    const d = await peer();
    const { samplesMs, ...figures } = lat;
    report.results.latency = { ...figures, dask: d, ratioToDask: d.available ? round(lat.roundTripMs.p50 / d.roundTripMs.p50, 2) : null };
    charts.push({
      title: 'Single-task round trip (lower is better)',
      unit: 'ms',
      bars: [
        { label: 'clusterd p50', value: lat.roundTripMs.p50 },
        { label: 'clusterd p99', value: lat.roundTripMs.p99 },
        ...(d.available ? [{ label: 'Dask p50', value: d.roundTripMs.p50 }, { label: 'Dask p99', value: d.roundTripMs.p99 }] : []),
      ],
    });
    report.results.latencySamplesMs = samplesMs;
  }
  if (opts.which.includes('expansion')) {
    report.results.expansion = await runExpansion({ items: opts.tasks, repeats: opts.repeats, ...(opts.addr ? { addr: opts.addr } : {}) });
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
  report.results.charts = charts;
  return report;
}

function throughputChart(rows: ThroughputRow[], d: DaskResult): BarSeries {
  return {
    title: 'No-op tasks per second, end to end (higher is better)',
    unit: 'tasks/s',
    bars: [
      ...rows.flatMap((r) => [
        { label: `clusterd sweep, ${r.agents} agent(s)`, value: r.sweepTasksPerSec },
        { label: `clusterd small runs, ${r.agents} agent(s)`, value: r.smallRunsTasksPerSec },
      ]),
      ...(d.available ? [{ label: `Dask, ${d.workers} worker(s)`, value: d.tasksPerSec }] : []),
    ],
  };
}

/** The short table printed after a run. */
export function summary(report: BenchReport): string {
  const lines: string[] = [];
  const t = report.results.throughput as { rows: ThroughputRow[]; dask: DaskResult; ratioToDask: number | null } | undefined;
  if (t) {
    lines.push('throughput (no-op tasks/s, end to end)');
    for (const r of t.rows) lines.push(`  ${r.agents} agent(s): sweep ${r.sweepTasksPerSec}, small runs ${r.smallRunsTasksPerSec}`);
    lines.push(t.dask.available ? `  Dask (${t.dask.workers} workers): ${t.dask.tasksPerSec}; clusterd/Dask ${t.ratioToDask}x` : `  Dask: ${t.dask.note}`);
  }
  const l = report.results.latency as (Omit<LatencyResult, 'samplesMs'> & { dask: DaskResult; ratioToDask: number | null }) | undefined;
  if (l) {
    lines.push(`latency (${l.tasks} sequential single-task runs)`);
    lines.push(`  round trip p50 ${l.roundTripMs.p50} ms, p99 ${l.roundTripMs.p99} ms; submit to start p50 ${l.submitToStartMs.p50} ms, p99 ${l.submitToStartMs.p99} ms`);
    lines.push(l.dask.available ? `  Dask round trip p50 ${l.dask.roundTripMs.p50} ms, p99 ${l.dask.roundTripMs.p99} ms; clusterd/Dask ${l.ratioToDask}` : `  Dask: ${l.dask.note}`);
  }
  const e = report.results.expansion as ExpansionResult | undefined;
  if (e) lines.push(`expansion: a foreach of ${e.items} items submitted and all queued in ${e.submitToQueuedMs.median} ms (median)`);
  const p = report.results.placement as PlacementBenchResult | undefined;
  if (p) {
    lines.push(`placement (${p.agents} agents, ${p.tasks} queued tasks)`);
    lines.push(`  fill ${p.placer.fill.placementsPerSec} placements/s (p99 pass ${p.placer.fill.p99PassMs} ms); churn ${p.placer.churn.placementsPerSec}/s (p99 pass ${p.placer.churn.p99PassMs} ms)`);
    lines.push(`  half-cluster packing: ${(p.placer.halfClusterAgentsUsedShare * 100).toFixed(1)}% of agents used; first-fit decreasing ${(p.firstFitDecreasing.halfClusterAgentsUsedShare * 100).toFixed(1)}%`);
  }
  return lines.join('\n');
}
