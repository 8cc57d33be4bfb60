// clusterctl bench: the benchmark suite for capacity planning (see bench/). The suite is
// imported when a benchmark runs, not for every clusterctl command.
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { benchmarks, type BenchmarkName } from '../../bench/names.js';
import { ClusterError, invalid } from '../../core/errors.js';
import { parseBytes, parseCpuMilli, parseDurationMs } from '../../core/units.js';
import { clientFor, fail, globals, untilSignal } from '../context.js';
import { parseFormat, printJson } from '../output.js';

const resultsDir = fileURLToPath(new URL('../../../bench/results', import.meta.url));

interface BenchFlags {
  agents: string;
  tasks: string;
  latencyTasks: string;
  latencySteadyAfter: string;
  containerTasks: string;
  repeats: string;
  warmup?: string;
  placementAgents: string;
  placementTasks: string;
  peer: boolean;
  kills: string;
  storeMib: string;
  efficiencyItems: string;
  taskSeconds?: string;
  cpu: string;
  memory: string;
  gpu: string;
  within: string;
  output?: string;
  out: string;
}

/** `bench plan`: measure the cluster at --addr, then answer how long and how many agents. */
async function capacityPlan(flags: BenchFlags, format: 'text' | 'json', cmd: Command): Promise<void> {
  if (flags.taskSeconds === undefined) throw invalid('bench plan: give --task-seconds (and --tasks, --cpu, --memory, --gpu as needed)');
  const seconds = Number(flags.taskSeconds);
  if (!(seconds > 0)) throw invalid(`--task-seconds ${flags.taskSeconds}: give a number of seconds > 0`);
  const gpus = Number(flags.gpu);
  if (!Number.isInteger(gpus) || gpus < 0) throw invalid(`--gpu ${flags.gpu}: give a whole number >= 0`);
  const shape = { seconds, cpuMilli: parseCpuMilli(flags.cpu), memoryBytes: parseBytes(flags.memory), gpus };
  const { agentKinds, measureOverhead, plan, slotsFor } = await import('../../bench/plan.js');
  const client = clientFor(cmd);
  try {
    const kinds = agentKinds((await client.call('ListAgents', {})).agents);
    if (kinds.length === 0) throw new ClusterError('UNAVAILABLE', 'the cluster has no agents to plan with');
    const slots = kinds.reduce((n, k) => n + slotsFor(k, { ...shape, gpus: 0 }) * k.count, 0);
    if (slots === 0) throw new ClusterError('UNSCHEDULABLE', `no agent can hold a task of ${flags.cpu} CPU and ${flags.memory}`);
    process.stderr.write(`plan: measuring ${kinds.reduce((n, k) => n + k.count, 0)} agent(s) with 500 no-op tasks of this shape\n`);
    const measured = await measureOverhead(client, shape, slots);
    const result = plan(positive(flags.tasks, '--tasks'), shape, kinds, measured, parseDurationMs(flags.within) / 1000);
    if (format === 'json') printJson(result);
    else process.stdout.write(`${result.arithmetic.join('\n')}\n`);
  } finally {
    client.close();
  }
}

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('benchmarks: throughput and latency side by side with Dask, placement beside first-fit decreasing, failover, chunk store')
    .argument('[which]', `${benchmarks.join(' | ')} | all | plan`, 'all')
    .option('--agents <n,...>', 'agent counts to measure (a cluster of real processes each)', '1,2,4')
    .option('--tasks <n>', 'no-op tasks per throughput sweep; the user\'s path runs 10,000 and 100,000 items, and this many too when more (under 10,000: this many only); the tuned path this many, at most 100,000', '10000')
    .option('--efficiency-items <n>', 'items of 10 ms in the user\'s-path efficiency sweep (one agent of 2 CPUs); 0: skip it', '2000')
    .option('--latency-tasks <n>', 'sequential single-task runs for latency', '300')
    .option('--latency-steady-after <n>', 'latency: runs, counted from the first, before the steady-state sample (the first ones are the cold sample)', '12000')
    .option('--container-tasks <n>', 'sequential container tasks for container start latency (and as many raw docker runs)', '30')
    .option('--warmup <n>', 'tuned path: no-op tasks, and single-task runs, before the measured ones (default: 10,000 per agent, and 3,000)')
    .option('--repeats <n>', 'sweeps per agent count (the median is reported)', '3')
    .option('--placement-agents <n>', 'simulated agents for the placement benchmark', '10000')
    .option('--placement-tasks <n>', 'queued tasks for the placement benchmark', '1000000')
    .option('--kills <n>', 'leader kills for the failover benchmark', '5')
    .option('--store-mib <n>', 'size of the mixed corpus the store benchmark uploads, in MiB', '1024')
    .option('--no-peer', 'skip the peers: Dask, and BullMQ on redis-server')
    .option('--task-seconds <s>', 'plan: how long one task runs, in seconds')
    .option('--cpu <cores>', 'plan: CPU one task requests', '1')
    .option('--memory <size>', 'plan: memory one task requests', '1Gi')
    .option('--gpu <n>', 'plan: GPUs one task requests', '0')
    .option('--within <duration>', 'plan: the deadline to size the cluster for', '1h')
    .option('--out <dir>', 'where the JSON and HTML reports go', resultsDir)
    .option('-o, --output <format>', 'json: print the report as one JSON document')
    .action(async (which: string, flags: BenchFlags, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        if (which === 'plan') return await capacityPlan(flags, format, cmd);
        if (which !== 'all' && !benchmarks.includes(which as BenchmarkName)) throw invalid(`bench ${which}: choose ${benchmarks.join(', ')} or all`);
        const agentCounts = flags.agents.split(',').map((a) => positive(a, '--agents'));
        const addr = globals(cmd).addr ?? undefined;
        const { runSuite, summary } = await import('../../bench/suite.js');
        const { writeReport } = await import('../../bench/report.js');
        const { stopStarted } = await import('../../bench/started.js');
        // Interrupted, it stops the clusters it started (they run detached) before it ends.
        untilSignal(stopStarted, 130);
        const report = await runSuite({
          which: which === 'all' ? [...benchmarks] : [which as BenchmarkName],
          agentCounts,
          tasks: positive(flags.tasks, '--tasks'),
          latencyTasks: positive(flags.latencyTasks, '--latency-tasks'),
          latencySteadyAfter: positive(flags.latencySteadyAfter, '--latency-steady-after'),
          containerTasks: positive(flags.containerTasks, '--container-tasks'),
          repeats: positive(flags.repeats, '--repeats'),
          ...(flags.warmup !== undefined ? { warmup: wholeOrZero(flags.warmup, '--warmup') } : {}),
          placementAgents: positive(flags.placementAgents, '--placement-agents'),
          placementTasks: positive(flags.placementTasks, '--placement-tasks'),
          peer: flags.peer,
          kills: positive(flags.kills, '--kills'),
          storeBytes: positive(flags.storeMib, '--store-mib') * 2 ** 20,
          efficiencyItems: wholeOrZero(flags.efficiencyItems, '--efficiency-items'),
          ...(addr ? { addr } : {}),
        });
        const files = writeReport(report, flags.out);
        if (format === 'json') printJson(report);
        else process.stdout.write(`${summary(report)}\nreport: ${files.html}\n        ${files.json}\n`);
      } catch (err) {
        fail(err);
      }
    });
}

function wholeOrZero(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalid(`${flag} ${value}: give a whole number >= 0`);
  return n;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalid(`${flag} ${value}: give a whole number >= 1`);
  return n;
}
