// @ts-check
/**
 * The body of one pooled worker thread. It runs one task at a time: imports the task's module
 * (cached by the module loader across tasks), calls the export with ctx, and posts back logs and
 * the msgpack-encoded result. Plain JavaScript so the same file runs from the sources and from
 * dist/ without a build step.
 *
 * parent → worker: { type: 'run', taskId, url, exportName, input, params, item, attempt, meta }
 *                  { type: 'abort', taskId, reason }
 * worker → parent: { type: 'log', taskId, stream, text }
 *                  { type: 'artifact', taskId, name, bytes }
 *                  { type: 'done', taskId, ok, result?, error? }
 */
import { parentPort } from 'node:worker_threads';
import { format } from 'node:util';
import { Packr } from 'msgpackr';

if (!parentPort) throw new Error('thread-worker.js must run in a worker thread');
const port = parentPort;
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/** @type {{ taskId: string, controller: AbortController } | null} */
let current = null;

// console output goes through the same port as 'done', so a task's last lines arrive before its
// result (the worker's own stdout stream is forwarded asynchronously and could lag behind it).
for (const [method, stream] of /** @type {const} */ ([['log', 'stdout'], ['info', 'stdout'], ['debug', 'stdout'], ['warn', 'stderr'], ['error', 'stderr']])) {
  console[method] = (...args) => {
    const task = current;
    if (task) port.postMessage({ type: 'log', taskId: task.taskId, stream, text: format(...args) });
  };
}

port.on('message', (msg) => {
  if (msg.type === 'run') void run(msg);
  else if (msg.type === 'abort' && current && current.taskId === msg.taskId) current.controller.abort(new Error(msg.reason));
});

/** @param {any} msg */
async function run(msg) {
  const controller = new AbortController();
  current = { taskId: msg.taskId, controller };
  try {
    const mod = await import(msg.url);
    const fn = mod[msg.exportName];
    if (typeof fn !== 'function') {
      const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
      throw Object.assign(new Error(`${msg.module} has no exported function "${msg.exportName}" (it exports: ${exported.join(', ') || 'no functions'})`), { code: 'INVALID_ARGUMENT' });
    }
    const ctx = {
      input: decode(msg.input),
      item: decode(msg.item),
      params: decode(msg.params) ?? {},
      attempt: msg.attempt,
      signal: controller.signal,
      meta: msg.meta,
      log: (/** @type {unknown[]} */ ...args) => port.postMessage({ type: 'log', taskId: msg.taskId, stream: 'log', text: format(...args) }),
      save: async (/** @type {string} */ name, /** @type {Uint8Array | string} */ data) => {
        if (typeof name !== 'string' || !/^[\w.-][\w./-]*$/.test(name) || name.includes('..')) {
          throw new Error(`ctx.save: "${name}" is not a valid artifact name (letters, digits, ".", "_", "-", "/")`);
        }
        const bytes = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        port.postMessage({ type: 'artifact', taskId: msg.taskId, name, bytes });
      },
    };
    const value = await fn(ctx);
    if (controller.signal.aborted) throw controller.signal.reason;
    const result = packr.pack(value === undefined ? null : value);
    port.postMessage({ type: 'done', taskId: msg.taskId, ok: true, result });
  } catch (err) {
    const e = /** @type {any} */ (err);
    port.postMessage({
      type: 'done',
      taskId: msg.taskId,
      ok: false,
      error: {
        code: typeof e?.code === 'string' && e.code === 'INVALID_ARGUMENT' ? e.code : 'TASK_FAILED',
        message: e instanceof Error ? e.message : format(e),
        stack: e instanceof Error ? (e.stack ?? '') : '',
      },
    });
  } finally {
    current = null;
  }
}

/** @param {Uint8Array | undefined} bytes */
function decode(bytes) {
  return bytes && bytes.length ? packr.unpack(bytes) : undefined;
}
