// Compaction on a real etcd: a finished run's task records leave etcd for one chunk store object,
// and everything a user asks about the run still answers, also from a restarted scheduler.
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { decodeRecord, type RunRecord } from '../../scheduler/state/records.js';
import { clusterctl, clusterctlJson, eventually, freePort, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { requireProgram } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

interface RunJson { run_id: string; state: string; steps: Array<{ name: string; tasks: Array<{ state: string; reused_from: string }> }> }

const prefix = '/compaction-test/';

describe.skipIf(requireProgram('etcd') === undefined)('compaction of finished runs', () => {
  let etcdServer: EtcdServer;
  let etcd: Etcd3;
  let storeDir: TempDir;
  let addr: string;
  let scheduler: Daemon;
  let agent: Daemon;

  const startScheduler = async () => {
    scheduler = startDaemon(['scheduler', '--listen', addr, '--etcd', etcdServer.endpoints.join(','), '--etcd-prefix', prefix, '--store', storeDir.path, '--compact-after', '2s', '--lease-ttl', '2s']);
    await scheduler.waitFor(/scheduler listening/);
  };
  /** Keys and bytes (keys + values) under a prefix of this cluster. */
  const usage = async (sub: string) => {
    const kvs = await etcd.getAll().prefix(`${prefix}${sub}`).exec();
    return { keys: kvs.kvs.length, bytes: kvs.kvs.reduce((n, kv) => n + kv.key.length + kv.value.length, 0) };
  };

  beforeAll(async () => {
    etcdServer = await startEtcd();
    etcd = createEtcdClient({ endpoints: etcdServer.endpoints });
    storeDir = await tempDir('clusterd-compaction');
    addr = `127.0.0.1:${await freePort()}`;
    await startScheduler();
    agent = startDaemon(['agent', '--scheduler', addr, '--id', 'compaction-agent', '--cpu', '2', '--memory', '2Gi']);
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 20_000, 'the agent');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await scheduler?.stop();
    etcd?.close();
    await etcdServer?.stop();
    await storeDir?.remove();
  });

  it('moves a finished run of 1,000 tasks out of etcd; status, results and logs still answer after a restart and gc', async () => {
    const submitted = await clusterctl(['submit', 'test/fixtures/ha/job.yaml', '-p', 'items=1000', '-p', 'ms=0', '--wait', '-o', 'json'], { addr, timeoutMs: 120_000 });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = (JSON.parse(submitted.stdout) as RunJson).run_id;
    const before = await usage(`tasks/${runId}/`);
    expect(before.keys).toBe(1_002);

    const runKey = `${prefix}runs/${runId}`;
    const compacted = await eventually(async () => {
      const value = await etcd.get(runKey).buffer();
      const record = value ? decodeRecord<RunRecord>(value) : undefined;
      return record?.tasksObject ? record : undefined;
    }, 30_000, 'the run to be compacted');
    expect((await usage(`tasks/${runId}/`)).keys).toBe(0);
    const run = await usage(`runs/${runId}`);
    console.log(`etcd per 1,000 finished tasks: ${before.bytes + run.bytes} B of keys and values before compaction, ${run.bytes} B after (the run record alone)`);
    expect(compacted.state).toBe('succeeded');

    // A new leader reads the tasks back from the chunk store; gc keeps what they refer to.
    await scheduler.stop();
    await startScheduler();
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 20_000, 'the agent to come back');
    const gc = await clusterctl(['store', 'gc'], { addr });
    expect(gc.code, gc.stderr).toBe(0);
    const status = await clusterctlJson<RunJson>(['status', runId], addr);
    expect(status.state).toBe('succeeded');
    expect(status.steps.map((s) => s.tasks.filter((t) => t.state === 'succeeded').length)).toEqual([1, 1_000, 1]);
    expect((await clusterctlJson<{ result: unknown }>(['result', runId, 'work/417'], addr)).result).toBe(834);
    expect((await clusterctlJson<{ result: unknown }>(['result', runId, 'total'], addr)).result).toBe(1_000);

    // A resumed compacted run reuses every task: nothing runs again.
    const resumed = await clusterctl(['resume', runId], { addr, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const again = await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', resumed.stdout.trim()], addr);
      return r.state !== 'running' ? r : undefined;
    }, 30_000, 'the resumed run');
    expect(again.state).toBe('succeeded');
    const tasks = again.steps.flatMap((s) => s.tasks);
    expect(tasks).toHaveLength(1_002);
    expect(tasks.filter((t) => t.reused_from !== runId)).toEqual([]);
  }, 180_000);
});
