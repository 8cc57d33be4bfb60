/**
 * The user's path, the headline figure: examples/computed-sweep submitted as
 * `clusterctl submit examples/computed-sweep/job.yaml -p items=N --wait` does it — the job file
 * read and checked, its folder uploaded as a code package, every step on the default resources
 * (1 CPU, 256Mi), a `foreach: from` list computed by the first step, the run followed to its end
 * — on `clusterctl dev --data` (durable embedded state) and on 3 scheduler replicas on etcd.
 * Timed from reading the job file to the run's final status; the CLI's own start (loading
 * Node and its modules, ~0.7 s here) is left out, so the figure is the cluster's.
 *
 * Beside tasks/s: the leading scheduler's event-loop delay and memory, read from `Servers` every
 * second while a sweep runs, and the CPU each process spent per task. And the efficiency of real
 * work: 2,000 items computing 10 ms each on one agent of 2 cores (2 slots), against the ideal
 * 2,000 x 10 ms / 2 = 10 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { credentialsOf } from '../client/admin-credentials.js';
import { ClusterClient } from '../client/client.js';
import { ClusterCredentials } from '../proto/credentials.js';
import type { SubmitRequest } from '../proto/types.js';
import type { BullmqResult } from './bullmq.js';
import { submitRequest } from '../client/job-request.js';
import { loadJobFile } from '../client/job-file.js';
import { applyParamOverrides } from '../core/job-spec.js';
import { StoreClient, storeTarget } from '../store/client.js';
import { cpuDuring } from './process-cpu.js';
import { Progress, say } from './progress.js';
import { median, round } from './stats.js';
import { stopChild } from './local-cluster.js';
import { stoppedOnInterrupt, withUpCluster } from './started.js';

const cliEntry = fileURLToPath(new URL('../cli/main.js', import.meta.url));
export const userJobFile = fileURLToPath(new URL('../../examples/computed-sweep/job.yaml', import.meta.url));

export interface UserPathOptions {
  /** Sweep sizes; each is run `repeats` times (once from 1,000,000 items up). */
  items: number[];
  /** Items of the efficiency sweep (10 ms each, one agent of 2 CPUs); 0: not measured. */
  efficiencyItems: number;
  repeats: number;
  /** Also on 3 replicas on etcd (needs `etcd` on PATH). */
  etcd: boolean;
  /** Measure this live cluster instead (addresses, comma-separated). */
  addr?: string;
  /** Extra flags for `clusterctl dev` (a tuning to compare with the defaults; none for the headline). */
  devArgs?: string[];
}

export interface UserPathRow {
  state: 'dev --data' | 'etcd, 3 replicas' | 'live cluster';
  items: number;
  /** Median over the repeats. */
  tasksPerSec: number;
  seconds: number[];
  /** The leader's event-loop delay while the sweeps ran: the worst 10-20 s window's p99, and the worst delay. */
  loopDelayMs: { p99: number; max: number };
  /** The leader's largest resident memory while they ran. */
  maxRssBytes: number;
  /** CPU per task, on a cluster this benchmark started: the scheduler(s) and all agents, in µs. */
  cpuUsPerTask?: { schedulers: number; agents: number };
}

export interface EfficiencyResult {
  items: number;
  workMs: number;
  slots: number;
  idealSeconds: number;
  seconds: number;
  /** ideal / measured: 1 when no slot ever waits. */
  efficiency: number;
}

export interface UserPathResult {
  rows: UserPathRow[];
  efficiency?: EfficiencyResult;
  /** Sweeps run before the measured ones on each cluster, not counted. */
  warmupItems: number;
  /** The bare-queue peer of the same run, for scale (bench/bullmq.ts); set by the suite. */
  bullmq?: BullmqResult;
}

const warmupItems = 10_000;
const singleRunFrom = 1_000_000;

/** A warm-up sweep no bigger than the biggest measured one (a small trial run stays small). */
function warmupFor(opts: UserPathOptions): number {
  return Math.min(warmupItems, Math.max(...opts.items));
}

