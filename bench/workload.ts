// The no-op jobs the throughput and latency benchmarks submit, and waiting for a run to end.
import { newRequestId } from '../core/ids.js';
import { fileURLToPath } from 'node:url';
import type { ClusterClient } from '../client/client.js';
import type { RunStatus__Output } from '../proto/types.js';

export const benchCodeDir = fileURLToPath(new URL('./tasks/', import.meta.url));
/** Tiny requests so placement, not CPU reservations, bounds how many run at once. */
const resources = { cpu: '10m', memory: '64Mi' };
const noop = { module: './noop.js', export: 'noop' };

/** One run: a foreach of `n` no-op tasks and a join, so every result is recorded before it ends. */
export function sweepJob(n: number): object {
  return {
    name: 'bench-sweep',
    steps: {
      start: { run: noop, resources, foreach: Array.from({ length: n }, (_, i) => i), next: 'join' },
      join: { run: { module: './noop.js', export: 'count' }, resources, join: true },
    },
  };
}

export function singleTaskJob(): object {
  return { name: 'bench-one', steps: { start: { run: noop, resources } } };
}

/** One no-op task that returns when it started (wall and monotonic clocks, fractional ms). */
export function startedAtJob(): object {
  return { name: 'bench-one', steps: { start: { run: { ...noop, export: 'started' }, resources } } };
}

export async function submit(client: ClusterClient, job: object): Promise<string> {
  const { run_id: runId } = await client.call('Submit', submitRequest(job));
  return runId;
}

function submitRequest(job: object) {
  return { job_json: JSON.stringify(job), params_json: '{}', code_dir: benchCodeDir, code_package: '', source: 'bench', request_id: newRequestId() };
}

/**
 * Submits and follows the run; resolves with its final status, which lists every task unless
 * `summaryOnly` (a sweep needs only its outcome, and listing 20,000 tasks costs the scheduler
 * ~150 ms).
 */
export async function submitAndWait(client: ClusterClient, job: object, onProgress?: (s: RunStatus__Output) => void, opts: { summaryOnly?: boolean } = {}): Promise<RunStatus__Output> {
  const last = await client.submitAndWatch(submitRequest(job), onProgress, opts);
  if (last.state !== 'succeeded') throw new Error(`benchmark run ${last.run_id} ${last.state}: ${last.error?.message ?? ''}`);
  return last;
}
