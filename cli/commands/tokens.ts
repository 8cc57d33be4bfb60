// clusterctl token create|ls|revoke|bootstrap, clusterctl audit: who may do what, and who did.
import type { Command } from 'commander';
import type { TokenCreated__Output, TokenInfo__Output } from '../../proto/types.js';
import { clientFor, fail } from '../context.js';
import { age, parseFormat, printJson, table } from '../output.js';
import { wholeNumberArg } from '../option-args.js';

export function tokenCommand(program: Command): void {
  const token = program.command('token').description('tokens: who may read, submit, administer, or join as an agent (admin)');

  token
    .command('create')
    .description('make a token; prints it once on stdout (only its hash is kept)')
    .requiredOption('--role <role>', 'read (runs, results, logs), submit (+ submit, resume, cancel, schedules), admin (everything), or agent (join as an agent)')
    .option('--project <name>', 'a project the token may touch (repeatable; default: every project)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--name <name>', 'what the token is for, as ls and the audit log show it', `token-${new Date().toISOString().slice(0, 10)}`)
    .option('-o, --output <format>', 'json: print one JSON document with the token and its record')
    .action(async (flags: { role: string; project: string[]; name: string; output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const made = await client.call('CreateToken', { name: flags.name, role: flags.role, projects: flags.project });
        client.close();
        printCreated(made, format === 'json');
      } catch (err) {
        fail(err, cmd);
      }
    });

  token
    .command('ls')
    .description('every token (without its secret)')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const { tokens } = await client.call('ListTokens', {});
        client.close();
        if (format === 'json') printJson(tokens);
        else process.stdout.write(`${table([['ID', 'NAME', 'ROLE', 'PROJECTS', 'CREATED', 'BY', 'REVOKED'], ...tokens.map(tokenRow)])}\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });

  token
    .command('revoke')
    .description('revoke a token: every replica refuses it within a few seconds')
    .argument('<id>', 'token id (see token ls)')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      try {
        const client = clientFor(cmd);
        const info = await client.call('RevokeToken', { id });
        client.close();
        process.stdout.write(`revoked ${info.id} (${info.name})\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });

  token
    .command('bootstrap')
    .description('make the first admin token of a cluster started with --auth tokens; works only while it has no token')
    .option('-o, --output <format>', 'json: print one JSON document with the token and its record')
    .action(async (flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const made = await client.call('BootstrapToken', {});
        client.close();
        printCreated(made, format === 'json');
      } catch (err) {
        fail(err, cmd);
      }
    });

  program
    .command('audit')
    .description('who submitted, resumed, cancelled, drained, scheduled and changed tokens, newest first (admin)')
    .option('--limit <n>', 'entries to show', wholeNumberArg(1, 10_000), '50')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { limit: string; output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = clientFor(cmd);
        const { entries } = await client.call('ListAudit', { limit: Number(flags.limit) });
        client.close();
        if (format === 'json') printJson(entries);
        else process.stdout.write(`${table([['WHEN', 'WHO', 'ACTION', 'TARGET', 'PROJECT', 'DETAIL'], ...entries.map((e) => [new Date(e.at_ms).toISOString(), e.who, e.action, e.target, e.project || '-', e.detail])])}\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });
}

/** The token alone on stdout (for `$(…)`), what it is on stderr. */
function printCreated(made: TokenCreated__Output, json: boolean): void {
  if (json) {
    printJson(made);
    return;
  }
  const info = made.info!;
  process.stdout.write(`${made.token}\n`);
  process.stderr.write(`token ${info.id} (${info.name}): ${info.role}${info.projects.length ? ` of ${info.projects.join(', ')}` : ''}; shown only now\n`);
}

function tokenRow(t: TokenInfo__Output): string[] {
  return [t.id, t.name, t.role, t.projects.length ? t.projects.join(',') : '*', age(t.created_at_ms), t.created_by, t.revoked_at_ms ? age(t.revoked_at_ms) : '-'];
}
