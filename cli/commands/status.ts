// clusterctl status [RUN]: a run's steps and tasks, or the recent runs.
import type { Command } from 'commander';
import { invalid } from '../../core/errors.js';
import type { RunStatus__Output, TaskPage } from '../../proto/types.js';
import { parseDurationMs } from '../../core/units.js';
import type { ClusterClient } from '../../client/client.js';
import { followRun, type FollowOptions } from '../../client/run-follow.js';
import { clientFor, fail } from '../context.js';
import { RunProgress } from '../progress.js';
import { durationArg, wholeNumberArg } from '../option-args.js';
import { age, parseFormat, printJson, table, type OutputFormat } from '../output.js';

const maxWaitingShown = 10;
const taskStates = ['pending', 'queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'];

interface StatusFlags {
  output?: string;
  watch?: boolean;
  limit: string;
  tasks?: string;
  page?: string;
  state?: string;
  step?: string;
}

export function statusCommand(program: Command): void {
  program
    .command('status')
    .description("a run's steps and tasks, or the recent runs")
    .argument('[run]', 'run id')
    .option('-o, --output <format>', 'json: print one JSON document')
    .option('--limit <n>', 'how many recent runs to list', '20')
    .option('--tasks <n|all>', 'list this many tasks per step (default: every task of a run of up to 2,000, else each step\'s first 10 and failed ones)')
    .option('--page <n>', 'with --tasks: which page of tasks, from 0', '0')
    .option('--state <state>', `list only tasks in this state (${taskStates.join(', ')})`)
    .option('--step <step>', 'list only this step\'s tasks')
    .option('--watch', 'with RUN: show each step\'s progress live until the run ends, then its status (exit 0 only if it succeeded)')
    .action(async (runId: string | undefined, flags: StatusFlags, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        if (flags.watch) {
          if (!runId) throw invalid('--watch needs a run: clusterctl status RUN --watch');
          await waitAndPrint(client, runId, format);
          return;
        }
        if (runId) {
          const page = taskPage(flags);
          const run = await client.call('GetRun', { run_id: runId, ...(page ? { tasks: page } : {}) });
          if (format === 'json') printJson(run);
          else printRun(run, page !== undefined);
        } else {
          const { runs } = await client.call('ListRuns', { limit: Number(flags.limit) || 20 });
          if (format === 'json') printJson(runs);
          else printRuns(runs);
        }
        client.close();
      } catch (err) {
        fail(err, cmd);
      }
    });
}

interface RunsFlags {
  project?: string;
  name?: string;
  state?: string;
  since?: string;
  limit: string;
  output?: string;
}

const runStates = ['running', 'succeeded', 'failed', 'cancelled'];

export function runsCommand(program: Command): void {
  program
    .command('runs')
    .description('runs, newest first, with how long they took and their tasks done (status without a run lists them too)')
    .option('--project <project>', 'only runs of this project')
    .option('--name <name>', 'only runs of the job of this name')
    .option('--state <state>', `only runs in this state (${runStates.join(', ')})`)
    .option('--since <duration>', 'only runs submitted within this long (e.g. 2h, 7d)', durationArg)
    .option('--limit <n>', 'at most this many', wholeNumberArg(1, 100_000), '20')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: RunsFlags, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        if (flags.state !== undefined && !runStates.includes(flags.state)) throw invalid(`--state ${flags.state}: choose ${runStates.join(', ')}`);
        const client = clientFor(cmd);
        const { runs } = await client.call('ListRuns', {
          limit: Number(flags.limit), project: flags.project ?? '', name: flags.name ?? '', state: flags.state ?? '',
          since_ms: flags.since === undefined ? 0 : Date.now() - parseDurationMs(flags.since),
        });
        client.close();
        if (format === 'json') printJson(runs);
        else if (runs.length === 0) process.stdout.write('no runs match\n');
        else printRuns(runs);
      } catch (err) {
        fail(err, cmd);
      }
    });
}

/** The tasks the flags ask for; undefined: the scheduler's default listing. */
function taskPage(flags: StatusFlags): TaskPage | undefined {
  if (flags.state !== undefined && !taskStates.includes(flags.state)) throw invalid(`--state ${flags.state}: choose ${taskStates.join(', ')}`);
  const page = Number(flags.page);
  if (!Number.isInteger(page) || page < 0) throw invalid(`--page ${flags.page}: give a whole number >= 0`);
  if (flags.tasks === undefined && !flags.state && !flags.step) {
    if (page > 0) throw invalid('--page needs --tasks (tasks per page)');
    return undefined;
  }
  const all = flags.tasks === 'all';
  const limit = flags.tasks === undefined || all ? 0 : Number(flags.tasks);
  if (!all && (!Number.isInteger(limit) || limit < 0)) throw invalid(`--tasks ${flags.tasks}: give a whole number or all`);
  return { limit, page, all, state: flags.state ?? '', step: flags.step ?? '' };
}

