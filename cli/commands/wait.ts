// clusterctl wait RUN: follow a run to its end (again), across leader changes and outages.
import type { Command } from 'commander';
import { parseDurationMs } from '../../core/units.js';
import { defaultPatienceMs } from '../../client/run-follow.js';
import { clientFor, fail } from '../context.js';
import { durationArg } from '../option-args.js';
import { parseFormat } from '../output.js';
import { waitAndPrint } from './status.js';

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
        await waitAndPrint(client, runId, format, { patienceMs: parseDurationMs(flags.patience), ...(signal ? { signal } : {}) });
      } catch (err) {
        fail(err, cmd);
      }
    });
}
