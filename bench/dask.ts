/**
 * Runs the Dask peer (bench/dask_peer.py with /usr/bin/python3 and Debian's python3-distributed)
 * on the same cores. When Dask is not installed the result says so; it never fails the bench.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../bench/dask_peer.py', import.meta.url));
const python = '/usr/bin/python3';

export type DaskResult =
  | { available: true; workers: number; tasks: number; tasksPerSec: number; coldTasksPerSec: number; roundTripMs: Percentiles; coldRoundTripMs: Percentiles }
  | { available: false; note: string };

interface Percentiles {
  p50: number;
  p99: number;
}

/** `sequential` round trips cold and as many once `steadyAfter` have run, as clusterd's latency. */
export function runDask(workers: number, tasks: number, sequential: number, steadyAfter: number): Promise<DaskResult> {
  return new Promise((resolve) => {
    execFile(python, [script, String(workers), String(tasks), String(sequential), String(steadyAfter)], { timeout: 600_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) {
        const missing = /No module named '(dask|distributed)'/.test(stderr) || (err as NodeJS.ErrnoException).code === 'ENOENT';
        resolve({ available: false, note: missing ? 'Dask is not installed (apt-get install python3-distributed); peer skipped' : `the Dask peer failed: ${stderr.trim().split('\n').pop() ?? err.message}` });
        return;
      }
      try {
        resolve({ available: true, ...(JSON.parse(stdout.trim().split('\n').pop()!) as Omit<Extract<DaskResult, { available: true }>, 'available'>) });
      } catch {
        resolve({ available: false, note: `the Dask peer printed no result: ${stdout.slice(0, 200)}` });
      }
    });
  });
}
