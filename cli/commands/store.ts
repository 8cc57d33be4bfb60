// clusterctl artifacts ls|get and clusterctl store stats|gc|verify: the chunk store from the CLI.
import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { ClusterError } from '../../core/errors.js';
import { formatBytes } from '../../core/units.js';
import type { Artifact__Output } from '../../proto/generated/clusterd/v1/Artifact.js';
import { FsBackend } from '../../store/fs-backend.js';
import { verifyStore } from '../../store/gc.js';
import { clientFor, fail, storeFor } from '../context.js';
import { parseFormat, printJson, table } from '../output.js';
import { parseTaskSelector } from '../task-selector.js';

async function artifactsOf(cmd: Command, runId: string, selector: string): Promise<{ taskId: string; artifacts: Artifact__Output[] }> {
  const { step, index } = parseTaskSelector(selector, 0);
  const client = clientFor(cmd);
  try {
    const res = await client.call('Result', { run_id: runId, step, index });
    return { taskId: res.task_id, artifacts: res.artifacts };
  } finally {
    client.close();
  }
}

export function artifactsCommand(program: Command): void {
  const artifacts = program.command('artifacts').description('named artifacts a task saved (ctx.save, or files under /cluster/out)');

  artifacts
    .command('ls')
    .description("a task's artifacts")
    .argument('<run>', 'run id')
    .argument('<step>', 'STEP or STEP/INDEX (index 0 by default)')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (runId: string, selector: string, flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const { taskId, artifacts: list } = await artifactsOf(cmd, runId, selector);
        if (format === 'json') printJson({ task_id: taskId, artifacts: list.map((a) => ({ name: a.name, object_id: a.object_id, size_bytes: Number(a.size_bytes) })) });
        else if (!list.length) process.stderr.write(`${taskId} saved no artifacts\n`);
        else process.stdout.write(`${table([['NAME', 'SIZE', 'OBJECT'], ...list.map((a) => [a.name, formatBytes(Number(a.size_bytes)), a.object_id.slice(0, 16)])])}\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });

  artifacts
    .command('get')
    .description('download an artifact (verified chunk by chunk) to a file or stdout')
    .argument('<run>', 'run id')
    .argument('<step>', 'STEP or STEP/INDEX (index 0 by default)')
    .argument('[name]', 'artifact name (may be left out when the task saved exactly one)')
    .option('-o, --output <file>', 'write to this file (default: stdout)')
    .action(async (runId: string, selector: string, name: string | undefined, flags: { output?: string }, cmd: Command) => {
      try {
        const { taskId, artifacts: list } = await artifactsOf(cmd, runId, selector);
        const names = list.map((a) => a.name).join(', ') || 'none';
        const artifact = name ? list.find((a) => a.name === name) : list.length === 1 ? list[0] : undefined;
        if (!artifact) {
          throw new ClusterError(name ? 'NOT_FOUND' : 'INVALID_ARGUMENT', name ? `${taskId} has no artifact "${name}" (it has: ${names})` : `${taskId} has several artifacts; name one of: ${names}`);
        }
        const store = storeFor(cmd);
        try {
          await download(store.getObjectStream(artifact.object_id), flags.output);
        } finally {
          await store.close();
        }
      } catch (err) {
        fail(err, cmd);
      }
    });
}

/** To stdout, or to a file that appears only once complete and verified. */
async function download(bytes: AsyncIterable<Uint8Array>, file: string | undefined): Promise<void> {
  if (!file) {
    await pipeline(bytes, process.stdout, { end: false });
    return;
  }
  const temp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.partial-${process.pid}`);
  try {
    await pipeline(bytes, createWriteStream(temp));
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

export function storeCommand(program: Command): void {
  const store = program.command('store').description('the chunk store: results, artifacts, logs and code packages');

  store
    .command('stats')
    .description('objects, chunks, logical vs stored bytes and the dedup ratio')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = storeFor(cmd);
        const s = await client.stats();
        await client.close();
        if (format === 'json') printJson(s);
        else {
          const row = [String(s.objects), String(s.chunks), formatBytes(s.logicalBytes), formatBytes(s.storedBytes), `${s.dedupRatio.toFixed(2)}x`];
          process.stdout.write(`${table([['OBJECTS', 'CHUNKS', 'LOGICAL', 'STORED', 'DEDUP'], row])}\n`);
        }
      } catch (err) {
        fail(err, cmd);
      }
    });

  store
    .command('gc')
    .description('remove chunks no run, task or schedule refers to (older than the grace period)')
    .option('--dry-run', 'report what would be removed, remove nothing')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { dryRun?: boolean; output?: string }, cmd: Command) => {
      try {
        const format = parseFormat(flags.output);
        const client = storeFor(cmd);
        const r = await client.gc({ dryRun: flags.dryRun ?? false });
        await client.close();
        if (format === 'json') printJson({ ...r, dryRun: flags.dryRun ?? false });
        else process.stdout.write(`${flags.dryRun ? 'would remove' : 'removed'} ${r.removedChunks} chunks (${formatBytes(r.removedBytes)}); kept ${r.keptChunks}\n`);
      } catch (err) {
        fail(err, cmd);
      }
    });

  store
    .command('verify')
    .description("re-hash every chunk of a store folder on this machine; corrupt ones are set aside (run on a replica's host)")
    .requiredOption('--dir <dir>', 'the store folder (the scheduler\'s --store)')
    .option('-o, --output <format>', 'json: print one JSON document')
    .action(async (flags: { dir: string; output?: string }) => {
      try {
        const format = parseFormat(flags.output);
        if (!existsSync(path.join(flags.dir, 'chunks'))) throw new ClusterError('INVALID_ARGUMENT', `--dir ${flags.dir}: no chunk store there`);
        const backend = await FsBackend.open(path.resolve(flags.dir));
        const r = await verifyStore(backend);
        await backend.close();
        if (format === 'json') printJson(r);
        else process.stdout.write(`checked ${r.checked} chunks; ${r.corrupt.length ? `corrupt: ${r.corrupt.join(', ')}` : 'none corrupt'}\n`);
        if (r.corrupt.length) process.exitCode = 1;
      } catch (err) {
        fail(err);
      }
    });
}
