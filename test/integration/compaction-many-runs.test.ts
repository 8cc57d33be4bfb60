// Compaction keeps up with many small runs, on the embedded store and on etcd: hundreds of
// single-task runs leave the state store and the leader's memory within seconds of being due,
// sharing a few tasks objects (on etcd, 64 runs a write), and each still answers with its own
// result, also after a restart and store gc.
import type { Etcd3 } from 'etcd3';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../client/client.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { MemoryStateStore } from '../../scheduler/state/memory-store.js';
import { decodeRecord, type RunRecord } from '../../scheduler/state/records.js';
import { clusterctl, clusterctlJson, eventually, freePort, startAgent, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { requireProgram } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

const runs = 400;
/** One step that returns `items` numbers: each run's result tells which run it is. */
const job = { name: 'many', steps: { start: { run: { module: './tasks.mjs', export: 'items' }, resources: { cpu: '100m', memory: '16Mi' } } } };

/** A state store the scheduler runs on, and how the test reads it while the scheduler is down. */
interface StateSubject {
  name: string;
  available: boolean;
  setup(dir: string): Promise<void>;
  flags(): string[];
  /** Values under a key prefix (relative to the cluster's own prefix). */
  values(prefix: string): Promise<Uint8Array[]>;
  teardown(): Promise<void>;
}

function embedded(): StateSubject {
  let file = '';
  return {
    name: 'the embedded store',
    available: true,
    async setup(dir) {
      file = path.join(dir, 'state.log');
    },
    flags: () => ['--state', file],
    async values(prefix) {
      const state = await MemoryStateStore.open(file);
      try {
        return (await state.list(prefix)).map(([, v]) => v);
      } finally {
        await state.close();
      }
    },
    async teardown() {},
  };
}

function onEtcd(): StateSubject {
  const keyPrefix = '/many-runs/';
  let server: EtcdServer | undefined;
  let client: Etcd3 | undefined;
  return {
    name: 'etcd',
    available: requireProgram('etcd') !== undefined,
    async setup() {
      server = await startEtcd();
      client = createEtcdClient({ endpoints: server.endpoints });
    },
    flags: () => ['--etcd', server!.endpoints.join(','), '--etcd-prefix', keyPrefix],
    async values(prefix) {
      return (await client!.getAll().prefix(`${keyPrefix}${prefix}`).exec()).kvs.map((kv) => kv.value);
    },
    async teardown() {
      client?.close();
      await server?.stop();
    },
  };
}

describe.each([embedded(), onEtcd()])('compaction of many small runs on $name', (subject) => {
  let dir: TempDir;
  let addr: string;
  let scheduler: Daemon;
  let agent: Daemon;

  const startScheduler = async () => {
    scheduler = startDaemon(['scheduler', '--listen', addr, ...subject.flags(), '--store', path.join(dir.path, 'store'), '--compact-after', '1s', '--gc-grace', '0s']);
    await scheduler.waitFor(/scheduler listening/);
  };
  /** Runs dropped from the leader's memory so far, by its log. */
  const droppedRuns = () => [...scheduler.output.matchAll(/"runs":(\d+),"tasks":\d+,"runIds":\[[^\]]*\],"msg":"finished runs dropped from memory/g)]
    .reduce((n, m) => n + Number(m[1]), 0);

  beforeAll(async () => {
    if (!subject.available) return;
    dir = await tempDir('clusterd-compaction-many');
    await subject.setup(dir.path);
    addr = `127.0.0.1:${await freePort()}`;
    await startScheduler();
    agent = await startAgent(addr, 'many-agent');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await scheduler?.stop();
    await subject.teardown();
    await dir?.remove();
  });

  it.skipIf(!subject.available)(`compacts ${runs} single-task runs into shared objects; each keeps its own result after a restart and gc`, async () => {
    const client = new ClusterClient([addr]);
    const ids: string[] = [];
    try {
      const codeDir = fileURLToPath(new URL('../fixtures/ha/', import.meta.url));
      let next = 0;
      await Promise.all(Array.from({ length: 16 }, async () => {
        for (let i = next++; i < runs; i = next++) {
          const status = await client.submitAndWatch({
            job_json: JSON.stringify(job), params_json: JSON.stringify({ items: i }), code_dir: codeDir, code_package: '', source: '',
          });
          expect(status.state).toBe('succeeded');
          ids[i] = status.run_id;
        }
      }));
    } finally {
      client.close();
    }
    await eventually(async () => droppedRuns() === runs, 90_000, `all ${runs} runs to be dropped from memory`);

    // Restarted on the same state: nothing of the runs' tasks is left in it, the run records
    // share a few tasks objects, and every run reads its own result back.
    await scheduler.stop();
    expect(await subject.values('tasks/')).toEqual([]);
    const records = (await subject.values('runs/')).map((v) => decodeRecord<RunRecord>(v));
    expect(records).toHaveLength(runs);
    const objects = new Set(records.map((r) => r.tasksObject));
    expect(objects.has(undefined)).toBe(false);
    expect(objects.size).toBeLessThanOrEqual(runs / 10);

    await startScheduler();
    await scheduler.waitFor(new RegExp(`"runs":${runs},"dropped":${runs},"msg":"state loaded`), 60_000);
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 60_000, 'the agent to come back');
    // No grace: gc removes every chunk no record refers to, so the shared objects must count as referenced.
    const gc = await clusterctl(['store', 'gc'], { addr });
    expect(gc.code, gc.stderr).toBe(0);
    for (const i of [0, 1, 137, runs - 1]) {
      const { result } = await clusterctlJson<{ result: { items: number[] } }>(['result', ids[i]!, 'start'], addr);
      expect(result.items).toHaveLength(i);
    }

    // The listing is the newest runs by submission, from summaries and from memory alike.
    const newestFirst = [...records].sort((a, b) => b.seq - a.seq).map((r) => r.id);
    const listed = async (limit: number) => (await clusterctlJson<Array<{ run_id: string }>>(['status', '--limit', String(limit)], addr)).map((r) => r.run_id);
    expect(await listed(3)).toEqual(newestFirst.slice(0, 3));
    const another = await clusterctl(['submit', 'test/fixtures/ha/job.yaml', '-p', 'items=1', '-p', 'ms=0', '--wait', '-o', 'json'], { addr, timeoutMs: 60_000 });
    expect(another.code, another.stderr).toBe(0);
    expect(await listed(2)).toEqual([(JSON.parse(another.stdout) as { run_id: string }).run_id, newestFirst[0]]);
  }, 240_000);
});
