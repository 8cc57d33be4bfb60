/**
 * A bare task queue on the same cores, for scale: BullMQ on a private redis-server, one worker
 * in this process with concurrency 50, no-op jobs added in bulk, timed from the first add until
 * the worker has completed them all (completed jobs removed, as a throughput setup would). It
 * has no placement, no resources, no DAG and no durable results: a floor a full scheduler with
 * durable state should stay well ahead of. When redis-server or bullmq is missing the result says
 * so; it never fails the bench.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../core/ports.js';
import { median, round } from './stats.js';

const redisServer = '/usr/bin/redis-server';
const concurrency = 50;
const warmupJobs = 2_000;
const addBatch = 1_000;

export type BullmqResult =
  | { available: true; jobs: number; concurrency: number; jobsPerSec: number; seconds: number[] }
  | { available: false; note: string };

export async function runBullmq(jobs: number, repeats: number): Promise<BullmqResult> {
  if (!existsSync(redisServer)) return { available: false, note: 'redis-server is not installed (apt-get install redis-server); BullMQ peer skipped' };
  let bullmq: typeof import('bullmq');
  try {
    bullmq = await import('bullmq');
  } catch {
    return { available: false, note: 'the bullmq package is missing (npm ci installs it); BullMQ peer skipped' };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterd-bench-redis-'));
  const port = await freePort();
  const redis = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await ready(redis);
    const connection = { host: '127.0.0.1', port };
    const queue = new bullmq.Queue('noop', { connection });
    let completed = 0;
    let target = 0;
    let done: (() => void) | undefined;
    const worker = new bullmq.Worker('noop', async () => null, { connection, concurrency });
    worker.on('completed', () => {
      if (++completed === target) done?.();
    });
    const sweep = async (n: number): Promise<number> => {
      completed = 0;
      target = n;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const start = performance.now();
      for (let i = 0; i < n; i += addBatch) {
        const batch = Array.from({ length: Math.min(addBatch, n - i) }, (_, j) => ({ name: 'noop', data: { i: i + j }, opts: { removeOnComplete: true } }));
        await queue.addBulk(batch);
      }
      await finished;
      return performance.now() - start;
    };
    try {
      await sweep(warmupJobs);
      const ms: number[] = [];
      for (let r = 0; r < repeats; r++) ms.push(await sweep(jobs));
      return { available: true, jobs, concurrency, jobsPerSec: round(jobs / (median(ms) / 1000), 0), seconds: ms.map((m) => round(m / 1000, 2)) };
    } finally {
      await worker.close();
      await queue.close();
    }
  } catch (err) {
    return { available: false, note: `the BullMQ peer failed: ${(err as Error).message}` };
  } finally {
    redis.kill('SIGTERM');
    if (redis.exitCode === null) await once(redis, 'exit');
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Resolves once redis-server says it accepts connections; rejects if it exits first. */
async function ready(redis: ChildProcess): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    redis.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Ready to accept connections')) resolve();
    });
    redis.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-300)}`)));
  });
  redis.stdout!.resume();
}
