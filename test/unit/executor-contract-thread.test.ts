// The Executor contract (test/support/executor-conformance.ts) for the thread pool, on real worker threads.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ThreadPool } from '../../agent/executors/thread-pool.js';
import { encodeValue } from '../../core/codec.js';
import { silentLogger } from '../../core/logger.js';
import { executorConformance } from '../support/executor-conformance.js';

const fixture = pathToFileURL(join(import.meta.dirname, '../fixtures/pool/tasks.mjs')).href;
const missing = pathToFileURL(join(import.meta.dirname, '../fixtures/pool/no-such-module.mjs')).href;

executorConformance('thread pool', {
  make: () => new ThreadPool({ size: 2, warmLimitBytes: 64 * 2 ** 20, abortGraceMs: 2_000, maxQueue: 100, logger: silentLogger }),
  task: (what) => ({
    kind: 'thread',
    moduleUrl: what.op === 'broken' ? missing : fixture,
    exportName: 'act',
    item: encodeValue(what),
  }),
  otherKind: () => ({ kind: 'container', container: { image: 'busybox', command: ['true'], env: {}, network: false }, item: encodeValue(null) }),
});
