// clusterctl submit: validate a job file completely, then submit it (and optionally wait).
import type { Command } from 'commander';
import { applyParamOverrides } from '../../core/job-spec.js';
import { clientFor, fail, storeFor } from '../context.js';
import { submitRequest } from '../../client/job-request.js';
import { loadJobFile } from '../../client/job-file.js';
import { submitAndFollow } from '../../client/run-follow.js';
import { parseFormat, printJson } from '../output.js';
import { RunProgress } from '../progress.js';
import { printRun } from './status.js';

interface SubmitFlags {
  param: string[];
  wait?: boolean;
  output?: string;
}

export function submitCommand(program: Command): void {
  program
    .command('submit')
    .description('submit a job file; prints the run id')
    .argument('<jobfile>', 'job file (YAML or JSON)')
    .option('-p, --param <k=v>', 'override a param of the job file (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('--wait', 'wait for the run to end; exit 0 only if it succeeded')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (file: string, flags: SubmitFlags, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const job = loadJobFile(file);
        const params = applyParamOverrides(job.spec.params, flags.param, file, job.spec.paramRules);
        const request = await submitRequest(job, params, storeFor(cmd), format === 'json');
        const client = clientFor(cmd);
        if (!flags.wait) {
          const { run_id: runId } = await client.call('Submit', request);
          if (format === 'json') printJson({ run_id: runId });
          else process.stdout.write(`${runId}\n`);
          client.close();
          return;
        }
        let announced = false;
        const progress = format === 'json' ? undefined : new RunProgress();
        const last = await submitAndFollow(client, request, {
          onStatus: (s) => {
            if (!announced && progress) process.stderr.write(`submitted ${s.run_id}; waiting\n`);
            announced = true;
            progress?.update(s);
          },
        });
        client.close();
        if (format === 'json') printJson(last);
        else printRun(last);
        process.exitCode = last.state === 'succeeded' ? 0 : 1;
      } catch (err) {
        fail(err, cmd);
      }
    });
}
