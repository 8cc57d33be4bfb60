/**
 * What TLS and tokens cost on the user's path: `clusterctl dev --data` against `dev --secure
 * --data` (TLS between every part, a token checked on every call, the agents on their
 * certificate), in alternating rounds so both see the same machine. Per round and mode:
 *
 * - connect: a new client's first answer (`servers`), as each clusterctl command opens its
 *   connections: the TLS handshake shows here (median of 20);
 * - submit: a one-item computed sweep as `clusterctl submit --wait` runs it, on an open client
 *   connection and a new store connection, as the CLI makes one per submit (median of
 *   `smallRuns`);
 * - round trip: the same run submitted again and followed on open connections: what every call
 *   pays once connected (median of `smallRuns`);
 * - sweep: the throughput of a computed sweep of `items` (median of 3, after a warm-up sweep).
 */
import { ClusterClient } from '../client/client.js';
import type { ClusterCredentials } from '../proto/credentials.js';
import { say } from './progress.js';
import { median, round } from './stats.js';
import { runToEnd, userSweep, userSweepRequest, withDevCluster } from './user-path.js';

export interface SecurityBenchOptions {
  items: number;
  smallRuns: number;
  rounds: number;
}

interface ModeFigures {
  sweepTasksPerSec: number;
  submitMs: number;
  roundTripMs: number;
  connectMs: number;
}

export interface SecurityBenchResult {
  items: number;
  smallRuns: number;
  rounds: number;
  plaintext: ModeFigures & { samples: ModeFigures[] };
  secure: ModeFigures & { samples: ModeFigures[] };
  /** secure ÷ plaintext of each figure (1: free). */
  sweepRatio: number;
  submitRatio: number;
  roundTripRatio: number;
  connectRatio: number;
}

export async function runSecurityBench(opts: SecurityBenchOptions): Promise<SecurityBenchResult> {
  const samples: Record<'plaintext' | 'secure', ModeFigures[]> = { plaintext: [], secure: [] };
  for (let r = 1; r <= opts.rounds; r++) {
    for (const mode of ['plaintext', 'secure'] as const) {
      say(`security: round ${r}/${opts.rounds}, dev --data${mode === 'secure' ? ' --secure' : ''}: connections, ${opts.smallRuns} one-item runs, sweeps of ${opts.items}`);
      samples[mode].push(await withDevCluster({ agents: 2, devArgs: mode === 'secure' ? ['--secure'] : [] }, (cluster) => measure(cluster.addr, cluster.credentials, opts)));
    }
  }
  const summary = (s: ModeFigures[]) => ({
    sweepTasksPerSec: median(s.map((x) => x.sweepTasksPerSec)),
    submitMs: median(s.map((x) => x.submitMs)),
    roundTripMs: median(s.map((x) => x.roundTripMs)),
    connectMs: median(s.map((x) => x.connectMs)),
    samples: s,
  });
  const plaintext = summary(samples.plaintext);
  const secure = summary(samples.secure);
  return {
    ...opts,
    plaintext,
    secure,
    sweepRatio: round(secure.sweepTasksPerSec / plaintext.sweepTasksPerSec, 3),
    submitRatio: round(secure.submitMs / plaintext.submitMs, 3),
    roundTripRatio: round(secure.roundTripMs / plaintext.roundTripMs, 3),
    connectRatio: round(secure.connectMs / plaintext.connectMs, 3),
  };
}

async function measure(addr: string, credentials: ClusterCredentials, opts: SecurityBenchOptions): Promise<ModeFigures> {
  const connects: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const fresh = new ClusterClient([addr], { credentials });
    await fresh.call('Servers', {});
    connects.push(performance.now() - started);
    fresh.close();
  }
  const client = new ClusterClient([addr], { credentials });
  try {
    await userSweep(client, [addr], Math.min(2_000, opts.items), 0, credentials); // warm: pools, module, JIT
    const submits: number[] = [];
    for (let i = 0; i < opts.smallRuns; i++) submits.push(await userSweep(client, [addr], 1, 0, credentials));
    const request = await userSweepRequest([addr], 1, 0, credentials);
    const roundTrips: number[] = [];
    for (let i = 0; i < opts.smallRuns; i++) {
      const started = performance.now();
      await runToEnd(client, request, 1);
      roundTrips.push(performance.now() - started);
    }
    const sweeps: number[] = [];
    for (let i = 0; i < 3; i++) sweeps.push(opts.items / await userSweep(client, [addr], opts.items, 0, credentials));
    return {
      sweepTasksPerSec: round(median(sweeps), 0),
      submitMs: round(median(submits) * 1000, 1),
      roundTripMs: round(median(roundTrips), 1),
      connectMs: round(median(connects), 1),
    };
  } finally {
    client.close();
  }
}
