// The Executor contract (test/support/executor-conformance.ts) for the isolated process pool, on
// real child processes under Node's permission model; and what such a task cannot reach.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ProcessPool } from '../../agent/executors/process-pool.js';
import type { TaskRun } from '../../agent/executors/executor.js';
import { Cancellation } from '../../core/cancellation.js';
import { decodeValue, encodeValue } from '../../core/codec.js';
import { silentLogger } from '../../core/logger.js';
import { executorConformance } from '../support/executor-conformance.js';

const folder = path.join(import.meta.dirname, '../fixtures/pool');
const fixture = pathToFileURL(path.join(folder, 'tasks.mjs')).href;
const missing = pathToFileURL(path.join(folder, 'no-such-module.mjs')).href;
const pool = () => new ProcessPool({ size: 2, abortGraceMs: 2_000, logger: silentLogger });

executorConformance('process pool', {
  make: pool,
  task: (what) => ({ kind: 'process', moduleUrl: what.op === 'broken' ? missing : fixture, exportName: 'act', folder, item: encodeValue(what) }) as never,
  otherKind: () => ({ kind: 'container', container: { image: 'busybox', command: ['true'], env: {}, network: false }, item: encodeValue(null) }),
});

function task(item: unknown, memoryBytes = 256 * 2 ** 20, onLog: () => void = () => {}): TaskRun {
  return {
    kind: 'process', moduleUrl: fixture, exportName: 'act', folder, taskId: 't', attempt: 1,
    input: new Uint8Array([0xc0]), params: new Uint8Array([0x80]), item: encodeValue(item),
    memoryBytes, cpuMilli: 100, gpuIndices: [], timeoutMs: 0, cancellation: new Cancellation(),
    onStarted: () => {}, onLog,
  };
}

describe('an isolated task', () => {
  it('cannot read /etc/shadow or anything outside its folder, write, start processes, or see the agent\'s environment', async () => {
    process.env.CLUSTERD_TEST_SECRET = 'agent-only';
    const scratch = mkdtempSync(path.join(tmpdir(), 'isolated-'));
    const p = pool();
    try {
      const outcome = await p.run(task({ op: 'probe', file: path.join(scratch, 'x') }));
      expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
      const seen = decodeValue(outcome.ok ? outcome.result : new Uint8Array()) as Record<string, unknown>;
      expect(seen.shadow).toEqual({ error: 'ERR_ACCESS_DENIED' });
      expect(seen.passwd).toEqual({ error: 'ERR_ACCESS_DENIED' });
      expect(seen.write).toEqual({ error: 'ERR_ACCESS_DENIED' });
      expect(seen.spawn).toEqual({ error: 'ERR_ACCESS_DENIED' });
      expect(seen.env).toEqual(['PATH']);
      if (process.getuid?.() === 0) expect(seen.uid).toBe(65534); // a root agent runs it as nobody
    } finally {
      delete process.env.CLUSTERD_TEST_SECRET;
      await p.close();
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('is stopped when its Buffers take it over its memory limit: OUT_OF_MEMORY', async () => {
    const p = pool();
    try {
      const outcome = await p.run(task({ op: 'hog', ms: 400 }, 256 * 2 ** 20));
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) {
        expect(outcome.error.code).toBe('OUT_OF_MEMORY');
        expect(outcome.error.message).toMatch(/Buffers included\) over its limit of 256 MiB/);
      }
      // The pool goes on with a fresh process.
      const next = await p.run(task({ op: 'answer' }));
      expect(next.ok).toBe(true);
    } finally {
      await p.close();
    }
  });
});
