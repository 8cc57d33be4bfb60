/**
 * Submitted jobs, parsed and compiled, by their JSON text. Pipelines, cron schedules and
 * benchmarks submit the same job again and again, and validating it costs more than the rest of
 * a submission (~130 µs for a one-step job, measured). What is cached is frozen, so runs share
 * it safely: a change to a shared job would be a change to every run of it.
 *
 * Large texts (long foreach lists) are compiled each time: one such submission carries
 * thousands of tasks, so compiling is a small part of it, and they would crowd the cache.
 */
import { compileJob, type JobSpec } from '../../core/job-spec.js';

export interface CompiledJob {
  /** The job document as submitted (JSON-parsed), kept in the run's record. */
  doc: unknown;
  spec: JobSpec;
}

export class JobCache {
  /** Oldest first: a hit moves its entry to the end. */
  private readonly entries = new Map<string, CompiledJob>();

  constructor(private readonly maxEntries = 256, private readonly maxTextLength = 16 * 1024) {}

  /** The job in `text`, read by `parse` when not cached; `where` names the job in spec errors. */
  compile(text: string, parse: (text: string) => unknown, where: string): CompiledJob {
    const hit = this.entries.get(text);
    if (hit) {
      this.entries.delete(text);
      this.entries.set(text, hit);
      return hit;
    }
    const doc = parse(text);
    const compiled = { doc, spec: compileJob(doc, where) };
    if (text.length > this.maxTextLength) return compiled;
    deepFreeze(compiled);
    this.entries.set(text, compiled);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return compiled;
  }
}

function deepFreeze(value: unknown): void {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}
