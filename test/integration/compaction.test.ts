// Compaction on a real etcd: a finished run's task records leave etcd for one chunk store object,
// and everything a user asks about the run still answers, also from a restarted scheduler.
import type { Etcd3 } from 'etcd3';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../client/client.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { decodeRecord, decodeTaskValue, type RunRecord } from '../../scheduler/state/records.js';
import { codeDigest, packageFiles } from '../../store/code-package.js';
import { clusterctl, clusterctlJson, eventually, freePort, startAgent, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { requireProgram } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

interface RunJson { run_id: string; state: string; steps: Array<{ name: string; tasks: Array<{ state: string; reused_from: string }> }> }

const prefix = '/compaction-test/';
/** test/fixtures/ha/job.yaml as the JSON a client submits. */
const haJob = {
  name: 'crash',
  steps: {
    start: { run: { module: './tasks.mjs', export: 'items' }, resources: { cpu: '250m', memory: '64Mi' }, next: 'work' },
    work: { foreach: { from: 'start.items' }, run: { module: './tasks.mjs', export: 'work' }, resources: { cpu: '250m', memory: '64Mi' }, next: 'total' },
    total: { join: true, run: { module: './tasks.mjs', export: 'total' }, resources: { cpu: '250m', memory: '64Mi' } },
  },
};

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
  /** `clusterctl resume RUN`, then the new run once it has ended. */
  const resumeAndWait = async (runId: string): Promise<RunJson> => {
    const resumed = await clusterctl(['resume', runId], { addr, timeoutMs: 60_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    return eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', resumed.stdout.trim()], addr);
      return r.state !== 'running' ? r : undefined;
    }, 90_000, 'the resumed run');
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
    agent = await startAgent(addr, 'compaction-agent');
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
    // Every task's record is there, in segments of the records written together.
    const segments = Object.values(await etcd.getAll().prefix(`${prefix}tasks/${runId}/`).buffers());
    expect(new Set(segments.flatMap(decodeTaskValue).map((r) => `${r.step}/${r.index}`)).size).toBe(1_002);
    console.log(`etcd keys for 1,002 finished tasks: ${before.keys} segments`);

    const runKey = `${prefix}runs/${runId}`;
    const compacted = await eventually(async () => {
      const value = await etcd.get(runKey).buffer();
      const record = value ? decodeRecord<RunRecord>(value) : undefined;
      return record?.tasksObject ? record : undefined;
    }, 90_000, 'the run to be compacted');
    expect((await usage(`tasks/${runId}/`)).keys).toBe(0);
    const run = await usage(`runs/${runId}`);
    console.log(`etcd per 1,000 finished tasks: ${before.bytes + run.bytes} B of keys and values before compaction, ${run.bytes} B after (the run record alone)`);
    expect(compacted.state).toBe('succeeded');

    // A new leader keeps the run as the summary its record carries, without reading its tasks;
    // it reads them back from the chunk store when asked. gc keeps what they refer to.
    await scheduler.stop();
    await startScheduler();
    await scheduler.waitFor(/"runs":1,"dropped":1,"msg":"state loaded/, 60_000);
    const listed = await clusterctlJson<Array<{ run_id: string; steps: Array<{ total: number; succeeded: number }> }>>(['status'], addr);
    expect(listed.find((r) => r.run_id === runId)?.steps.map((s) => [s.total, s.succeeded])).toEqual([[1, 1], [1_000, 1_000], [1, 1]]);
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 60_000, 'the agent to come back');
    const gc = await clusterctl(['store', 'gc'], { addr });
    expect(gc.code, gc.stderr).toBe(0);
    const status = await clusterctlJson<RunJson>(['status', runId], addr);
    expect(status.state).toBe('succeeded');
    expect(status.steps.map((s) => s.tasks.filter((t) => t.state === 'succeeded').length)).toEqual([1, 1_000, 1]);
    expect((await clusterctlJson<{ result: unknown }>(['result', runId, 'work/417'], addr)).result).toBe(834);
    expect((await clusterctlJson<{ result: unknown }>(['result', runId, 'total'], addr)).result).toBe(1_000);

    // A resumed compacted run reuses every task: nothing runs again.
    const again = await resumeAndWait(runId);
    expect(again.state).toBe('succeeded');
    const tasks = again.steps.flatMap((s) => s.tasks);
    expect(tasks).toHaveLength(1_002);
    expect(tasks.filter((t) => t.reused_from !== runId)).toEqual([]);
  }, 360_000);

  it('drops a compacted run from the leader\'s memory and loads it back for status, results, resume and its request id', async () => {
    const dropped = (runId: string) => new RegExp(`"runIds":\\[[^\\]]*"${runId}"[^\\]]*\\],"msg":"finished runs dropped from memory`);
    const client = new ClusterClient([addr]);
    try {
      const codeDir = fileURLToPath(new URL('../fixtures/ha/', import.meta.url));
      const request = {
        job_json: JSON.stringify(haJob), params_json: JSON.stringify({ items: 2, ms: 0 }),
        code_dir: codeDir, code_package: '',
        // What resume reads the job from, and compares the code by, as clusterctl submit sets them.
        source: path.join(codeDir, 'job.yaml'), request_id: 'drop-me',
        code_digest: await codeDigest(await packageFiles(codeDir), ['job.yaml']),
      };
      const first = await client.submitAndWatch(request);
      expect(first.state).toBe('succeeded');
      // Compacted after 2 s, then dropped in the same maintenance pass.
      await scheduler.waitFor(dropped(first.run_id), 90_000);
      // Cleared before what loads it back, not after: the next drop can come within a second.
      scheduler.output = '';

      const listed = (await clusterctlJson<Array<{ run_id: string; state: string; steps: Array<{ total: number; succeeded: number; tasks: unknown[] }> }>>(['status'], addr))
        .find((r) => r.run_id === first.run_id);
      expect(listed?.state).toBe('succeeded');
      expect(listed?.steps.map((s) => [s.total, s.succeeded])).toEqual([[1, 1], [2, 2], [1, 1]]);

      const status = await clusterctlJson<RunJson>(['status', first.run_id], addr);
      expect(status.steps.map((s) => s.tasks.map((t) => t.state))).toEqual([['succeeded'], ['succeeded', 'succeeded'], ['succeeded']]);
      expect((await clusterctlJson<{ result: unknown }>(['result', first.run_id, 'work/1'], addr)).result).toBe(2);

      // Loaded back, it is dropped again by a later pass; its request id still names it.
      await scheduler.waitFor(dropped(first.run_id), 90_000);
      scheduler.output = '';
      const again = await client.submitAndWatch(request);
      expect(again.run_id).toBe(first.run_id);
      expect(again.steps.flatMap((s) => s.tasks)).toHaveLength(4);
      expect((await clusterctlJson<Array<{ run_id: string }>>(['status', '--limit', '100'], addr)).filter((r) => r.run_id.startsWith('crash-drop-me'))).toHaveLength(1);

      await scheduler.waitFor(dropped(first.run_id), 90_000);
      const resumedRun = await resumeAndWait(first.run_id);
      expect(resumedRun.state).toBe('succeeded');
      const reused = resumedRun.steps.flatMap((s) => s.tasks);
      expect(reused.map((t) => t.reused_from)).toEqual([first.run_id, first.run_id, first.run_id, first.run_id]);
    } finally {
      client.close();
    }
  }, 360_000);
});
