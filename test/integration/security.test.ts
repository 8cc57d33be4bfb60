// A cluster on TLS with tokens (`clusterctl dev --secure`), tried through clusterctl and raw
// gRPC as an outsider, a user of another project, and a forging agent would.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { checkServerIdentity } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClientEnv } from '../../client/admin-credentials.js';
import { ClusterCredentials, loadTlsFiles } from '../../proto/credentials.js';
import { createEtcdClient } from '../../scheduler/state/etcd-client.js';
import { channelOptions, proto } from '../../proto/load.js';
import { converse } from '../support/agent-conversation.js';
import { clusterctl, eventually, repoRoot, startDaemon, type CliResult, type Daemon } from '../support/cli-cluster.js';
import { tempDir, type TempDir } from '../support/temp.js';

const capacity = { cpu_milli: 4000, memory_bytes: 2 ** 32, gpus: [] };

describe('a secure dev cluster (TLS, tokens)', () => {
  let tmp: TempDir;
  let data: string;
  let dev: Daemon;
  let env: Record<string, string>;
  let jobs: string;
  /** clusterctl as the admin of client.env, or with `token` instead. */
  const as = (token: string | undefined, args: string[], timeoutMs = 60_000): Promise<CliResult> =>
    clusterctl(args, { env: { ...env, CLUSTERCTL_TOKEN: token ?? '' }, timeoutMs });
  const admin = (args: string[], timeoutMs?: number) => as(env.CLUSTERCTL_TOKEN, args, timeoutMs);
  const json = <T>(res: CliResult): T => {
    expect(res.code, res.stderr).toBe(0);
    return JSON.parse(res.stdout) as T;
  };
  const tokenFor = async (role: string, ...projects: string[]) => {
    const res = await admin(['token', 'create', '--role', role, '--name', `${role}-${projects.join('-') || 'all'}`, ...projects.flatMap((p) => ['--project', p])]);
    expect(res.code, res.stderr).toBe(0);
    return res.stdout.trim();
  };

  beforeAll(async () => {
    tmp = await tempDir('secure-dev');
    data = tmp.path;
    dev = startDaemon(['dev', '--secure', '--data', data, '--port', '0', '--agents', '1']);
    await dev.waitFor(/agent\(s\) ready/, 60_000);
    env = readClientEnv(path.join(data, 'client.env'));
    // Two projects' jobs, beside the fixtures' task module.
    jobs = path.join(data, 'jobs');
    mkdirSync(jobs);
    writeFileSync(path.join(jobs, 'tasks.mjs'), readFileSync(path.join(repoRoot, 'test/fixtures/jobs/tasks.mjs')));
    writeFileSync(path.join(jobs, 'isolated.yaml'), 'name: isolated\nsteps:\n  start:\n    run: { module: ./tasks.mjs, export: probeIsolation }\n    isolation: process\n');
    writeFileSync(path.join(jobs, 'spawn.yaml'), 'name: spawn\nsteps:\n  start:\n    run: { module: ./tasks.mjs, export: spawnSleepers }\n    resources: { cpu: 0.1, memory: 64Mi }\n');
    for (const project of ['alpha', 'beta']) {
      writeFileSync(path.join(jobs, `${project}.yaml`), `name: ${project}\nproject: ${project}\nparams: { ms: 1, gate: '' }\nsteps:\n  start:\n    run: { module: ./tasks.mjs, export: sleepy }\n    resources: { cpu: 0.1, memory: 64Mi }\n`);
    }
  }, 90_000);
  afterAll(async () => {
    await dev?.stop();
    await tmp?.remove();
  });

  it('writes client.env for `source`, readable by its owner only, with an admin token that works', async () => {
    expect(Object.keys(env).sort()).toEqual(['CLUSTERCTL_ADDR', 'CLUSTERCTL_TLS_DIR', 'CLUSTERCTL_TOKEN']);
    expect(statSync(path.join(data, 'client.env')).mode & 0o077).toBe(0);
    expect(statSync(path.join(data, 'tls', 'ca.key')).mode & 0o077).toBe(0);
    const res = await admin(['submit', 'examples/hello/job.yaml', '--wait']);
    expect(res.code, res.stderr).toBe(0);
  });

  it('kills the processes a thread task started, and theirs, when the task ends', async () => {
    const run = json<{ run_id: string }>(await admin(['submit', path.join(jobs, 'spawn.yaml'), '--wait', '-o', 'json']));
    const { pids } = JSON.parse((await admin(['result', run.run_id, 'start'])).stdout) as { pids: number[] };
    expect(pids).toHaveLength(3);
    const alive = () => pids.filter((pid) => {
      try {
        return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); // a zombie has ended
      } catch {
        return false;
      }
    });
    try {
      await eventually(async () => alive().length === 0, 20_000, `processes ${pids.join(', ')} to end`);
    } finally {
      for (const pid of alive()) process.kill(pid, 'SIGKILL'); // by pid, should the test fail
    }
  });

  it('runs an isolated step where it cannot read /etc/shadow, start a process, or see the agent\'s environment', async () => {
    const run = json<{ run_id: string }>(await admin(['submit', path.join(jobs, 'isolated.yaml'), '--wait', '-o', 'json']));
    const seen = JSON.parse((await admin(['result', run.run_id, 'start'])).stdout) as { shadow: string; spawn: string; env: string[] };
    expect(seen).toEqual({ shadow: 'ERR_ACCESS_DENIED', spawn: 'ERR_ACCESS_DENIED', env: ['PATH'] });
  });

  it('refuses plaintext clients and clients of another CA', async () => {
    const plaintext = await clusterctl(['agents'], { env: { ...env, CLUSTERCTL_TLS_DIR: '' } });
    expect(plaintext.code).toBe(3);
    expect(plaintext.stderr).toContain('if the cluster uses TLS, give --tls-dir');
    const otherCa = path.join(data, 'other-ca');
    expect((await clusterctl(['tls', 'init', otherCa])).code).toBe(0);
    const stranger = await clusterctl(['agents'], { env: { ...env, CLUSTERCTL_TLS_DIR: otherCa } });
    expect(stranger.code).toBe(3);
    expect(stranger.stderr).toContain('over TLS');
    // A raw gRPC client without a client certificate never gets an answer either.
    const files = loadTlsFiles(env.CLUSTERCTL_TLS_DIR!, 'client');
    // (As ClusterCredentials does for an IP target: a fixed server name, the IP checked.)
    const [host] = env.CLUSTERCTL_ADDR!.split(':');
    const anonymous = new proto.ClientService(env.CLUSTERCTL_ADDR!, grpc.credentials.createSsl(files.ca, null, null, { checkServerIdentity: (_name, cert) => checkServerIdentity(host!, cert) }), { ...channelOptions, 'grpc.ssl_target_name_override': 'clusterd' });
    const err = await new Promise<grpc.ServiceError | null>((resolve) => anonymous.Servers({}, { deadline: Date.now() + 10_000 }, (e: grpc.ServiceError | null) => resolve(e)));
    anonymous.close();
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });

  it('refuses a call without a token, or with one that is unknown, with exit status 4', async () => {
    for (const token of [undefined, 'cd.000000000000.forged', 'not-a-token']) {
      const res = await as(token, ['status']);
      expect(res.code, `${token}: ${res.stderr}`).toBe(4);
      expect(res.stderr).toMatch(/requires a token|not valid/);
    }
  });

  it('keeps each project to its own tokens, for every verb', async () => {
    const alphaSubmit = await tokenFor('submit', 'alpha');
    const betaSubmit = await tokenFor('submit', 'beta');
    const alphaRead = await tokenFor('read', 'alpha');
    const submitted = json<{ run_id: string }>(await as(alphaSubmit, ['submit', path.join(jobs, 'alpha.yaml'), '--wait', '-o', 'json']));
    const run = submitted.run_id;

    // Refused calls change nothing, so they go at once.
    const refused = [
      ['status', run], ['logs', run], ['result', run, 'start'], ['cancel', run], ['resume', run],
      ['submit', path.join(jobs, 'alpha.yaml')], ['schedule', 'add', 'nightly', path.join(jobs, 'alpha.yaml'), '--cron', '0 3 * * *'],
    ];
    for (const [args, res] of await Promise.all(refused.map(async (args) => [args, await as(betaSubmit, args)] as const))) {
      expect(res.code, `beta: ${args.join(' ')}: ${res.stderr}`).toBe(4);
      expect(res.stderr).toContain('may not');
    }
    // Listing shows only what the token may see.
    const betaList = json<Array<{ run_id: string }>>(await as(betaSubmit, ['status', '-o', 'json']));
    expect(betaList.map((r) => r.run_id)).not.toContain(run);
    expect(json<Array<{ run_id: string }>>(await as(alphaRead, ['status', '-o', 'json'])).map((r) => r.run_id)).toContain(run);
    // A read token reads, and does no more.
    expect((await as(alphaRead, ['result', run, 'start'])).code).toBe(0);
    expect((await as(alphaRead, ['cancel', run])).code).toBe(4);
    expect((await as(alphaRead, ['submit', path.join(jobs, 'alpha.yaml')])).code).toBe(4);
    // Agents, drain, tokens, audit and store gc are the admin's.
    const adminOnly = [['agents'], ['drain', 'dev-agent-1'], ['token', 'ls'], ['token', 'create', '--role', 'admin'], ['audit'], ['store', 'gc']];
    for (const [args, res] of await Promise.all(adminOnly.map(async (args) => [args, await as(alphaSubmit, args)] as const))) {
      expect(res.code, `alpha: ${args.join(' ')}: ${res.stderr}`).toBe(4);
    }
    // The audit log names who submitted, and the refused did nothing.
    const audit = json<Array<{ who: string; action: string; target: string; project: string }>>(await admin(['audit', '-o', 'json']));
    expect(audit.find((e) => e.action === 'submit' && e.project === 'alpha')?.who).toMatch(/^token:\w+ \(submit-alpha\)$/);
    expect(audit.filter((e) => e.action === 'cancel' || e.action === 'schedule.add')).toEqual([]);
  });

  it('refuses a revoked token on its next call', async () => {
    const reader = await tokenFor('read');
    expect((await as(reader, ['status'])).code).toBe(0);
    const id = (await admin(['token', 'ls', '-o', 'json'])).stdout;
    const tokenId = (JSON.parse(id) as Array<{ id: string; name: string }>).find((t) => t.name === 'read-all')!.id;
    expect((await admin(['token', 'revoke', tokenId])).code).toBe(0);
    const res = await as(reader, ['status']);
    expect(res.code).toBe(4);
    expect(res.stderr).toContain('was revoked');
  });

  it('binds an agent id to its identity and refuses reports about attempts assigned to another agent', async () => {
    const agentToken = await tokenFor('agent');
    const credentials = new ClusterCredentials(loadTlsFiles(env.CLUSTERCTL_TLS_DIR!, 'client'), agentToken);
    // The real agent joined with the agent certificate: a token's holder cannot take its id.
    const takeover = await converse(env.CLUSTERCTL_ADDR!, [{ register: { agent_id: 'dev-agent-1', capacity, executors: ['thread'] } }], undefined, credentials);
    expect(takeover.status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(takeover.status.details).toContain('belongs to cert:clusterd agent');
    // A task running on dev-agent-1, held there until the gate opens.
    const gate = path.join(data, 'gate');
    const submitted = json<{ run_id: string }>(await admin(['submit', path.join(jobs, 'beta.yaml'), '-p', 'ms=120000', '-p', `gate=${gate}`, '-o', 'json']));
    const taskId = `${submitted.run_id}/start/0`;
    await eventually(async () => (await admin(['status', submitted.run_id, '-o', 'json'])).stdout.includes('"running"'), 30_000, 'the task to run');
    // Another agent reports it finished with a forged result: refused and counted, not taken.
    const forged = await converse(env.CLUSTERCTL_ADDR!, [
      { register: { agent_id: 'evil', capacity, executors: ['thread'] } },
      { updates: { updates: [{ task_id: taskId, attempt: 1, finished: { ok: true, result: Buffer.from([0xa6, ...Buffer.from('forged')]) } }] } },
      { heartbeat: { sent_at_ms: 1 } },
    ], (m) => m.body === 'heartbeat', credentials);
    expect(forged.received[0]?.body).toBe('registered');
    const agents = json<Array<{ agent_id: string; refused_reports: number }>>(await admin(['agents', '-o', 'json']));
    expect(agents.find((a) => a.agent_id === 'evil')?.refused_reports).toBe(1);
    writeFileSync(gate, '');
    const waited = await admin(['submit', path.join(jobs, 'beta.yaml'), '--wait'], 60_000); // the agent is free again
    expect(waited.code, waited.stderr).toBe(0);
    const result = await admin(['result', submitted.run_id, 'start']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('forged');
    expect(JSON.parse(result.stdout)).toMatchObject({ slept: 120000, attempt: 1 });
  }, 120_000);
});

describe('clusterctl up (TLS and tokens by default)', () => {
  let tmp: TempDir;
  let env: Record<string, string>;
  beforeAll(async () => {
    tmp = await tempDir('secure-up');
    const up = await clusterctl(['up', '--dir', tmp.path, '--replicas', '2', '--agents', '1', '--agent-cpu', '2', '--agent-memory', '2Gi'], { timeoutMs: 120_000 });
    expect(up.code, up.stderr).toBe(0);
    env = readClientEnv(path.join(tmp.path, 'client.env'));
  }, 150_000);
  afterAll(async () => {
    await clusterctl(['down', '--dir', tmp.path, '--grace', '5s']);
    await tmp.remove();
  }, 60_000);

  it('runs a job for the admin of client.env, and every replica enforces tokens made on the leader', async () => {
    const hello = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { env, timeoutMs: 60_000 });
    expect(hello.code, hello.stderr).toBe(0);
    const made = await clusterctl(['token', 'create', '--role', 'read', '--name', 'replicated'], { env });
    expect(made.code, made.stderr).toBe(0);
    const servers = JSON.parse((await clusterctl(['servers', '-o', 'json'], { env })).stdout) as Array<{ addr: string; leader: boolean }>;
    const follower = servers.find((s) => !s.leader)!.addr;
    const reader = { ...env, CLUSTERCTL_ADDR: follower, CLUSTERCTL_TOKEN: made.stdout.trim() };
    // Read from etcd by the follower within its refresh (2 s), with room for a slow machine. The
    // follower checks the token before it says where the leader is: a refusal there exits 4.
    await eventually(async () => (await clusterctl(['status'], { env: reader })).code === 0, 20_000, 'the follower to accept the new token');
    const id = (JSON.parse((await clusterctl(['token', 'ls', '-o', 'json'], { env })).stdout) as Array<{ id: string; name: string }>).find((t) => t.name === 'replicated')!.id;
    expect((await clusterctl(['token', 'revoke', id], { env })).code).toBe(0);
    await eventually(async () => (await clusterctl(['status'], { env: reader })).code === 4, 20_000, 'the follower to refuse the revoked token');
    // Plaintext is refused by every replica.
    for (const s of servers) expect((await clusterctl(['servers'], { env: { CLUSTERCTL_ADDR: s.addr, CLUSTERCTL_TLS_DIR: '', CLUSTERCTL_TOKEN: '' } })).code).toBe(3);
  }, 120_000);

  it('keeps its state in an etcd that serves TLS to the cluster\'s certificates only', async () => {
    const manifest = JSON.parse(readFileSync(path.join(tmp.path, 'cluster.json'), 'utf8')) as { etcd: string };
    expect(manifest.etcd).toMatch(/^https:\/\/localhost:\d+$/);
    const tlsDir = path.join(tmp.path, 'tls');
    const read = (name: string) => readFileSync(path.join(tlsDir, name));
    const asReplica = createEtcdClient({ endpoints: [manifest.etcd], tls: { ca: read('ca.crt'), cert: read('scheduler.crt'), key: read('scheduler.key') } });
    const withoutCertificate = createEtcdClient({ endpoints: [manifest.etcd], tls: { ca: read('ca.crt') } });
    const plaintext = createEtcdClient({ endpoints: [manifest.etcd.replace('https:', 'http:')] });
    try {
      expect((await asReplica.getAll().prefix('/clusterd/tokens/').keys()).length).toBeGreaterThan(0);
      await expect(withoutCertificate.get('/clusterd/leader').string()).rejects.toThrow();
      await expect(plaintext.get('/clusterd/leader').string()).rejects.toThrow();
    } finally {
      for (const client of [asReplica, withoutCertificate, plaintext]) client.close();
    }
    // A replica given half a client identity stops at once, saying which half is missing.
    const half = await clusterctl(['scheduler', '--listen', '127.0.0.1:0', '--etcd', manifest.etcd, '--etcd-cert', path.join(tlsDir, 'scheduler.crt')], { timeoutMs: 30_000 });
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--etcd-cert with --etcd-key');
  }, 60_000);
});
