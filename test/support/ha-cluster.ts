/**
 * A production-shaped cluster for failure tests: `clusterctl up` in a temp folder (etcd, 3
 * scheduler replicas, agents as real processes), the CLI calls those tests make, and etcd's own
 * history as the witness that every task was recorded as succeeded exactly once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll } from 'vitest';
import type { ClusterManifest, ClusterProcess } from '../../client/local-cluster.js';
import { startTimeOf } from '../../core/proc.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { decodeTaskValue, type AttemptRecord, type TaskRecord } from '../../scheduler/state/records.js';
import { clusterctl, clusterctlJson, eventually } from './cli-cluster.js';

export interface ServerJson { id: string; addr: string; leader: boolean; reachable: boolean }
export interface AttemptJson { attempt: number; agent_id: string; started_at_ms: number; finished_at_ms: number; outcome: string }
export interface RunJson {
  run_id: string;
  state: string;
  steps: Array<{ name: string; tasks: Array<{ index: number; state: string; attempt: number; agent_id: string; started_at_ms: number; finished_at_ms: number; waiting: string; attempts: AttemptJson[] }> }>;
}

const prefix = '/clusterd/';

/**
 * 2 agents of 2 CPUs and 2Gi, a 2 s leader lease, agents lost after 3 s of silence; plaintext
 * (these suites are about failures; TLS and tokens have theirs).
 */
export const haUpArgs = ['--insecure', '--agents', '2', '--agent-cpu', '2', '--agent-memory', '2Gi', '--lease-ttl', '2s', '--agent-ttl', '3s'];

export class HaCluster {
  dir = '';
  manifest!: ClusterManifest;
  addr = '';
  private etcdClient: Etcd3 | undefined;

  private constructor(private readonly upArgs: string[]) {}

  /**
   * A cluster for the enclosing describe: `clusterctl up` in a fresh temp folder before its
   * tests, `clusterctl down` and the folder removed after them.
   */
  static forSuite(label: string, upArgs = haUpArgs): HaCluster {
    const cluster = new HaCluster(upArgs);
    beforeAll(async () => {
      cluster.dir = mkdtempSync(path.join(tmpdir(), `${label}-`));
      await cluster.up();
    }, 120_000);
    afterAll(() => cluster.down(), 60_000);
    return cluster;
  }

  /** Starts what is not running (the same flags, the same ports) and reads the manifest again. */
  async up(): Promise<void> {
    const res = await clusterctl(['up', '--dir', this.dir, ...this.upArgs, '-o', 'json'], { timeoutMs: 90_000 });
    if (res.code !== 0) throw new Error(`clusterctl up exited ${res.code}: ${res.stderr}`);
    this.manifest = JSON.parse(res.stdout) as ClusterManifest;
    this.addr = this.manifest.schedulers.join(',');
  }

  /** `clusterctl down` by pid, then the folder goes. */
  async down(): Promise<void> {
    this.etcdClient?.close();
    if (!this.dir) return;
    await clusterctl(['down', '--dir', this.dir, '--grace', '5s']);
    rmSync(this.dir, { recursive: true, force: true });
  }

  get etcd(): Etcd3 {
    this.etcdClient ??= createEtcdClient({ endpoints: [this.manifest.etcd] });
    return this.etcdClient;
  }

  processNamed(name: string): ClusterProcess {
    const p = this.manifest.processes.find((q) => q.name === name);
    if (!p) throw new Error(`no process ${name} in ${this.dir}/cluster.json`);
    return p;
  }

