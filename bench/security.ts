/**
 * What TLS and tokens cost on the user's path: `clusterctl dev --data` against `dev --secure
 * --data` (TLS between every part, a token checked on every call, the agents on their
 * certificate), in alternating rounds so both see the same machine. Per round and mode: the
 * round trip of a one-item computed sweep as `clusterctl submit --wait` runs it (median of
 * `smallRuns` in a row), and the throughput of a computed sweep of `items`.
 */
import { ClusterClient } from '../client/client.js';
import { say } from './progress.js';
import { median, round } from './stats.js';
import { userSweep, withDevCluster } from './user-path.js';

export interface SecurityBenchOptions {
  items: number;
  smallRuns: number;
  rounds: number;
}

interface ModeFigures {
  sweepTasksPerSec: number;
  roundTripMs: number;
}

export interface SecurityBenchResult {
  items: number;
  smallRuns: number;
  rounds: number;
  plaintext: ModeFigures & { samples: ModeFigures[] };
  secure: ModeFigures & { samples: ModeFigures[] };
  /** secure ÷ plaintext: throughput (1 = free) and round trip (1 = free). */
  sweepRatio: number;
  roundTripRatio: number;
}

export async function runSecurityBench(opts: SecurityBenchOptions): Promise<SecurityBenchResult> {
  const samples: Record<'plaintext' | 'secure', ModeFigures[]> = { plaintext: [], secure: [] };
  for (let r = 1; r <= opts.rounds; r++) {
    for (const mode of ['plaintext', 'secure'] as const) {
      say(`security: round ${r}/${opts.rounds}, dev --data${mode === 'secure' ? ' --secure' : ''}: ${opts.smallRuns} one-item runs, a sweep of ${opts.items}`);
      samples[mode].push(await withDevCluster({ agents: 2, devArgs: mode === 'secure' ? ['--secure'] : [] }, async (cluster) => {
        const client = new ClusterClient([cluster.addr], { credentials: cluster.credentials });
        try {
          await userSweep(client, [cluster.addr], 200, 0, cluster.credentials); // warm: pools, module, channels
          const small: number[] = [];
          for (let i = 0; i < opts.smallRuns; i++) small.push(await userSweep(client, [cluster.addr], 1, 0, cluster.credentials));
          const seconds = await userSweep(client, [cluster.addr], opts.items, 0, cluster.credentials);
          return { sweepTasksPerSec: round(opts.items / seconds, 0), roundTripMs: round(median(small) * 1000, 1) };
        } finally {
          client.close();
        }
      }));
    }
  }
  const summary = (s: ModeFigures[]) => ({ sweepTasksPerSec: median(s.map((x) => x.sweepTasksPerSec)), roundTripMs: median(s.map((x) => x.roundTripMs)), samples: s });
  const plaintext = summary(samples.plaintext);
  const secure = summary(samples.secure);
  return {
    ...opts,
    plaintext,
    secure,
    sweepRatio: round(secure.sweepTasksPerSec / plaintext.sweepTasksPerSec, 3),
    roundTripRatio: round(secure.roundTripMs / plaintext.roundTripMs, 3),
  };
}
