// clusterctl wait RUN: follow a run to its end (again), across leader changes and outages.
import type { Command } from 'commander';
import { parseDurationMs } from '../../core/units.js';
import { defaultPatienceMs, followRun } from '../../client/run-follow.js';
import { clientFor, fail } from '../context.js';
import { durationArg } from '../option-args.js';
import { parseFormat, printJson } from '../output.js';
import { printRun } from './status.js';

export function waitCommand(program: Command): void {
  program
    .command('wait')
    .description('wait for a run to end: exit 0 if it succeeded, 1 if it failed or was cancelled')
    .argument('<run>', 'run id')
    .option('--timeout <duration>', 'stop waiting after this long (exit 5; the run goes on)', durationArg)
    .option('--patience <duration>', 'give up (exit 3) only after this long without any scheduler answering', durationArg, `${defaultPatienceMs / 1000}s`)
    .option('-o, --output <format>', 'json: print the final status as one JSON document')
    .action(async (runId: string, flags: { timeout?: string; patience: string; output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const signal = flags.timeout === undefined ? undefined : AbortSignal.timeout(parseDurationMs(flags.timeout));
        const last = await followRun(client, runId, { patienceMs: parseDurationMs(flags.patience), ...(signal ? { signal } : {}) });
        client.close();
        if (format === 'json') printJson(last);
        else printRun(last);
        process.exitCode = last.state === 'succeeded' ? 0 : 1;
      } catch (err) {
        fail(err, cmd);
      }
    });
}
