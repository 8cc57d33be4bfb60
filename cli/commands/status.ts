// clusterctl status [RUN]: a run's steps and tasks, or the recent runs.
import type { Command } from 'commander';
import type { RunStatus__Output } from '../../proto/types.js';
import { clientFor, fail } from '../context.js';
import { age, parseFormat, printJson, table } from '../output.js';

const maxWaitingShown = 10;

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description("a run's steps and tasks, or the recent runs")
    .argument('[run]', 'run id')
    .option('-o, --output <format>', 'json: print one JSON document')
    .option('--limit <n>', 'how many recent runs to list', '20')
    .action(async (runId: string | undefined, flags: { output?: string; limit: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        if (runId) {
          const run = await client.call('GetRun', { run_id: runId });
          if (format === 'json') printJson(run);
          else printRun(run);
        } else {
          const { runs } = await client.call('ListRuns', { limit: Number(flags.limit) || 20 });
          if (format === 'json') printJson(runs);
          else printRuns(runs);
        }
        client.close();
      } catch (err) {
        fail(err);
      }
    });
}

export function printRun(run: RunStatus__Output): void {
  const took = run.finished_at_ms ? age(Number(run.created_at_ms), Number(run.finished_at_ms)) : `${age(Number(run.created_at_ms))} so far`;
  const lines = [`run ${run.run_id}  ${run.state}  (job ${run.name}, project ${run.project}, ${took})`];
  if (run.error) lines.push(`error: ${run.error.message}`);
  const rows = [['STEP', 'STATE', 'TASKS', 'DONE', 'RUNNING', 'WAITING', 'FAILED']];
  const waiting: string[] = [];
  for (const step of run.steps) {
    rows.push([step.name, step.state, step.total, step.succeeded, step.running, step.waiting, step.failed].map(String));
    for (const t of step.tasks) {
      if (t.waiting && waiting.length < maxWaitingShown) waiting.push(`  ${step.name}/${t.index}: ${t.waiting}`);
      if (t.state === 'failed' && t.error) lines.push(`failed: ${step.name}/${t.index} (attempt ${t.attempt}): ${t.error.code}: ${t.error.message}`);
    }
  }
  process.stdout.write(`${lines.join('\n')}\n${table(rows)}\n`);
  if (waiting.length) process.stdout.write(`waiting:\n${waiting.join('\n')}\n`);
}

function printRuns(runs: RunStatus__Output[]): void {
  const rows = [['RUN', 'STATE', 'JOB', 'PROJECT', 'AGE']];
  for (const r of runs) rows.push([r.run_id, r.state, r.name, r.project, age(Number(r.created_at_ms))]);
  process.stdout.write(`${table(rows)}\n`);
}
