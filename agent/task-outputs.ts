/**
 * TaskOutputs: puts what a finished attempt produced into the chunk store before the agent
 * reports it, so the scheduler records object ids, not bytes.
 *
 *   outcome ─▶ artifacts (each an object) ─▶ result (an object when large) ─▶ log (an object)
 *           ─▶ TaskFinished { result | result_object, artifacts, log_object }
 *
 * Small results stay inline in the report, as Ray keeps small objects in its owner's memory:
 * an object costs a manifest, a chunk and their fsyncs, and most task results (a score, a path,
 * a few parameters) are tens of bytes. An upload that fails (no replica reachable) is retried
 * until it succeeds or the agent shuts down; the attempt is then lost, not failed, and re-runs.
 */
import { stat } from 'node:fs/promises';
import { sleep } from '../core/abortable.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Artifact, LogLine, TaskFinished } from '../proto/types.js';
import type { StoreClient } from '../store/client.js';
import type { ArtifactSource, TaskOutcome } from './executors/executor.js';

/** Results up to this size travel inline; larger ones go to the store. */
export const inlineResultMaxBytes = 1024;

const retryFirstMs = 200;
const retryMaxMs = 5_000;

export class TaskOutputs {
  constructor(private readonly store: StoreClient, private readonly logger: Logger, private readonly closing: AbortSignal) {}

  /** The finished report of an attempt, with everything it produced durable in the store. */
  async persist(taskId: string, outcome: TaskOutcome, log: readonly LogLine[]): Promise<Omit<TaskFinished, 'started_at_ms' | 'finished_at_ms'>> {
    const artifacts: Artifact[] = [];
    for (const a of outcome.artifacts ?? []) {
      artifacts.push({ name: a.name, object_id: await this.retrying(taskId, `artifact ${a.name}`, () => this.putArtifact(a)), size_bytes: await sizeOf(a) });
    }
    const logObject = log.length ? await this.retrying(taskId, 'log', () => this.store.putValue(log, { signal: this.closing })) : '';
    const runMs = outcome.runMs ?? 0;
    if (!outcome.ok) return { ok: false, error: outcome.error, artifacts, log_object: logObject, run_ms: runMs };
    if (outcome.result.byteLength <= inlineResultMaxBytes) return { ok: true, result: outcome.result, artifacts, log_object: logObject, run_ms: runMs };
    const resultObject = await this.retrying(taskId, 'result', () => this.store.putObject(outcome.result, 'value', { signal: this.closing }));
    return { ok: true, result_object: resultObject, artifacts, log_object: logObject, run_ms: runMs };
  }

  private putArtifact(a: ArtifactSource): Promise<string> {
    return 'file' in a ? this.store.putFile(a.file, 'blob', { signal: this.closing }) : this.store.putObject(a.bytes, 'blob', { signal: this.closing });
  }

  private async retrying(taskId: string, what: string, upload: () => Promise<string>): Promise<string> {
    for (let delayMs = retryFirstMs; ; delayMs = Math.min(retryMaxMs, delayMs * 2)) {
      try {
        return await upload();
      } catch (err) {
        if (this.closing.aborted) throw err;
        this.logger.warn({ taskId, what, err: errorMessage(err), retryInMs: delayMs }, 'storing a task output failed; retrying');
        await sleep(delayMs, this.closing);
      }
    }
  }
}

async function sizeOf(a: ArtifactSource): Promise<number> {
  return 'bytes' in a ? a.bytes.byteLength : (await stat(a.file)).size;
}
