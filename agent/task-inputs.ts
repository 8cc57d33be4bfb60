/**
 * TaskInputs: each task's input bytes, wherever its assignment put them (see
 * scheduler/flow/assignment.ts): its own inline input, the input its step's tasks share, or an
 * input too big to travel inline that is fetched from the scheduler by name. A shared input is
 * fetched once for all the step's tasks on this agent and kept while it is among the most
 * recently used (bounded by count and bytes); a task's own big input is fetched for it alone.
 * Fetched inputs live in shared memory, so the thread pool hands them to workers without a copy.
 */
import { encodedNil } from '../core/codec.js';
import type { InputRef, StepAssignment__Output, TaskAssignment__Output } from '../proto/types.js';

export type InputFetch = (ref: InputRef) => Promise<Uint8Array>;

const maxShared = 16;
const maxSharedBytes = 512 * 1024 * 1024;

export class TaskInputs {
  /** Shared inputs by run and step, least recently used first. */
  private readonly shared = new Map<string, { bytes: Promise<Uint8Array>; size: number }>();
  private sharedBytes = 0;

  constructor(private readonly fetch: InputFetch) {}

  /** The task's input: at once when it came with the assignment, else once fetched. */
  of(step: StepAssignment__Output, task: TaskAssignment__Output): Uint8Array | Promise<Uint8Array> {
    if (task.input_ref) return this.fetch(task.input_ref);
    if (task.input.length > 0) return task.input;
    if (step.input_ref) return this.sharedInput(step.input_ref);
    return step.input.length > 0 ? step.input : encodedNil;
  }

  private sharedInput(ref: InputRef): Promise<Uint8Array> {
    const key = `${ref.run_id}/${ref.step}`;
    const cached = this.shared.get(key);
    if (cached) {
      this.shared.delete(key); // re-inserted last: most recently used
      this.shared.set(key, cached);
      return cached.bytes;
    }
    const entry = { bytes: this.fetch(ref), size: 0 };
    this.shared.set(key, entry);
    entry.bytes.then((b) => {
      if (this.shared.get(key) !== entry) return;
      entry.size = b.length;
      this.sharedBytes += b.length;
      this.evict();
    }, () => {
      // A failed fetch is not kept: the next task asks again.
      if (this.shared.get(key) === entry) this.shared.delete(key);
    });
    this.evict();
    return entry.bytes;
  }

  private evict(): void {
    for (const [key, entry] of this.shared) {
      if (this.shared.size <= maxShared && this.sharedBytes <= maxSharedBytes) return;
      if (this.shared.size === 1) return; // the one just fetched stays, however big
      this.shared.delete(key);
      this.sharedBytes -= entry.size;
    }
  }
}
