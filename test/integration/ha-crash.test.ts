// The crash test: etcd, 3 scheduler replicas and 2 agents as real processes (clusterctl up).
// Leaders are SIGKILLed while 2,000 tasks run, an agent is SIGKILLed mid-task, and a leader is
// frozen past its lease and thawed; nothing may be lost, doubled or failed by any of it. etcd's
// own history is the witness: every write that reached it is replayed and checked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterManifest } from '../../cli/local-cluster.js';
import { liveProcesses } from '../../cli/local-cluster.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { decodeRecord, type TaskRecord } from '../../scheduler/state/records.js';
import { clusterctl, clusterctlJson, eventually, freePort } from '../support/cli-cluster.js';
import { requireProgram } from '../support/processes.js';

interface ServerJson { id: string; addr: string; leader: boolean; reachable: boolean }
interface RunJson { run_id: string; state: string; steps: Array<{ name: string; tasks: Array<{ index: number; state: string; attempt: number; agent_id: string }> }> }

const job = 'test/fixtures/ha/job.yaml';
const prefix = '/clusterd/';

describe.skipIf(requireProgram('etcd') === undefined)('failover with nothing lost or doubled', () => {
  let dir: string;
  let cluster: ClusterManifest;
  let addr: string;
  let etcd: Etcd3;

  const up = async () => {
    const res = await clusterctl(['up', '--dir', dir, '--agents', '2', '--agent-cpu', '2', '--agent-memory', '2Gi', '--lease-ttl', '2s', '--agent-ttl', '3s', '-o', 'json'], { timeoutMs: 90_000 });
    expect(res.code, res.stderr).toBe(0);
    cluster = JSON.parse(res.stdout) as ClusterManifest;
    addr = cluster.schedulers.join(',');
  };
  const processNamed = (name: string) => cluster.processes.find((p) => p.name === name)!;
  const leader = async () => {
    const servers = await clusterctlJson<ServerJson[]>(['servers'], addr);
    const lead = servers.find((s) => s.leader && s.reachable);
    return lead ? cluster.processes.find((p) => p.addr === lead.addr) : undefined;
  };
  const leaderOtherThan = (...not: number[]) => eventually(async () => {
    const l = await leader().catch(() => undefined);
    return l && !not.includes(l.pid) ? l : undefined;
  }, 20_000, 'a new leader');
  const submit = async (items: number, ms: number) => {
    const res = await clusterctl(['submit', job, '-p', `items=${items}`, '-p', `ms=${ms}`], { addr, timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    return res.stdout.trim();
  };
  const status = (runId: string) => clusterctlJson<RunJson>(['status', runId], addr);
  /** Succeeded tasks of these runs, from one call (the run list carries per-step counts). */
  const doneTasks = async (runIds: string[]) => {
    const runs = await clusterctlJson<Array<{ run_id: string; steps: Array<{ succeeded: number }> }>>(['status', '--limit', '100'], addr);
    return runs.filter((r) => runIds.includes(r.run_id)).reduce((n, r) => n + r.steps.reduce((m, s) => m + s.succeeded, 0), 0);
  };
  const allFinished = (runIds: string[]) => eventually(async () => {
    const runs = await Promise.all(runIds.map(status));
    return runs.every((r) => r.state !== 'running') ? runs : undefined;
  }, 120_000, 'every run to finish');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'clusterd-ha-'));
    await up();
    etcd = createEtcdClient({ endpoints: [cluster.etcd] });
  }, 120_000);

  afterAll(async () => {
    etcd?.close();
    if (dir) {
      await clusterctl(['down', '--dir', dir, '--grace', '5s']);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('SIGKILL of two leaders in turn while 2,000 tasks run: every run completes, every result once', async () => {
    const runIds: string[] = [];
    // 2,100 tasks of 50 ms on 4 worker threads: about 30 s of work, so both kills land mid-way.
    for (let i = 0; i < 5; i++) runIds.push(await submit(400, 50));
    await eventually(async () => (await doneTasks(runIds)) >= 200, 60_000, 'tasks to be done');

    const first = (await leader())!;
    process.kill(first.pid, 'SIGKILL');
    const killedAt = Date.now();
    // A run submitted while there is no leader is answered once there is one.
    runIds.push(await submit(100, 50));
    const second = await leaderOtherThan(first.pid);
    const before = await doneTasks(runIds);
    await eventually(async () => (await doneTasks(runIds)) > before + 50, 60_000, 'the new leader to place tasks');
    console.log(`first failover: ${Date.now() - killedAt} ms until the new leader had run 50 more tasks`);

    process.kill(second.pid, 'SIGKILL');
    await leaderOtherThan(first.pid, second.pid);
    const runs = await allFinished(runIds);
    expect(runs.map((r) => r.state)).toEqual(runIds.map(() => 'succeeded'));
    expect(runs.reduce((n, r) => n + r.steps[1]!.tasks.length, 0)).toBe(2_100);
    for (const id of runIds) {
      const total = await clusterctlJson<{ result: unknown }>(['result', id, 'total'], addr);
      expect(total.result).toBe((await status(id)).steps[1]!.tasks.length);
    }
    await expectEveryTaskRecordedOnce(runIds);
    await up(); // bring the killed replicas back for the next tests
  }, 240_000);

  it('SIGKILL of an agent mid-task: its tasks finish on the other agent', async () => {
    const runId = await submit(40, 400);
    await eventually(async () => (await status(runId)).steps[1]?.tasks.some((t) => t.state === 'running' && t.agent_id === 'agent-1'), 30_000, 'agent-1 to run tasks');
    process.kill(processNamed('agent-1').pid, 'SIGKILL');
    const [run] = await allFinished([runId]);
    expect(run!.state).toBe('succeeded');
    const work = run!.steps[1]!.tasks;
    expect(work.filter((t) => t.attempt > 1).length).toBeGreaterThan(0);
    expect(work.filter((t) => t.attempt > 1).every((t) => t.agent_id === 'agent-2')).toBe(true);
    await expectEveryTaskRecordedOnce([runId]);
    await up();
  }, 120_000);

  it('a leader frozen past its lease is replaced; thawed, it steps down without writing', async () => {
    const spanning = await submit(1_000, 20);
    await eventually(async () => (await doneTasks([spanning])) >= 50, 60_000, 'tasks to be done');
    const frozen = (await leader())!;
    process.kill(frozen.pid, 'SIGSTOP');
    let during: string;
    try {
      await leaderOtherThan(frozen.pid);
      // The new leader takes submits and runs them while the old one is still frozen.
      during = await submit(50, 5);
      const [run] = await allFinished([during]);
      expect(run!.state).toBe('succeeded');
    } finally {
      process.kill(frozen.pid, 'SIGCONT');
    }
    await eventually(async () => {
      const servers = await clusterctlJson<ServerJson[]>(['servers'], addr);
      const self = servers.find((s) => s.addr === frozen.addr);
      return self?.reachable && !self.leader;
    }, 20_000, 'the thawed replica to follow');
    const runs = await allFinished([spanning, during]);
    expect(runs.map((r) => r.state)).toEqual(['succeeded', 'succeeded']);
    await expectEveryTaskRecordedOnce([spanning, during]);
    expect(liveProcesses(cluster).map((p) => p.name).sort()).toEqual(cluster.processes.map((p) => p.name).sort());
  }, 180_000);

  it('etcd frozen while a run goes on: scheduling stops, then resumes when etcd answers again', async () => {
    const runId = await submit(600, 20);
    await eventually(async () => (await doneTasks([runId])) >= 50, 60_000, 'tasks to be done');
    const etcdPid = processNamed('etcd').pid;
    process.kill(etcdPid, 'SIGSTOP');
    try {
      // Past the lease TTL: no replica can lead, so nothing is placed or recorded.
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      expect(await leader().catch(() => undefined)).toBeUndefined();
    } finally {
      process.kill(etcdPid, 'SIGCONT');
    }
    const [run] = await allFinished([runId]);
    expect(run!.state).toBe('succeeded');
    await expectEveryTaskRecordedOnce([runId]);
  }, 180_000);

  /**
   * Replays etcd's history of the task records of `runIds`: each task must have been written as
   * succeeded exactly once, and no attempt may have failed for any reason but a lost agent.
   */
  async function expectEveryTaskRecordedOnce(runIds: string[]): Promise<void> {
    const history = await replay(`${prefix}tasks/`);
    for (const runId of runIds) {
      const run = await status(runId);
      for (const step of run.steps) {
        for (const task of step.tasks) {
          const key = `${prefix}tasks/${runId}/${step.name}/${task.index}`;
          const writes = history.get(key) ?? [];
          expect(writes.filter((r) => r.state === 'succeeded').length, key).toBe(1);
          for (const r of writes) for (const a of r.attempts) expect(a.error === undefined || a.lost === true, `${key} attempt ${a.attempt}: ${a.error?.message}`).toBe(true);
        }
      }
    }
  }

  /**
   * Every put under `keyPrefix` since etcd started, by key, in order. All writes of this etcd are
   * under the cluster's prefix, so watching that from revision 1 until the event of the head
   * revision arrives replays the whole history.
   */
  async function replay(keyPrefix: string): Promise<Map<string, TaskRecord[]>> {
    const head = Number((await etcd.get('none').exec()).header.revision);
    const byKey = new Map<string, TaskRecord[]>();
    const watcher = await etcd.watch().prefix(prefix).startRevision('1').create();
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`etcd history replay did not reach revision ${head}`)), 30_000);
        watcher.on('data', (res) => {
          for (const e of res.events) {
            const key = e.kv.key.toString();
            if (e.type === 'Put' && key.startsWith(keyPrefix)) byKey.set(key, [...(byKey.get(key) ?? []), decodeRecord<TaskRecord>(e.kv.value)]);
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
});

describe('a scheduler whose etcd cannot be reached', () => {
  it('exits 3 at start, saying so, instead of hanging', async () => {
    const started = Date.now();
    const res = await clusterctl(['scheduler', '--listen', '127.0.0.1:0', '--etcd', `http://127.0.0.1:${await freePort()}`], { timeoutMs: 30_000 });
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/etcd unreachable/);
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
