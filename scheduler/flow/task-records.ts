/** A task's durable record, built from its state in memory (state/records.ts has the layout). */
import type { ArtifactRef, AttemptRecord, TaskEnd, TaskRecord } from '../state/records.js';
import type { TaskState } from './run-state.js';

/** A task's durable record; a literal, not a spread of a base, as it is built once per task end. */
export function taskRecord(task: TaskState, attempts: AttemptRecord[], state?: TaskEnd, caught?: boolean): TaskRecord {
  const record: TaskRecord = { runId: task.runId, step: task.step, index: task.index, attempts };
  if (state) record.state = state;
  if (caught) record.caught = caught;
  return record;
}

/**
 * Sets what a task record keeps of a result: the object id when there is one, else the inline
 * bytes; and the artifacts. Field by field, not by spreads: it runs once per finished task.
 */
export function setResultFields(record: TaskRecord, from: { result?: Uint8Array; resultObject?: string; artifacts?: ArtifactRef[] }): void {
  if (from.resultObject) record.resultObject = from.resultObject;
  else if (from.result) record.result = from.result;
  if (from.artifacts?.length) record.artifacts = from.artifacts;
}
