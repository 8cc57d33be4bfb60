// @ts-check
/**
 * The body of one pooled worker thread. It runs the tasks it is handed one after another, in
 * order: imports each task's module (kept across tasks), calls the export with ctx, and posts
 * back logs, artifacts, and the msgpack-encoded result with how long the task took. Plain
 * JavaScript so the same file runs from the sources and from dist/ without a build step.
 *
 * parent → worker: { type: 'run', fns, bytes, shared, tasks }  a batch, packed (see runMessage
 *                    in thread-pool.ts): fns lists [url, exportName] pairs flat; bytes holds
 *                    every task's input, params and item; shared holds big inputs in shared
 *                    memory; tasks has 10 numbers per task: id, function index, attempt, start
 *                    and end of input, params and item, and which shared buffer the input is in
 *                    (-1: bytes)
 *                  { type: 'abort', id, reason }   aborts the running task, or drops a waiting one
 *                  { type: 'give-back' }           returns the tasks not yet started
 * worker → parent: { type: 'log', id, stream, text }
 *                  { type: 'artifact', id, name, bytes }
 *                  { type: 'done', id, ok, result?, error?, ms? }   ms: absent for a dropped task
 *                  { type: 'given-back', ids }
 *                  { type: 'child', id, pid }   the task started a child process (see below)
 *
 * A task's 'done' is posted before the next task starts, so when the worker dies the parent
 * knows which task it was running.
 */
import { ChildProcess } from 'node:child_process';
import { parentPort, receiveMessageOnPort } from 'node:worker_threads';
import { format } from 'node:util';
import { performance } from 'node:perf_hooks';
import { Packr } from 'msgpackr';

if (!parentPort) throw new Error('thread-worker.js must run in a worker thread');
const port = parentPort;
const packr = new Packr({ useRecords: false, moreTypes: false, int64AsType: 'number' });

/** @typedef {{ id: number, url: string, exportName: string, input: Uint8Array, params: Uint8Array, item: Uint8Array, attempt: number }} Task */

/** @type {Task[]} tasks handed over and not started */
const waiting = [];
/** @type {Running | null} the task running now */
let current = null;

/**
 * The running task's cancellation. Its AbortController is made only when the task reads
 * ctx.signal: making one costs ~7 µs, a tenth of a no-op task's time on the worker, and most
 * tasks never look at it. An abort is recorded either way, so the task's result is discarded.
 */
class Running {
  /** @param {number} id */
  constructor(id) {
    this.id = id;
    /** @type {AbortController | undefined} */
    this.controller = undefined;
    /** @type {Error | undefined} */
    this.abortedWith = undefined;
  }

  get signal() {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedWith) this.controller.abort(this.abortedWith);
    }
    return this.controller.signal;
  }

  /** @param {string} reason */
  abort(reason) {
    this.abortedWith ??= new Error(reason);
    this.controller?.abort(this.abortedWith);
  }
}
let draining = false;
/** @type {Map<string, any>} module namespaces by URL */
const modules = new Map();

// console output goes through the same port as 'done', so a task's last lines arrive before its
// result (the worker's own stdout stream is forwarded asynchronously and could lag behind it).
for (const [method, stream] of /** @type {const} */ ([['log', 'stdout'], ['info', 'stdout'], ['debug', 'stdout'], ['warn', 'stderr'], ['error', 'stderr']])) {
  console[method] = (...args) => {
    const task = current;
    if (task) port.postMessage({ type: 'log', id: task.id, stream, text: format(...args) });
  };
}

// Every child process a task starts (spawn, exec, execFile and fork all come through here) leads
// a process group of its own, and the pool is told its pid: when the task ends, the group is
// killed, so nothing a task started outlives it. This thread's module instance only: the
// agent's own child processes are untouched.
const childProto = /** @type {any} */ (ChildProcess.prototype); // spawn() is internal: not in the types
const spawnChild = childProto.spawn;
childProto.spawn = function spawnInGroup(/** @type {any} */ options) {
  const started = spawnChild.call(this, { ...options, detached: true });
  if (this.pid !== undefined && current) port.postMessage({ type: 'child', id: current.id, pid: this.pid });
  return started;
};

port.on('message', (msg) => {
  onMessage(msg);
  if (!draining) void drain();
});

/** @param {any} msg */
function onMessage(msg) {
  if (msg.type === 'run') unpackRun(msg);
  else if (msg.type === 'abort') abort(msg.id, msg.reason);
  else if (msg.type === 'give-back') port.postMessage({ type: 'given-back', ids: waiting.splice(0).map((t) => t.id) });
}