export async function runUserPath(opts: UserPathOptions): Promise<UserPathResult> {
  const rows: UserPathRow[] = [];
  if (opts.addr) {
    rows.push(...await measureCluster(opts.addr.split(','), 'live cluster', opts, undefined));
    return { rows, warmupItems: warmupFor(opts) };
  }
  const devArgs = opts.devArgs ?? [];
  await withDevCluster({ agents: 2, devArgs }, async (cluster) => {
    rows.push(...await measureCluster([cluster.addr], 'dev --data', opts, cluster.pids));
  });
  if (opts.etcd) {
    await withUpCluster('user', { agents: 2, replicas: 3, host: '127.0.0.1', leaseTtl: '2s', agentTtl: '5s', agentArgs: [], logLevel: 'warn', readyTimeoutMs: 60_000 }, async (m) => {
      const pids = { schedulers: m.processes.filter((p) => p.role === 'scheduler').map((p) => p.pid), agents: m.processes.filter((p) => p.role === 'agent').map((p) => p.pid) };
      // As `clusterctl up` makes it by default: TLS between every part, tokens required.
      rows.push(...await measureCluster(m.schedulers, 'etcd, 3 replicas', opts, pids, credentialsOf(m.clientEnv)));
    });
  }
  if (opts.efficiencyItems === 0) return { rows, warmupItems: warmupFor(opts) };
  const efficiency = await withDevCluster({ agents: 1, devArgs: [...devArgs, '--agent-cpu', '2'] }, (cluster) => measureEfficiency(cluster.addr, opts.efficiencyItems));
  return { rows, efficiency, warmupItems: warmupFor(opts) };
}

interface ProcessPids {
  schedulers: number[];
  agents: number[];
}

async function measureCluster(addrs: string[], state: UserPathRow['state'], opts: UserPathOptions, pids: ProcessPids | undefined, credentials = ClusterCredentials.plaintext): Promise<UserPathRow[]> {
  const client = new ClusterClient(addrs, { credentials });
  const rows: UserPathRow[] = [];
  try {
    say(`user path: ${state}, computed sweeps of ${opts.items.join(', ')} items through clusterctl submit --wait (warm-up: ${warmupFor(opts)})`);
    await userSweep(client, addrs, warmupFor(opts), 0, credentials);
    for (const items of opts.items) {
      const seconds: number[] = [];
      const health = new HealthWatch(client);
      let cpu: { schedulers: number; agents: number } | undefined;
      const repeats = items >= singleRunFrom ? 1 : opts.repeats;
      for (let i = 0; i < repeats; i++) {
        const all = pids ? [...pids.schedulers, ...pids.agents] : [];
        const { value, cpuMs } = await cpuDuring(all, () => userSweep(client, addrs, items, 0, credentials));
        seconds.push(value);
        if (pids && cpuMs.every((v) => v !== undefined)) {
          const ms = cpuMs as number[];
          const schedulers = ms.slice(0, pids.schedulers.length).reduce((a, b) => a + b, 0);
          const agents = ms.slice(pids.schedulers.length).reduce((a, b) => a + b, 0);
          cpu = { schedulers: round((schedulers * 1000) / items, 0), agents: round((agents * 1000) / items, 0) };
        }
      }
      const watched = await health.stop();
      rows.push({
        state,
        items,
        tasksPerSec: round(items / median(seconds), 0),
        seconds: seconds.map((s) => round(s, 2)),
        loopDelayMs: watched.loopDelayMs,
        maxRssBytes: watched.maxRssBytes,
        ...(cpu ? { cpuUsPerTask: cpu } : {}),
      });
    }
  } finally {
    client.close();
  }
  return rows;
}

/**
 * One computed sweep as `clusterctl submit --wait` runs it, from reading the job file to the
 * final status; returns the seconds it took. `credentials`: what its store connection is made with.
 */
export async function userSweep(client: ClusterClient, addrs: string[], items: number, workMs = 0, credentials = ClusterCredentials.plaintext): Promise<number> {
  const started = performance.now();
  const request = await userSweepRequest(addrs, items, workMs, credentials);
  await runToEnd(client, request, items);
  return (performance.now() - started) / 1000;
}

