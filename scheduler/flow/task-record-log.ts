/**
 * TaskRecordLog: how task records reach the state store. A task's record must be durable
 * before its result is acknowledged, and a sweep ends thousands of tasks a second: a key per
 * task cost the state store a put each (etcd: ~50,000 keys/s with 100 per transaction, and as
 * many keys to index and compact). Instead the records of one run written together go into one
 * segment, `tasks/RUN/SEQ` (see state/records.ts), holding an array of them.
 *
 * A run has at most one segment being written at a time; records written meanwhile wait and go
 * together in the next, so each commit carries a run's records of the last round trip, and a
 * run's segments land in order (a later one's record of a task supersedes an earlier one's).
 * `write` calls back once the record's segment is committed (with no error), or with its error.
 * (A callback, not a promise: a sweep writes thousands a second, and a promise and its `then`
 * per record were two more objects each.)
 */
import { encodeRecord, encodeSegment, keys, type TaskRecord } from '../state/records.js';
import type { WriteOp } from '../state/state-store.js';

/** A segment holds at most this many records, or about this many bytes. */
const maxRecordsPerSegment = 2_000;
const maxSegmentBytes = 256 * 1024;

/** Called once the record is committed (`err` undefined) or failed to be. */
export type WrittenCallback = (err: unknown) => void;

interface Pending {
  bytes: Uint8Array;
  done: WrittenCallback | undefined;
}

interface RunLog {
  nextSeq: number;
  writing: boolean;
  pending: Pending[];
}

export class TaskRecordLog {
  private readonly runs = new Map<string, RunLog>();

  constructor(private readonly persist: (ops: WriteOp[]) => Promise<void>) {}

  write(record: TaskRecord, done?: WrittenCallback): void {
    const log = this.logOf(record.runId);
    log.pending.push({ bytes: encodeRecord(record), done });
    // The rest of this turn's records (an update message of many finished tasks) go with it.
    if (!log.writing && log.pending.length === 1) queueMicrotask(() => this.flush(record.runId, log));
  }

  /** A restored run's segments go on after the last one in the store. */
  continueAfter(runId: string, seq: number): void {
    const log = this.logOf(runId);
    log.nextSeq = Math.max(log.nextSeq, seq + 1);
  }

  /** The run's records are all written and it writes no more (it ended and was compacted, or deleted). */
  forget(runId: string): void {
    const log = this.runs.get(runId);
    if (log && !log.writing && log.pending.length === 0) this.runs.delete(runId);
  }

  private logOf(runId: string): RunLog {
    let log = this.runs.get(runId);
    if (!log) {
      log = { nextSeq: 0, writing: false, pending: [] };
      this.runs.set(runId, log);
    }
    return log;
  }

  private flush(runId: string, log: RunLog): void {
    if (log.writing || log.pending.length === 0) return;
    let bytes = 0;
    let n = 0;
    while (n < log.pending.length && n < maxRecordsPerSegment && (n === 0 || bytes + log.pending[n]!.bytes.length <= maxSegmentBytes)) {
      bytes += log.pending[n]!.bytes.length;
      n++;
    }
    const segment = log.pending.splice(0, n);
    log.writing = true;
    const seq = log.nextSeq++;
    this.persist([{ op: 'put', key: keys.taskSegment(runId, seq), value: encodeSegment(runId, segment.map((p) => p.bytes)) }]).then(
      () => {
        for (const p of segment) p.done?.(undefined);
      },
      (err: unknown) => {
        for (const p of segment) p.done?.(err ?? new Error('the write failed'));
      },
    ).finally(() => {
      log.writing = false;
      this.flush(runId, log);
    });
  }
}