/** @param {{ fns: string[], bytes: ArrayBuffer, shared: SharedArrayBuffer[], tasks: number[] }} msg */
function unpackRun({ fns, bytes, shared, tasks }) {
  const all = new Uint8Array(bytes);
  for (let i = 0; i < tasks.length; i += 10) {
    const fn = 2 * /** @type {number} */ (tasks[i + 1]);
    const inShared = /** @type {number} */ (tasks[i + 9]);
    const inputStart = /** @type {number} */ (tasks[i + 3]);
    const inputEnd = /** @type {number} */ (tasks[i + 4]);
    waiting.push({
      id: /** @type {number} */ (tasks[i]),
      url: /** @type {string} */ (fns[fn]),
      exportName: /** @type {string} */ (fns[fn + 1]),
      attempt: /** @type {number} */ (tasks[i + 2]),
      input: inShared < 0 ? all.subarray(inputStart, inputEnd) : new Uint8Array(/** @type {SharedArrayBuffer} */ (shared[inShared]), inputStart, inputEnd - inputStart),
      params: all.subarray(tasks[i + 5], tasks[i + 6]),
      item: all.subarray(tasks[i + 7], tasks[i + 8]),
    });
  }
}

/**
 * @param {number} id
 * @param {string} reason
 */
function abort(id, reason) {
  if (current?.id === id) {
    current.abort(reason);
    return;
  }
  const i = waiting.findIndex((t) => t.id === id);
  if (i < 0) return;
  waiting.splice(i, 1);
  port.postMessage({ type: 'done', id, ok: false, error: { code: 'CANCELLED', message: reason, stack: '' } });
}

async function drain() {
  draining = true;
  try {
    for (let task = waiting.shift(); task; task = waiting.shift()) {
      await run(task);
      // A task that never awaits keeps the event loop from delivering messages: take in the
      // aborts and give-backs posted while it ran before starting the next one.
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) onMessage(m.message);
    }
  } finally {
    draining = false;
  }
}

/** @param {Task} task */
async function run(task) {
  const { id } = task;
  const running = new Running(id);
  current = running;
  let startedAt = performance.now();
  try {
    const fn = await exported(task.url, task.exportName);
    startedAt = performance.now(); // a module's first import is no part of its function's run time
    /** @type {{ value: unknown } | undefined} */
    let input;
    const ctx = {
      // Decoded when the task first reads it: in a foreach over a big computed list, each task
      // gets that whole list as its input, and most never look at it.
      get input() {
        input ??= { value: decode(task.input) };
        return input.value;
      },
      item: decode(task.item),
      params: decode(task.params) ?? {},
      attempt: task.attempt,
      get signal() {
        return running.signal;
      },
      log: (/** @type {unknown[]} */ ...args) => port.postMessage({ type: 'log', id, stream: 'log', text: format(...args) }),
      save: async (/** @type {string} */ name, /** @type {Uint8Array | string} */ data) => {
        if (typeof name !== 'string' || !/^[\w.-][\w./-]*$/.test(name) || name.includes('..')) {
          throw new Error(`ctx.save: "${name}" is not a valid artifact name (letters, digits, ".", "_", "-", "/")`);
        }
        const bytes = ownBytes(typeof data === 'string' ? Buffer.from(data) : data);
        port.postMessage({ type: 'artifact', id, name, bytes });
      },
    };
    const value = await fn(ctx);
    if (running.abortedWith) throw running.abortedWith;
    const result = ownBytes(packr.pack(value === undefined ? null : value));
    port.postMessage({ type: 'done', id, ok: true, result, ms: performance.now() - startedAt });
  } catch (err) {
    const e = /** @type {any} */ (err);
    port.postMessage({
      type: 'done',
      id,
      ok: false,
      ms: performance.now() - startedAt,
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

/**
 * The task's function. Modules are kept by URL (a package's URL names its version), which
 * spares the module loader's promise per task.
 *
 * @param {string} url
 * @param {string} name
 * @returns {Promise<(ctx: unknown) => unknown>}
 */
async function exported(url, name) {
  let mod = modules.get(url);
  if (!mod) {
    mod = await import(url);
    modules.set(url, mod);
  }
  const fn = mod[name];
  if (typeof fn !== 'function') {
    const functions = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
    throw Object.assign(new Error(`${url} has no exported function "${name}" (it exports: ${functions.join(', ') || 'no functions'})`), { code: 'INVALID_ARGUMENT' });
  }
  return fn;
}

/**
 * `bytes` in a buffer of their own. Posting a view clones its whole underlying buffer, and
 * packr.pack (like Buffer.from of a short string) returns a view into a shared slab of 8 KiB or
 * more: a no-op task's 1-byte result cost a slab's copy on both threads. The same as ownBytes in
 * core/codec.ts, which this plain-JavaScript file cannot import when it runs from the sources.
 *
 * @param {Uint8Array} bytes
 */
function ownBytes(bytes) {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

/** @param {Uint8Array | undefined} bytes */
function decode(bytes) {
  if (!bytes || !bytes.length) return undefined;
  // Text decoding refuses views of shared memory: a big input is decoded from a copy of its own.
  return packr.unpack(bytes.buffer instanceof SharedArrayBuffer ? bytes.slice() : bytes);
}