/** The request of a computed sweep: the job file read and its folder uploaded, on a new store connection (as each `clusterctl submit` makes). */
export async function userSweepRequest(addrs: string[], items: number, workMs = 0, credentials = ClusterCredentials.plaintext): Promise<SubmitRequest> {
  const job = loadJobFile(userJobFile);
  const params = applyParamOverrides(job.spec.params, [`items=${items}`, `work_ms=${workMs}`], userJobFile);
  return submitRequest(job, params, new StoreClient(storeTarget(addrs), { credentials }), true); // closes the store client
}

/** Submits `request` (a new run each time) and follows it to its end, as `--wait` does. */
export async function runToEnd(client: ClusterClient, request: SubmitRequest, items: number): Promise<void> {
  const progress = new Progress(`  computed sweep of ${items}`, items);
  const last = await client.submitAndWatch({ ...request, request_id: '' }, (s) => progress.update(s.steps[1]?.succeeded ?? 0));
  progress.done();
  if (last.state !== 'succeeded') throw new Error(`benchmark run ${last.run_id} ${last.state}: ${last.error?.message ?? ''}`);
}

/** The leader's process health, polled every second until stopped. */
class HealthWatch {
  private p99 = 0;
  private max = 0;
  private rss = 0;
  private readonly loop: Promise<void>;
  private stopped = false;

  constructor(private readonly client: ClusterClient) {
    this.loop = this.poll();
  }

  async stop(): Promise<{ loopDelayMs: { p99: number; max: number }; maxRssBytes: number }> {
    this.stopped = true;
    await this.loop;
    return { loopDelayMs: { p99: this.p99, max: this.max }, maxRssBytes: this.rss };
  }

  private async poll(): Promise<void> {
    while (!this.stopped) {
      const answers = await this.client.each('Servers', {});
      for (const { reply } of answers) {
        const self = reply?.servers[0];
        if (!self?.leader || !self.health) continue;
        this.p99 = Math.max(this.p99, self.health.loop_delay_p99_ms);
        this.max = Math.max(this.max, self.health.loop_delay_max_ms);
        this.rss = Math.max(this.rss, Number(self.health.rss_bytes));
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
}

/** Items of 10 ms on one agent of 2 CPUs (2,000 by default): how close to items x 10 ms / 2. */
async function measureEfficiency(addr: string, items: number): Promise<EfficiencyResult> {
  const workMs = 10;
  const slots = 2;
  const client = new ClusterClient([addr]);
  try {
    say(`user path: efficiency, ${items} items of ${workMs} ms on one agent of ${slots} CPUs (dev --data)`);
    await userSweep(client, [addr], Math.min(200, items), workMs); // the worker pool started, the module imported
    const seconds = await userSweep(client, [addr], items, workMs);
    const idealSeconds = (items * workMs) / 1000 / slots;
    return { items, workMs, slots, idealSeconds, seconds: round(seconds, 2), efficiency: round(idealSeconds / seconds, 3) };
  } finally {
    client.close();
  }
}

interface DevCluster {
  addr: string;
  pids: ProcessPids;
  /** An admin's, from DIR/client.env, with `--secure`; else plaintext. */
  credentials: ClusterCredentials;
}

/** `clusterctl dev --data DIR` as its own process, as a user runs it, for the length of `use`. */
export async function withDevCluster<T>(opts: { agents: number; devArgs: string[] }, use: (cluster: DevCluster) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'clusterd-bench-dev-'));
  const args = [cliEntry, '--log-level', 'warn', 'dev', '--port', '0', '--agents', String(opts.agents), '--data', dir, ...opts.devArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const stop = stoppedOnInterrupt(async () => {
    await stopChild(child, 20_000);
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    const ready = await devReady(child);
    const credentials = opts.devArgs.includes('--secure') ? credentialsOf(path.join(dir, 'client.env')) : ClusterCredentials.plaintext;
    return await use({ ...ready, credentials });
  } finally {
    await stop();
  }
}

function devReady(child: ChildProcess): Promise<Omit<DevCluster, 'credentials'>> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`clusterctl dev was not ready within 60 s:\n${out}`)), 60_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /scheduler listening on (\S+), \d+ agent\(s\) ready \(pids ([\d ]*)\)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({ addr: m[1]!, pids: { schedulers: [child.pid!], agents: m[2]!.trim().split(' ').map(Number) } });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`clusterctl dev exited (${code}) before it was ready:\n${out}`));
    });
  });
}
