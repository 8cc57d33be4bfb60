/**
 * `clusterctl logs`: a finished attempt's whole log is read from the chunk store (the agent
 * stored it; the scheduler keeps no copy), a running task's from the live buffer, and with
 * --follow new lines as they arrive until every selected task ends.
 */
import type * as grpc from '@grpc/grpc-js';
import { decodeValue } from '../../core/codec.js';
import { toServiceError } from '../../proto/status.js';
import type { LogLine, LogsRequest__Output } from '../../proto/types.js';
import type { ObjectReader } from '../flow/effect-runner.js';
import type { FlowEngine } from '../flow/engine.js';
import { isTerminal, type TaskState } from '../flow/run-state.js';
import type { AttemptRecord } from '../state/records.js';

export function streamLogs(call: grpc.ServerWritableStream<LogsRequest__Output, LogLine>, engine: FlowEngine, tasks: TaskState[], follow: boolean, objects: ObjectReader): void {
  const label = (t: TaskState) => (tasks.length > 1 ? `[${t.step}/${t.index}] ` : '');
  const write = (t: TaskState, line: LogLine) => call.write({ ...line, text: label(t) + line.text });

  // Subscribe before reading anything, so no line falls between what is read and what follows;
  // lines that arrive while earlier output is still being written wait in `pending`.
  let replaying = true;
  const pending: Array<[TaskState, LogLine]> = [];
  let open = 0;
  const unsubscribes: Array<() => void> = [];
  const live = follow ? tasks.filter((t) => !isTerminal(t.state)) : [];
  for (const t of live) {
    open++;
    unsubscribes.push(engine.logs.follow(t.id, (line) => {
      if (line && replaying) pending.push([t, line]);
      else if (line) write(t, line);
      else if (--open === 0 && !replaying) call.end();
    }));
  }
  call.on('cancelled', () => unsubscribes.forEach((u) => u()));
  const snapshots = new Map(tasks.map((t) => [t, [...engine.logs.lines(t.id)]]));

  void (async () => {
    for (const t of tasks) {
      const lines = isTerminal(t.state) && t.attempts.some((a) => a.logObject) ? await storedLog(t.attempts, objects) : snapshots.get(t)!;
      for (const line of lines) write(t, line);
    }
    for (const [t, line] of pending) write(t, line);
    replaying = false;
    if (open === 0) call.end();
  })().catch((err) => {
    unsubscribes.forEach((u) => u());
    call.emit('error', toServiceError(err));
  });
}

/** Every attempt's stored lines, each attempt closed by how it ended when it failed. */
export async function storedLog(attempts: readonly AttemptRecord[], objects: ObjectReader): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for (const a of attempts) {
    if (a.logObject) lines.push(...(decodeValue(await objects.read(a.logObject)) as LogLine[]));
    if (a.error) lines.push({ at_ms: a.finishedAtMs, stream: 'log', text: `[clusterd] attempt ${a.attempt} ${a.lost ? 'lost' : 'failed'}: ${a.error.message}` });
  }
  return lines;
}
