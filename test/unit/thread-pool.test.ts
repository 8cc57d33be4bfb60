// The thread pool with real worker threads: batches of short tasks, and what happens to the
// rest of a batch when one of its tasks crashes, hangs, runs long or is cancelled.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ThreadPool } from '../../agent/executors/thread-pool.js';
import type { TaskOutcome, ThreadTaskRun } from '../../agent/executors/executor.js';
import { Cancellation } from '../../core/cancellation.js';
import { decodeValue, encodeValue } from '../../core/codec.js';
import { silentLogger } from '../../core/logger.js';
import { tempDir, type TempDir } from '../support/temp.js';

const moduleUrl = pathToFileURL(join(import.meta.dirname, '../fixtures/pool/tasks.mjs')).href;

interface Item { op: 'quick' | 'sleep' | 'sleep-deaf' | 'block' | 'spin' | 'exit' | 'mark' | 'save-view' | 'fail'; ms?: number; file?: string }

function taskRun(item: Item, opts: { timeoutMs?: number; cancellation?: Cancellation; onLog?: (stream: string, text: string) => void } = {}): ThreadTaskRun {
  return {
    kind: 'thread',
    taskId: `t-${item.op}`,
    attempt: 1,
    moduleUrl,
    exportName: 'act',
    input: new Uint8Array(),
    params: new Uint8Array(),
    item: encodeValue(item),
    memoryBytes: 0,
    cpuMilli: 100,
    gpuIndices: [],
    timeoutMs: opts.timeoutMs ?? 0,
    cancellation: opts.cancellation ?? new Cancellation(),
    onStarted: () => {},
    onLog: opts.onLog ?? (() => {}),
  };
}

/** Cancels `cancellation` as soon as the task logs (the fixture's ops that take time log first). */
function cancelOnceRunning(cancellation: Cancellation): (stream: string, text: string) => void {
  return () => cancellation.cancel(new Error('cancelled by the test'));
}

function threadOf(outcome: TaskOutcome): number {
  if (!outcome.ok) throw new Error(`task failed: ${outcome.error.code} ${outcome.error.message}`);
  return (decodeValue(outcome.result) as { threadId: number }).threadId;
}

