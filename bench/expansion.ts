/**
 * Foreach expansion: submit a 10,000-item foreach until all 10,000 tasks are queued. The run
 * record is one write; items are expanded in memory and queued with no per-item write (task
 * records are written only when tasks end), so this is one commit however many items.
 */
import { ClusterClient } from '../client/client.js';
import { startLocalCluster } from './local-cluster.js';
import { say } from './progress.js';
import { median, round } from './stats.js';
import { submit, sweepJob } from './workload.js';

export interface ExpansionResult {
  items: number;
  submitToQueuedMs: { median: number; runs: number[] };
}

export async function runExpansion(opts: { items: number; repeats: number; addr?: string }): Promise<ExpansionResult> {
  // No agents: nothing starts, so every task is still queued when the run is looked at.
  const cluster = opts.addr ? undefined : await startLocalCluster({ agents: 0 });
  const client = new ClusterClient(opts.addr ? opts.addr.split(',') : [cluster!.addr]);
  try {
    say(`expansion: foreach of ${opts.items} items, submit until all are queued`);
    const runs: number[] = [];
    for (let i = 0; i < opts.repeats; i++) {
      const start = performance.now();
      const runId = await submit(client, sweepJob(opts.items));
      const queued = await firstSummary(client, runId);
      runs.push(performance.now() - start);
      if (!opts.addr && queued !== opts.items) throw new Error(`expected ${opts.items} queued tasks, found ${queued}`);
      await client.call('Cancel', { run_id: runId });
    }
    return { items: opts.items, submitToQueuedMs: { median: round(median(runs), 1), runs: runs.map((r) => round(r, 1)) } };
  } finally {
    client.close();
    await cluster?.stop();
  }
}

/** The number of waiting tasks of the run's first step, from the first Watch summary. */
function firstSummary(client: ClusterClient, runId: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = false;
    client.stream((c) => {
      const call = c.Watch({ run_id: runId });
      call.on('data', (s: { steps: Array<{ waiting: number }> }) => {
        if (done) return;
        done = true;
        resolve(s.steps[0]?.waiting ?? 0);
        call.cancel();
      });
      return call;
    }, () => {}).catch((err) => {
      if (!done) reject(err);
    });
  });
}
