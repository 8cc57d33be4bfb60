/**
 * GetInput: a task input too big for its assignment (see flow/assignment.ts), streamed from the
 * results the leader holds, in slices of `sliceBytes`. The pieces are spliced as they go, never
 * built whole: a join of 1,000,000 results costs the scheduler one slice of memory at a time,
 * and the event loop is given back between slices (and whenever the agent's side is full).
 */
import { once } from 'node:events';
import type * as grpc from '@grpc/grpc-js';
import { yieldToLoop } from '../../core/abortable.js';
import { ClusterError, invalid } from '../../core/errors.js';
import { toServiceError } from '../../proto/status.js';
import type { InputChunk, InputRef__Output } from '../../proto/types.js';
import type { FlowEngine } from '../flow/engine.js';
import { inputPieces, sharesInput } from '../flow/run-state.js';

const sliceBytes = 1024 * 1024;
/** Pieces spliced between two turns of the event loop: a few milliseconds of work. */
const piecesPerTurn = 20_000;

export function streamInput(call: grpc.ServerWritableStream<InputRef__Output, InputChunk>, engine: FlowEngine): void {
  void send(call, engine).catch((err) => call.emit('error', toServiceError(err)));
}

async function send(call: grpc.ServerWritableStream<InputRef__Output, InputChunk>, engine: FlowEngine): Promise<void> {
  const { run_id: runId, step, index } = call.request;
  const run = engine.get(runId);
  const tasks = run.steps.get(step)?.tasks;
  if (!tasks) throw new ClusterError('NOT_FOUND', `run ${runId} has no step "${step}" with tasks`);
  if (index < 0 && !sharesInput(run, step)) throw invalid(`step "${step}" of run ${runId} has no shared input: name a task`);
  const task = tasks[Math.max(0, index)];
  if (!task) throw new ClusterError('NOT_FOUND', `step "${step}" of run ${runId} has no task ${index}`);
  let cancelled = false;
  call.on('cancelled', () => { cancelled = true; });
  let slice: Uint8Array[] = [];
  let size = 0;
  let pieces = 0;
  const flush = async () => {
    if (size === 0) return;
    const full = !call.write({ data: Buffer.concat(slice, size) });
    slice = [];
    size = 0;
    if (full) await once(call, 'drain');
  };
  for (const piece of inputPieces(run, task)) {
    slice.push(piece);
    size += piece.length;
    if (size >= sliceBytes) await flush();
    if (++pieces % piecesPerTurn === 0) await yieldToLoop();
    if (cancelled) return;
  }
  await flush();
  call.end();
}