describe('thread pool', () => {
  let pool: ThreadPool | undefined;
  let dir: TempDir;
  beforeEach(async () => {
    dir = await tempDir('clusterd-pool');
  });
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await dir.remove();
  });

  /** A pool that has seen the task function finish quickly, so it hands tasks over in batches. */
  async function warmPool(size: number, abortGraceMs = 2000): Promise<{ pool: ThreadPool; warmThread: number }> {
    pool = new ThreadPool({ size, warmLimitBytes: 64 * 2 ** 20, abortGraceMs, maxQueue: 1000, logger: silentLogger });
    // The first calls are slow (compiling); the pool goes by the function's recent average.
    let warmThread = 0;
    for (let i = 0; i < 20; i++) warmThread = threadOf(await pool.run(taskRun({ op: 'quick' })));
    return { pool, warmThread };
  }

  /** Runs the tasks, submitted together, and lists them in the order they ended. */
  async function finishOrder(p: ThreadPool, runs: [string, ThreadTaskRun][]): Promise<{ order: string[]; outcomes: Map<string, TaskOutcome> }> {
    const order: string[] = [];
    const outcomes = new Map<string, TaskOutcome>();
    await Promise.all(runs.map(async ([label, run]) => {
      outcomes.set(label, await p.run(run));
      order.push(label);
    }));
    return { order, outcomes };
  }

  it('runs at once only what fits the agent\'s capacity: prefetched tasks wait in its queue', async () => {
    // 4 workers, 2 CPUs: two 1-CPU tasks at a time, then a 2-CPU task alone, then two more.
    pool = new ThreadPool({ size: 4, warmLimitBytes: 64 * 2 ** 20, abortGraceMs: 2000, maxQueue: 1000, capacity: { cpuMilli: 2000, memoryBytes: 2 ** 30 }, logger: silentLogger });
    const intervals: Array<{ label: string; cpu: number; start: number; end: number }> = [];
    const run = async (label: string, cpuMilli: number) => {
      const interval = { label, cpu: cpuMilli, start: 0, end: 0 };
      intervals.push(interval);
      const outcome = await pool!.run({ ...taskRun({ op: 'sleep', ms: 150 }), taskId: label, cpuMilli, onStarted: (at) => { interval.start = at; } });
      interval.end = Date.now();
      expect(outcome.ok).toBe(true);
    };
    await Promise.all([run('a', 1000), run('b', 1000), run('big', 2000), run('c', 1000), run('d', 1000)]);
    // The CPU held at each start (a task that ended within 20 ms of it is counted as ended).
    for (const i of intervals) {
      const held = intervals.filter((j) => j.start <= i.start && j.end > i.start + 20).reduce((n, j) => n + j.cpu, 0);
      expect(held, `CPU running when ${i.label} started`).toBeLessThanOrEqual(2000);
    }
    expect(intervals.map((i) => i.label).sort((x, y) => intervals.find((i) => i.label === x)!.start - intervals.find((i) => i.label === y)!.start)).toEqual(['a', 'b', 'big', 'c', 'd']);
  });

  it('runs many short tasks and returns each its own result', async () => {
    const { pool: p } = await warmPool(2);
    const outcomes = await Promise.all(Array.from({ length: 500 }, () => p.run(taskRun({ op: 'quick' }))));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    expect(new Set(outcomes.map(threadOf)).size).toBe(2);
  });

  it('hands back a result and artifacts each in a buffer of its own size, not a view of a larger one', async () => {
    // Posting a view between threads copies its whole underlying buffer: a 1-byte result
    // packed into a shared slab cost a slab's copy, and kept it alive, per task.
    const { pool: p } = await warmPool(1);
    const outcome = await p.run(taskRun({ op: 'save-view' }));
    if (!outcome.ok) throw new Error(outcome.error.message);
    expect(outcome.result.buffer.byteLength).toBe(outcome.result.byteLength);
    const artifacts = Object.fromEntries((outcome.artifacts ?? []).map((a) => [a.name, 'bytes' in a ? a.bytes : undefined]));
    expect([...artifacts.view!]).toEqual([7, 7, 7]);
    expect(Buffer.from(artifacts.text!).toString()).toBe('hi');
    for (const bytes of Object.values(artifacts)) expect(bytes!.buffer.byteLength).toBe(bytes!.byteLength);
  });

  it('does not keep short tasks waiting behind a long one handed over with them', async () => {
    const { pool: p } = await warmPool(2);
    const quick = Array.from({ length: 10 }, (_, i): [string, ThreadTaskRun] => [`quick${i}`, taskRun({ op: 'quick' })]);
    const { order, outcomes } = await finishOrder(p, [['sleep', taskRun({ op: 'sleep', ms: 1500 })], ...quick]);
    expect(order.at(-1)).toBe('sleep');
    expect([...outcomes.values()].every((o) => o.ok)).toBe(true);
  });

  it('judges how long a function runs by its successes: quick failures do not make a long one look short', async () => {
    // Batched behind a sleeping task as if it were quick, a task that fails at once waited for
    // the sleeper (found with fail_fast: the failing item sat behind its siblings for a minute).
    pool = new ThreadPool({ size: 2, warmLimitBytes: 64 * 2 ** 20, abortGraceMs: 2000, maxQueue: 1000, logger: silentLogger });
    for (let i = 0; i < 2; i++) expect((await pool.run(taskRun({ op: 'sleep', ms: 200 }))).ok).toBe(true);
    for (let i = 0; i < 40; i++) expect((await pool.run(taskRun({ op: 'fail' }))).ok).toBe(false);
    const { order } = await finishOrder(pool, [
      ['sleep1', taskRun({ op: 'sleep', ms: 800 })],
      ['fail', taskRun({ op: 'fail' })],
      ['sleep2', taskRun({ op: 'sleep', ms: 800 })],
    ]);
    expect(order[0]).toBe('fail');
  });

  it('fails only the task whose worker died; the ones after it run on a new worker', async () => {
    const { pool: p, warmThread } = await warmPool(1);
    const { outcomes } = await finishOrder(p, [
      ['before', taskRun({ op: 'quick' })],
      ['exit', taskRun({ op: 'exit' })],
      ['after1', taskRun({ op: 'quick' })],
      ['after2', taskRun({ op: 'quick' })],
    ]);
    expect(threadOf(outcomes.get('before')!)).toBe(warmThread);
    expect(outcomes.get('exit')).toMatchObject({ ok: false, error: { code: 'WORKER_EXITED' } });
    const after = threadOf(outcomes.get('after1')!);
    expect(after).not.toBe(warmThread);
    expect(threadOf(outcomes.get('after2')!)).toBe(after);
  });

  it('drops a cancelled task its worker has not reached, without running it', async () => {
    const { pool: p } = await warmPool(1);
    const file = join(dir.path, 'marks');
    const cancellation = new Cancellation();
    const { order, outcomes } = await finishOrder(p, [
      ['block', taskRun({ op: 'block', ms: 600 }, { onLog: cancelOnceRunning(cancellation) })],
      ['mark', taskRun({ op: 'mark', file }, { cancellation })],
    ]);
    expect(order).toEqual(['mark', 'block']);
    expect(outcomes.get('mark')).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(outcomes.get('block')!.ok).toBe(true);
    // The worker has finished what it was given and taken in the abort before the next task.
    expect(threadOf(await p.run(taskRun({ op: 'quick' })))).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(false);
  });

  it('aborts a running task through ctx.signal, and its worker goes on', async () => {
    const { pool: p, warmThread } = await warmPool(1);
    const cancellation = new Cancellation();
    const started = performance.now();
    const outcome = await p.run(taskRun({ op: 'sleep', ms: 5000 }, { cancellation, onLog: cancelOnceRunning(cancellation) }));
    expect(outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(performance.now() - started).toBeLessThan(1500); // ended by the signal, not the 2 s grace
    expect(threadOf(await p.run(taskRun({ op: 'quick' })))).toBe(warmThread);
  });

  it('discards the result of a task that ignored its abort and returned', async () => {
    const { pool: p, warmThread } = await warmPool(1);
    const cancellation = new Cancellation();
    const outcome = await p.run(taskRun({ op: 'sleep-deaf', ms: 300 }, { cancellation, onLog: cancelOnceRunning(cancellation) }));
    expect(outcome).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(threadOf(await p.run(taskRun({ op: 'quick' })))).toBe(warmThread);
  });

  it('runs a timeout from when the task starts, not from when it was handed over', async () => {
    const { pool: p } = await warmPool(1);
    const { outcomes } = await finishOrder(p, [
      // Holding the thread, it keeps the worker from giving the second back.
      ['first', taskRun({ op: 'block', ms: 500 })],
      ['second', taskRun({ op: 'sleep', ms: 100 }, { timeoutMs: 400 })],
    ]);
    expect(outcomes.get('first')!.ok).toBe(true);
    expect(outcomes.get('second')!.ok).toBe(true);
  });

  it('terminates a worker whose task ignores its timeout, and runs the rest of its batch', async () => {
    const { pool: p, warmThread } = await warmPool(1, 100);
    const { outcomes } = await finishOrder(p, [
      ['spin', taskRun({ op: 'spin' }, { timeoutMs: 200 })],
      ['after', taskRun({ op: 'quick' })],
    ]);
    expect(outcomes.get('spin')).toMatchObject({ ok: false, error: { code: 'TIMEOUT' } });
    expect(threadOf(outcomes.get('after')!)).not.toBe(warmThread);
  });

  it('cancels what waits or runs when it closes', async () => {
    const { pool: p } = await warmPool(1);
    let sleeping!: () => void;
    const asleep = new Promise<void>((resolve) => (sleeping = resolve));
    const running = p.run(taskRun({ op: 'sleep', ms: 5000 }, { onLog: () => sleeping() }));
    const waiting = p.run(taskRun({ op: 'quick' }));
    await asleep;
    await p.close();
    expect(await running).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(await waiting).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });

  it('commits every task of a batch as it is posted to the worker, before the ones behind the head start', async () => {
    const { pool: p } = await warmPool(1);
    const events: string[] = [];
    const runs = Array.from({ length: 6 }, (_, i) => p.run({
      ...taskRun({ op: 'quick' }),
      taskId: `t${i}`,
      onCommitted: () => events.push(`committed t${i}`),
      onStarted: () => events.push(`started t${i}`),
    }));
    await Promise.all(runs);
    // one worker, warm: the ones queued together go as a batch, each committed when the batch
    // is posted, so those behind its head are committed while not yet started
    for (let i = 0; i < 6; i++) expect(events.indexOf(`committed t${i}`)).toBeLessThan(events.indexOf(`started t${i}`));
    let outstanding = 0;
    let most = 0;
    for (const e of events) {
      outstanding += e.startsWith('committed') ? 1 : -1;
      most = Math.max(most, outstanding);
    }
    expect(most).toBeGreaterThanOrEqual(2);
  });

  it('closes once: a second close waits for the same shutdown, and nothing runs after it', async () => {
    const { pool: p } = await warmPool(1);
    const running = p.run(taskRun({ op: 'sleep', ms: 5000 }));
    const first = p.close();
    const second = p.close();
    expect(second).toBe(first);
    await second;
    // the first close's work is done by the time the second resolves: the running task was cancelled
    expect(await Promise.race([running, Promise.resolve('still running')])).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(await p.run(taskRun({ op: 'quick' }))).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });
});
