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
 * - sweep: the throughput of a computed sweep of `items` (median of 3, after two warm-up sweeps),
 *   and the CPU the scheduler and agents spend per task in it (steadier on a busy machine).
 */
import { ClusterClient } from '../client/client.js';
import type { ClusterCredentials } from '../proto/credentials.js';
import { cpuDuring } from './process-cpu.js';
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
  /** CPU of the scheduler and the agents per sweep task: steadier than throughput on a busy machine. */
  cpuUsPerTask: number;
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
  cpuRatio: number;
  roundTripRatio: number;
  connectRatio: number;
}

export async function runSecurityBench(opts: SecurityBenchOptions): Promise<SecurityBenchResult> {
  const samples: Record<'plaintext' | 'secure', ModeFigures[]> = { plaintext: [], secure: [] };
  for (let r = 1; r <= opts.rounds; r++) {
    for (const mode of ['plaintext', 'secure'] as const) {
      say(`security: round ${r}/${opts.rounds}, dev --data${mode === 'secure' ? ' --secure' : ''}: connections, ${opts.smallRuns} one-item runs, sweeps of ${opts.items}`);
      samples[mode].push(await withDevCluster({ agents: 2, devArgs: mode === 'secure' ? ['--secure'] : [] }, (cluster) => measure(cluster.addr, cluster.credentials, [...cluster.pids.schedulers, ...cluster.pids.agents], opts)));
    }
  }
  const summary = (s: ModeFigures[]) => ({
    sweepTasksPerSec: median(s.map((x) => x.sweepTasksPerSec)),
    cpuUsPerTask: median(s.map((x) => x.cpuUsPerTask)),
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
    cpuRatio: round(secure.cpuUsPerTask / plaintext.cpuUsPerTask, 3),
    roundTripRatio: round(secure.roundTripMs / plaintext.roundTripMs, 3),
    connectRatio: round(secure.connectMs / plaintext.connectMs, 3),
  };
}

async function measure(addr: string, credentials: ClusterCredentials, pids: number[], opts: SecurityBenchOptions): Promise<ModeFigures> {
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
    // Warm: pools, module, and the JIT, which took two sweeps of 10,000 to settle in both modes
    // (the first ran at a third of the steady rate, TLS or not; a 2,000-item warm-up left the
    // secure rounds bimodal, 4,000-15,000 tasks/s).
    for (let i = 0; i < 2; i++) await userSweep(client, [addr], opts.items, 0, credentials);
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
    const cpu: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { value: seconds, cpuMs } = await cpuDuring(pids, () => userSweep(client, [addr], opts.items, 0, credentials));
      sweeps.push(opts.items / seconds);
      cpu.push((cpuMs.reduce<number>((sum, ms) => sum + (ms ?? 0), 0) * 1000) / opts.items);
    }
    return {
      sweepTasksPerSec: round(median(sweeps), 0),
      cpuUsPerTask: round(median(cpu), 0),
      submitMs: round(median(submits) * 1000, 1),
      roundTripMs: round(median(roundTrips), 1),
      connectMs: round(median(connects), 1),
    };
  } finally {
    client.close();
  }
}
