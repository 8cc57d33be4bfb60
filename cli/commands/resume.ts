// clusterctl resume RUN [--from STEP] [--ignore-code-change]: re-run the failed part of a run with the code as it is now.
import type { Command } from 'commander';
import { applyParamOverrides } from '../../core/job-spec.js';
import { clientFor, fail, storeFor } from '../context.js';
import { submitRequest } from '../../client/job-request.js';
import { loadJobFile } from '../../client/job-file.js';
import { parseFormat, printJson } from '../output.js';
import { waitAndPrint } from './status.js';

interface ResumeFlags {
  from?: string;
  ignoreCodeChange?: boolean;
  wait?: boolean;
  param: string[];
  output?: string;
}

export function resumeCommand(program: Command): void {
  program
    .command('resume')
    .description('a new run, with the job file and code as they are now, that reuses every task of RUN that succeeded and would compute the same, and runs the rest')
    .argument('<run>', 'run id')
    .option('--from <step>', 're-run this step and every step after it, even where they succeeded')
    .option('--ignore-code-change', 'reuse finished tasks even though the code changed (for a fix that cannot alter what succeeded)')
    .option('-p, --param <k=v>', 'override a param (default: the params of RUN)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--wait', 'wait for the new run to end; exit 0 only if it succeeded')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (runId: string, flags: ResumeFlags, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const earlier = await client.call('GetRun', { run_id: runId, tasks: { none: true } });
        const job = loadJobFile(earlier.source);
        const params = flags.param.length ? applyParamOverrides(job.spec.params, flags.param, earlier.source, job.spec.paramRules) : undefined;
        const request = await submitRequest(job, params, storeFor(cmd), format === 'json');
        if (format !== 'json') process.stderr.write(codeChangeNote(runId, earlier.code_digest, request.code_digest ?? '', flags.ignoreCodeChange === true));
        const { run_id: newRunId } = await client.call('Resume', { run_id: runId, from_step: flags.from ?? '', job: request, ignore_code_change: flags.ignoreCodeChange === true });
        if (!flags.wait) {
          client.close();
          if (format === 'json') printJson({ run_id: newRunId, resumed_from: runId });
          else process.stdout.write(`${newRunId}\n`);
          return;
        }
        if (format !== 'json') process.stderr.write(`resumed ${runId} as ${newRunId}; waiting\n`);
        await waitAndPrint(client, newRunId, format);
      } catch (err) {
        fail(err, cmd);
      }
    });
}

/** What a code change since the earlier run means for reuse; nothing when the code is the same. */
function codeChangeNote(runId: string, before: string, now: string, ignored: boolean): string {
  if (!before || before === now) return '';
  return ignored
    ? `the code changed since ${runId}; its finished tasks are reused anyway (--ignore-code-change)\n`
    : `the code changed since ${runId}: every task runs again; if the change cannot alter what succeeded (a fix for what failed), --ignore-code-change reuses it\n`;
}
