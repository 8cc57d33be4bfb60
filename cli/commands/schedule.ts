// clusterctl schedule add|ls|rm: periodic runs of a job file.
import type { Command } from 'commander';
import { applyParamOverrides } from '../../core/job-spec.js';
import type { ScheduleInfo__Output } from '../../proto/types.js';
import { clientFor, fail, storeFor } from '../context.js';
import { submitRequest } from '../../client/job-request.js';
import { loadJobFile } from '../../client/job-file.js';
import { parseFormat, printJson, table } from '../output.js';

export function scheduleCommand(program: Command): void {
  const schedule = program.command('schedule').description('periodic runs of a job file (cron, UTC)');

  schedule
    .command('add')
    .description('run JOBFILE on a cron schedule')
    .argument('<name>', 'schedule name')
    .argument('<jobfile>', 'job file (YAML or JSON)')
    .requiredOption('--cron <expr>', 'cron expression: 5 fields (minute hour day month weekday) or 6 with seconds first')
    .option('-p, --param <k=v>', 'override a param of the job file (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (name: string, file: string, flags: { cron: string; param: string[]; output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const job = loadJobFile(file);
        const params = applyParamOverrides(job.spec.params, flags.param, file, job.spec.paramRules);
        const request = await submitRequest(job, params, storeFor(cmd), format === 'json');
        const client = clientFor(cmd);
        const info = await client.call('AddSchedule', { name, cron: flags.cron, job: request });
        client.close();
        if (format === 'json') printJson(info);
        else process.stdout.write(`schedule ${info.name} added; next run at ${new Date(Number(info.next_tick_ms)).toISOString()}\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });

  schedule
    .command('ls')
    .description('list schedules')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const { schedules } = await client.call('ListSchedules', {});
        client.close();
        if (format === 'json') printJson(schedules);
        else printSchedules(schedules);
      } catch (err) {
        fail(err, cmd);
      }
    });

  schedule
    .command('rm')
    .description('remove a schedule (runs it started go on)')
    .argument('<name>', 'schedule name')
    .action(async (name: string, _flags: unknown, cmd: Command) => {
      try {
        const client = clientFor(cmd);
        await client.call('RemoveSchedule', { name });
        client.close();
        process.stdout.write(`schedule ${name} removed\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });
}

function printSchedules(schedules: ScheduleInfo__Output[]): void {
  const when = (ms: number) => (ms ? new Date(ms).toISOString() : '-');
  const rows = [['NAME', 'CRON', 'LAST RUN', 'LAST TICK', 'NEXT TICK', 'JOB']];
  for (const s of schedules) rows.push([s.name, s.cron, s.last_run_id || '-', when(Number(s.last_tick_ms)), when(Number(s.next_tick_ms)), s.source]);
  process.stdout.write(`${table(rows)}\n`);
}