  /**
   * Resolves once `p` has exited (its pid is gone or belongs to a later process); fails after
   * `timeoutMs`, SIGKILLing it so that a hung process does not outlive the test.
   */
  async exited(p: ClusterProcess, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (startTimeOf(p.pid) === p.startTime) {
      if (Date.now() > deadline) {
        process.kill(p.pid, 'SIGKILL');
        throw new Error(`${p.name} (pid ${p.pid}) did not exit within ${timeoutMs} ms`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  servers(): Promise<ServerJson[]> {
    return clusterctlJson<ServerJson[]>(['servers'], this.addr);
  }

  async leader(): Promise<ClusterProcess | undefined> {
    const lead = (await this.servers()).find((s) => s.leader && s.reachable);
    return lead ? this.manifest.processes.find((p) => p.addr === lead.addr) : undefined;
  }

  leaderOtherThan(...not: number[]): Promise<ClusterProcess> {
    return eventually(async () => {
      const l = await this.leader().catch(() => undefined);
      return l && !not.includes(l.pid) ? l : undefined;
    }, 20_000, 'a new leader');
  }

  async submit(job: string, params: Record<string, number | string>): Promise<string> {
    const res = await clusterctl(['submit', job, ...Object.entries(params).flatMap(([k, v]) => ['-p', `${k}=${v}`])], { addr: this.addr, timeoutMs: 60_000 });
    if (res.code !== 0) throw new Error(`clusterctl submit exited ${res.code}: ${res.stderr}`);
    return res.stdout.trim();
  }

  status(runId: string): Promise<RunJson> {
    return clusterctlJson<RunJson>(['status', runId, '--tasks', 'all'], this.addr);
  }

  /** Succeeded tasks of these runs, from one call (the run list carries per-step counts). */
  async doneTasks(runIds: string[]): Promise<number> {
    const runs = await clusterctlJson<Array<{ run_id: string; steps: Array<{ succeeded: number }> }>>(['status', '--limit', '100'], this.addr);
    return runs.filter((r) => runIds.includes(r.run_id)).reduce((n, r) => n + r.steps.reduce((m, s) => m + s.succeeded, 0), 0);
  }

  allFinished(runIds: string[], timeoutMs = 120_000): Promise<RunJson[]> {
    return eventually(async () => {
      const runs = await Promise.all(runIds.map((id) => this.status(id)));
      return runs.every((r) => r.state !== 'running') ? runs : undefined;
    }, timeoutMs, 'every run to finish');
  }

  /**
   * Replays etcd's history of the task records of `runIds` and says what is wrong: a task not
   * written as succeeded exactly once, or an attempt that ended in an error `excused` does not
   * excuse (by default: any but a lost agent). Empty when all is well.
   */
  async recordProblems(runIds: string[], excused: (a: AttemptRecord) => boolean = (a) => a.lost === true): Promise<string[]> {
    const history = await this.replay(`${prefix}tasks/`);
    const problems: string[] = [];
    for (const runId of runIds) {
      for (const step of (await this.status(runId)).steps) {
        for (const task of step.tasks) {
          const key = `${runId}/${step.name}/${task.index}`;
          const writes = history.get(key) ?? [];
          const succeeded = writes.filter((r) => r.state === 'succeeded').length;
          if (succeeded !== 1) problems.push(`${key}: written as succeeded ${succeeded} times`);
          for (const a of new Map(writes.flatMap((r) => r.attempts).map((a) => [a.attempt, a])).values()) {
            if (a.error !== undefined && !excused(a)) problems.push(`${key} attempt ${a.attempt}: ${a.error.code} ${a.error.message}`);
          }
        }
      }
    }
    return problems;
  }

  /**
   * Every task record put under `keyPrefix` since etcd started (in segments, see
   * scheduler/state/records.ts), by task (RUN/STEP/INDEX), in order. All writes of this etcd are
   * under the cluster's prefix, so watching that from revision 1 until the event of the head
   * revision arrives replays the whole history.
   */
  private async replay(keyPrefix: string): Promise<Map<string, TaskRecord[]>> {
    const head = Number((await this.etcd.get('none').exec()).header.revision);
    const byKey = new Map<string, TaskRecord[]>();
    const watcher = await this.etcd.watch().prefix(prefix).startRevision('1').create();
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`etcd history replay did not reach revision ${head}`)), 30_000);
        watcher.on('data', (res) => {
          for (const e of res.events) {
            const key = e.kv.key.toString();
            if (e.type === 'Put' && key.startsWith(keyPrefix)) {
              for (const r of decodeTaskValue(e.kv.value)) {
                const task = `${r.runId}/${r.step}/${r.index}`;
                byKey.set(task, [...(byKey.get(task) ?? []), r]);
              }
            }
            if (Number(e.kv.mod_revision) >= head) {
              clearTimeout(timer);
              resolve();
            }
          }
        });
      });
    } finally {
      await watcher.cancel();
    }
    return byKey;
  }
}
