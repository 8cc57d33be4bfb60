// @ts-check
/**
 * The body of one isolated task process (see process-pool.ts): Node's permission model lets it
 * read only its code folder and clusterd's own files, start no process or thread, and write
 * nothing; its environment is empty but PATH; it runs as an unprivileged user when the agent is
 * root. It runs the tasks it is sent one at a time, with the same ctx as a thread task.
 *
 * parent → process: { type: 'run', id, url, exportName, input, params, item, attempt }
 *                   { type: 'abort', id, reason }
 * process → parent: { type: 'log', id, stream, text } · { type: 'artifact', id, name, bytes }
 *                   { type: 'done', id, ok, result?, error?, ms }
 * Messages travel over the IPC channel with the advanced serialization: bytes stay bytes.
 */
import { format } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Packr } from 'msgpackr';

if (!process.send) throw new Error('process-worker.js must run with an IPC channel');
const send = process.send.bind(process);
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/** @type {{ id: number, controller: AbortController } | null} */
let current = null;

for (const [method, stream] of /** @type {const} */ ([['log', 'stdout'], ['info', 'stdout'], ['debug', 'stdout'], ['warn', 'stderr'], ['error', 'stderr']])) {
  console[method] = (...args) => {
    if (current) send({ type: 'log', id: current.id, stream, text: format(...args) });
  };
}

process.on('message', (/** @type {any} */ msg) => {
  if (msg.type === 'run') void run(msg);
  else if (msg.type === 'abort' && current && current.id === msg.id) current.controller.abort(new Error(msg.reason));
});
// The agent going away ends this process: nothing it ran can report anywhere.
process.on('disconnect', () => process.exit(0));

/** @param {Uint8Array} bytes */
const decode = (bytes) => (bytes.length ? packr.unpack(bytes) : undefined);

/** @param {{ id: number, url: string, exportName: string, input: Uint8Array, params: Uint8Array, item: Uint8Array, attempt: number }} task */
async function run(task) {
  const { id } = task;
  const controller = new AbortController();
  current = { id, controller };
  let startedAt = performance.now();
  try {
    const mod = await import(task.url);
    const fn = mod[task.exportName];
    if (typeof fn !== 'function') {
      throw Object.assign(new Error(`${task.url} has no exported function "${task.exportName}"`), { code: 'INVALID_ARGUMENT' });
    }
    startedAt = performance.now();
    const ctx = {
      input: decode(task.input),
      item: decode(task.item),
      params: decode(task.params) ?? {},
      attempt: task.attempt,
      signal: controller.signal,
      log: (/** @type {unknown[]} */ ...args) => send({ type: 'log', id, stream: 'log', text: format(...args) }),
      save: async (/** @type {string} */ name, /** @type {Uint8Array | string} */ data) => {
        if (typeof name !== 'string' || !/^[\w.-][\w./-]*$/.test(name) || name.includes('..')) {
          throw new Error(`ctx.save: "${name}" is not a valid artifact name (letters, digits, ".", "_", "-", "/")`);
        }
        send({ type: 'artifact', id, name, bytes: typeof data === 'string' ? Buffer.from(data) : data });
      },
    };
    const value = await fn(ctx);
    if (controller.signal.aborted) throw controller.signal.reason;
    send({ type: 'done', id, ok: true, result: packr.pack(value === undefined ? null : value), ms: performance.now() - startedAt });
  } catch (err) {
    const e = /** @type {any} */ (err);
    send({
      type: 'done',
      id,
      ok: false,
      ms: performance.now() - startedAt,
      error: {
        code: e?.code === 'INVALID_ARGUMENT' ? e.code : 'TASK_FAILED',
        message: e instanceof Error ? e.message : format(e),
        stack: e instanceof Error ? (e.stack ?? '') : '',
      },
    });
  } finally {
    current = null;
  }
}
