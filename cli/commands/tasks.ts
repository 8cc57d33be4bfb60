// clusterctl result, logs, cancel: what a run's tasks produced, and stopping a run.
import type { Command } from 'commander';
import { decodeValue } from '../../core/codec.js';
import { ClusterError } from '../../core/errors.js';
import type { TaskResult__Output } from '../../proto/types.js';
import { clientFor, fail, storeFor } from '../context.js';
import { parseFormat, printJson } from '../output.js';
import { parseTaskSelector } from '../task-selector.js';
import { printRun } from './status.js';

export function resultCommand(program: Command): void {
  program
    .command('result')
    .description("a task's result")
    .argument('<run>', 'run id')
    .argument('<step>', 'STEP or STEP/INDEX (index 0 by default)')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (runId: string, selector: string, flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const { step, index } = parseTaskSelector(selector, 0);
        const client = clientFor(cmd);
        const res = await client.call('Result', { run_id: runId, step, index });
        client.close();
        const value = res.state === 'succeeded' ? await resultValue(res, cmd) : undefined;
        if (format === 'json') printJson({ task_id: res.task_id, state: res.state, result: value ?? null, error: res.error });
        else if (res.state === 'succeeded') process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        if (res.state !== 'succeeded') {
          const why = res.error ? `${res.error.code}: ${res.error.message}` : 'no result yet';
          throw new ClusterError('TASK_FAILED', `${res.task_id} is ${res.state}: ${why}`);
        }
      } catch (err) {
        fail(err, cmd);
      }
    });
}

/** The result inline in the reply, or fetched (and verified) from the store when kept there. */
async function resultValue(res: TaskResult__Output, cmd: Command): Promise<unknown> {
  if (!res.result_object) return decodeValue(res.result);
  const store = storeFor(cmd);
  try {
    return await store.getValue(res.result_object);
  } finally {
    await store.close();
  }
}

export function logsCommand(program: Command): void {
  program
    .command('logs')
    .description('task logs')
    .argument('<run>', 'run id')
    .argument('[step]', 'STEP or STEP/INDEX (default: every task)')
    .option('-f, --follow', 'keep printing until the tasks end')
    .action(async (runId: string, selector: string | undefined, flags: { follow?: boolean }, cmd: Command) => {
      try {
        const { step, index } = parseTaskSelector(selector, -1);
        const client = clientFor(cmd);
        await client.stream((c) => c.Logs({ run_id: runId, step, index, follow: flags.follow ?? false }), (line) => {
          process.stdout.write(`${line.text}\n`);
        });
        client.close();
      } catch (err) {
        fail(err, cmd);
      }
    });
}

export function cancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('cancel a run: queued tasks are dropped, running ones stopped')
    .argument('<run>', 'run id')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (runId: string, flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const run = await client.call('Cancel', { run_id: runId });
        client.close();
        if (format === 'json') printJson(run);
        else printRun(run);
      } catch (err) {
        fail(err, cmd);
      }
    });
}