/** A run for people: its steps in numbers, failures, why tasks wait; `listTasks`: the listed tasks too. */
export function printRun(run: RunStatus__Output, listTasks = false): void {
  const took = run.finished_at_ms ? age(Number(run.created_at_ms), Number(run.finished_at_ms)) : `${age(Number(run.created_at_ms))} so far`;
  const lines = [`run ${run.run_id}  ${run.state}  (job ${run.name}, project ${run.project}, ${took})`];
  if (run.error) lines.push(`error: ${run.error.message}`);
  const resumed = run.resumed_from !== '';
  if (resumed) {
    const reused = run.steps.reduce((n, s) => n + s.reused, 0);
    const why = reused === 0 ? ' (the code, params or steps changed, or nothing had succeeded)' : run.resume_ignored_code ? ' (across a code change: --ignore-code-change)' : '';
    lines.push(`resumed from ${run.resumed_from}: ${reused} task(s) reused${why}`);
  }
  const rows = [['STEP', 'STATE', 'TASKS', 'DONE', 'RUNNING', 'WAITING', 'FAILED', ...(resumed ? ['REUSED'] : [])]];
  const waiting: string[] = [];
  const partial: string[] = [];
  for (const step of run.steps) {
    rows.push([step.name, step.state, step.total, step.succeeded, step.running, step.waiting, step.failed, ...(resumed ? [step.reused] : [])].map(String));
    for (const t of step.tasks) {
      if (t.waiting && waiting.length < maxWaitingShown) waiting.push(`  ${step.name}/${t.index}: ${t.waiting}`);
      if (!listTasks && t.state === 'failed' && t.error) lines.push(`failed: ${step.name}/${t.index} (attempt ${t.attempt}): ${t.error.code}: ${t.error.message}`);
    }
    if (step.failed > step.tasks.filter((t) => t.state === 'failed').length && !listTasks) partial.push(`${step.failed} failed in ${step.name}: clusterctl status ${run.run_id} --step ${step.name} --state failed`);
  }
  process.stdout.write(`${lines.join('\n')}\n${table(rows)}\n`);
  if (listTasks) printTasks(run);
  if (waiting.length) process.stdout.write(`waiting:\n${waiting.join('\n')}\n`);
  if (partial.length) process.stdout.write(`more:\n${partial.map((p) => `  ${p}`).join('\n')}\n`);
}

function printTasks(run: RunStatus__Output): void {
  const rows = [['TASK', 'STATE', 'ATTEMPT', 'AGENT', 'DETAIL']];
  for (const step of run.steps) {
    for (const t of step.tasks) {
      const detail = t.error ? `${t.error.code}: ${t.error.message}` : t.waiting;
      rows.push([`${step.name}/${t.index}`, t.state, String(t.attempt), t.agent_id || '-', detail]);
    }
  }
  process.stdout.write(rows.length > 1 ? `${table(rows)}\n` : 'no tasks match\n');
}

function printRuns(runs: RunStatus__Output[]): void {
  const resumes = runs.some((r) => r.resumed_from);
  const rows = [['RUN', 'STATE', 'JOB', 'PROJECT', 'AGE', 'TOOK', 'TASKS DONE', ...(resumes ? ['RESUMED FROM'] : [])]];
  for (const r of runs) {
    const took = r.finished_at_ms ? age(Number(r.created_at_ms), Number(r.finished_at_ms)) : '-';
    const [done, total] = r.steps.reduce(([d, t], s) => [d + s.succeeded, t + s.total], [0, 0]);
    rows.push([r.run_id, r.state, r.name, r.project, age(Number(r.created_at_ms)), took, `${done}/${total}`, ...(resumes ? [r.resumed_from || '-'] : [])]);
  }
  process.stdout.write(`${table(rows)}\n`);
}

/**
 * Follows `runId` to its end showing its progress (not with JSON output), prints its final
 * status and sets the exit status of a wait: 0 succeeded, 1 failed or cancelled.
 */
export async function waitAndPrint(client: ClusterClient, runId: string, format: OutputFormat, opts: Omit<FollowOptions, 'onStatus'> = {}): Promise<void> {
  const progress = format === 'json' ? undefined : new RunProgress();
  const last = await followRun(client, runId, { ...opts, onStatus: (s) => progress?.update(s) });
  client.close();
  if (format === 'json') printJson(last);
  else printRun(last);
  process.exitCode = last.state === 'succeeded' ? 0 : 1;
}
