// clusterctl bench: the benchmark suite for capacity planning (see bench/).
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { writeReport } from '../../bench/report.js';
import { benchmarks, runSuite, summary, type BenchmarkName } from '../../bench/suite.js';
import { invalid } from '../../core/errors.js';
import { fail, globals } from '../context.js';
import { parseFormat, printJson } from '../output.js';

const resultsDir = fileURLToPath(new URL('../../../bench/results', import.meta.url));

interface BenchFlags {
  agents: string;
  tasks: string;
  latencyTasks: string;
  repeats: string;
  placementAgents: string;
  placementTasks: string;
  peer: boolean;
  output?: string;
  out: string;
}

export function benchCommand(program: Command): void {
  program
    .command('bench')
    .description('benchmarks: throughput and latency side by side with Dask, and placement side by side with first-fit decreasing')
    .argument('[which]', `${benchmarks.join(' | ')} | all`, 'all')
    .option('--agents <n,...>', 'agent counts to measure (a cluster of real processes each)', '1,2,4')
    .option('--tasks <n>', 'no-op tasks per throughput sweep', '10000')
    .option('--latency-tasks <n>', 'sequential single-task runs for latency', '300')
    .option('--repeats <n>', 'sweeps per agent count (the median is reported)', '3')
    .option('--placement-agents <n>', 'simulated agents for the placement benchmark', '10000')
    .option('--placement-tasks <n>', 'queued tasks for the placement benchmark', '1000000')
    .option('--no-peer', 'skip the Dask peer')
    .option('--out <dir>', 'where the JSON and HTML reports go', resultsDir)
    .option('-o, --output <format>', 'json: print the report as one JSON document')
    .action(async (which: string, flags: BenchFlags, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        if (which !== 'all' && !benchmarks.includes(which as BenchmarkName)) throw invalid(`bench ${which}: choose ${benchmarks.join(', ')} or all`);
        const agentCounts = flags.agents.split(',').map((a) => positive(a, '--agents'));
        const addr = globals(cmd).addr ?? undefined;
        const report = await runSuite({
          which: which === 'all' ? [...benchmarks] : [which as BenchmarkName],
          agentCounts,
          tasks: positive(flags.tasks, '--tasks'),
          latencyTasks: positive(flags.latencyTasks, '--latency-tasks'),
          repeats: positive(flags.repeats, '--repeats'),
          placementAgents: positive(flags.placementAgents, '--placement-agents'),
          placementTasks: positive(flags.placementTasks, '--placement-tasks'),
          peer: flags.peer,
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

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw invalid(`${flag} ${value}: give a whole number >= 1`);
  return n;
}
