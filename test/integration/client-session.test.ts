// ClusterClient.submitAndWatch over the Session call: many runs share one long-lived call, each
// resolves on its final status without waiting for the call's end, one failed submission does
// not end the session, and a session that breaks mid-run is followed by the same run elsewhere.
import * as grpc from '@grpc/grpc-js';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../client/client.js';
import { decodeValue } from '../../core/codec.js';
import { proto, serverOptions } from '../../proto/load.js';
import type { ClientServiceClient, RunStatus, SessionEvent, SessionEvent__Output, SessionRequest__Output } from '../../proto/types.js';
import { eventually, startDev, type DevCluster } from '../support/cli-cluster.js';
import { gate } from '../support/gate.js';

type SessionCall = grpc.ServerDuplexStream<SessionRequest__Output, SessionEvent>;

const status = (runId: string, state: string): RunStatus => ({ run_id: runId, name: 'j', project: 'default', state, steps: [] });
const request = (requestId = '') => ({ job_json: '{}', params_json: '{}', code_dir: '', code_package: '', source: 'test', request_id: requestId });

describe('submitAndWatch on a Session (scripted scheduler)', () => {
  let server: grpc.Server | undefined;
  let client: ClusterClient | undefined;
  afterEach(() => {
    client?.close();
    server?.forceShutdown();
  });

  /** A ClientService whose Session answers each request with `answer(call, request, sessionIndex)`. */
  async function serve(answer: (call: SessionCall, req: SessionRequest__Output, session: number) => void): Promise<{ addr: string; calls: SessionCall[]; requests: SessionRequest__Output[] }> {
    const calls: SessionCall[] = [];
    const requests: SessionRequest__Output[] = [];
    server = new grpc.Server(serverOptions);
    server.addService(proto.ClientService.service, {
      Session: (call: SessionCall) => {
        const index = calls.push(call) - 1;
        call.on('data', (req: SessionRequest__Output) => {
          requests.push(req);
          answer(call, req, index);
        });
      },
    });
    const port = await new Promise<number>((resolve, reject) => server!.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))));
    return { addr: `127.0.0.1:${port}`, calls, requests };
  }

  it('carries concurrent runs on one call and resolves each on its own final status, the call still open', async () => {
    const { addr, calls } = await serve((call, req) => {
      const runId = `r-${req.submit!.request_id}`;
      call.write({ tag: req.tag, status: status(runId, 'running') });
      setTimeout(() => call.write({ tag: req.tag, status: status(runId, req.submit!.request_id === 'b' ? 'failed' : 'succeeded') }), 20);
    });
    client = new ClusterClient([addr]);
    const seen: string[] = [];
    const [a, b] = await Promise.all([
      client.submitAndWatch(request('a'), (s) => seen.push(`${s.run_id}:${s.state}`)),
      client.submitAndWatch(request('b')),
    ]);
    expect([a.run_id, a.state, b.run_id, b.state]).toEqual(['r-a', 'succeeded', 'r-b', 'failed']);
    expect(seen).toEqual(['r-a:running', 'r-a:succeeded']);
    const c = await client.submitAndWatch(request('c'));
    expect(c.state).toBe('succeeded');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.writable).toBe(true);
  });

  it('rejects a submission the scheduler refused with its code, and the session goes on', async () => {
    const { addr, calls } = await serve((call, req) => {
      if (req.submit!.request_id === 'bad') call.write({ tag: req.tag, error: { code: 'INVALID_ARGUMENT', message: 'job_json: not valid JSON', detail: '' } });
      else call.write({ tag: req.tag, status: status('r-ok', 'succeeded') });
    });
    client = new ClusterClient([addr]);
    await expect(client.submitAndWatch(request('bad'))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'job_json: not valid JSON' });
    expect((await client.submitAndWatch(request('ok'))).state).toBe('succeeded');
    expect(calls).toHaveLength(1);
  });

  it('submits a run again with the same request id when its session ends mid-run', async () => {
    const { addr, calls, requests } = await serve((call, req, session) => {
      call.write({ tag: req.tag, status: status('r-1', 'running') });
      if (session === 0) call.end();
      else call.write({ tag: req.tag, status: status('r-1', 'succeeded') });
    });
    client = new ClusterClient([addr]);
    const last = await client.submitAndWatch(request());
    expect(last.state).toBe('succeeded');
    expect(calls).toHaveLength(2);
    expect(requests).toHaveLength(2);
    // A request id was filled in and both submissions carried it: the scheduler sees one run.
    expect(requests[0]!.submit!.request_id).toMatch(/^[a-z0-9-]+$/);
    expect(requests[1]!.submit!.request_id).toBe(requests[0]!.submit!.request_id);
  });

  it('keeps following a run on one scheduler while another submission is sent to a different one', async () => {
    const first = await serve((call, req) => {
      if (req.submit!.request_id === 'elsewhere') {
        call.write({ tag: req.tag, error: { code: 'NOT_LEADER', message: 'ask the other one', detail: '' } });
        return;
      }
      call.write({ tag: req.tag, status: status('r-slow', 'running') });
      setTimeout(() => call.write({ tag: req.tag, status: status('r-slow', 'succeeded') }), 300);
    });
    const firstServer = server;
    const second = await serve((call, req) => call.write({ tag: req.tag, status: status('r-elsewhere', 'succeeded') }));
    try {
      client = new ClusterClient([first.addr, second.addr]);
      let following!: () => void;
      const followed = new Promise<void>((resolve) => (following = resolve));
      const slow = client.submitAndWatch(request('slow'), () => following());
      await followed; // the slow run's first status is in: its session is open
      expect((await client.submitAndWatch(request('elsewhere'))).run_id).toBe('r-elsewhere');
      expect((await slow).state).toBe('succeeded');
    } finally {
      firstServer?.forceShutdown();
    }
  });

  it('fails saying why when every session to the only address ends mid-run', async () => {
    const { addr } = await serve((call, req) => {
      call.write({ tag: req.tag, status: status('r-1', 'running') });
      call.end();
    });
    client = new ClusterClient([addr], { electionWaitMs: 500 });
    await expect(client.submitAndWatch(request('x'))).rejects.toThrow(/the scheduler ended the session before the run ended/);
  });
});

describe('submitAndWatch on a Session (real scheduler)', () => {
  let dev: DevCluster;
  let client: ClusterClient;
  const codeDir = fileURLToPath(new URL('../../examples/hello/', import.meta.url));
  const job = (name: string) => JSON.stringify({ name, steps: { start: { run: { module: './hello.mjs', export: 'start' }, resources: { cpu: '10m', memory: '16Mi' } } } });
  beforeAll(async () => {
    dev = await startDev(1);
    client = new ClusterClient([dev.addr]);
  }, 60_000);
  afterAll(async () => {
    client?.close();
    await dev?.stop();
  });

  it('runs many runs at once on one client, each to its own recorded result', async () => {
    const runs = await Promise.all(Array.from({ length: 20 }, (_, i) => client.submitAndWatch({
      job_json: job(`many-${i}`), params_json: JSON.stringify({ greeting: `hi-${i}`, repeat: 1 }), code_dir: codeDir, code_package: '', source: 'test', request_id: '',
    })));
    expect(new Set(runs.map((r) => r.run_id)).size).toBe(20);
    for (const [i, r] of runs.entries()) {
      expect(r.state).toBe('succeeded');
      expect(r.run_id.startsWith(`many-${i}-`)).toBe(true);
      const result = await client.call('Result', { run_id: r.run_id, step: 'start', index: 0 });
      expect(decodeValue(result.result)).toMatchObject({ words: [`hi-${i}`] });
    }
  }, 60_000);

  it('answers a bad job with INVALID_ARGUMENT saying where, and the next run on the session succeeds', async () => {
    const bad = { job_json: '{"name": "bad", "steps": {}}', params_json: '{}', code_dir: codeDir, code_package: '', source: 'test', request_id: '' };
    await expect(client.submitAndWatch(bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const good = await client.submitAndWatch({ job_json: job('after-bad'), params_json: '{}', code_dir: codeDir, code_package: '', source: 'test', request_id: '' });
    expect(good.state).toBe('succeeded');
  }, 30_000);

  it('fails every task of a run whose code package the store does not have, saying so, and the agent goes on', async () => {
    const sweep = JSON.stringify({ name: 'no-package', steps: { start: { run: { module: './hello.mjs', export: 'start' }, foreach: [1, 2, 3], resources: { cpu: '10m', memory: '16Mi' }, catch: true, next: 'join' }, join: { run: { module: './hello.mjs', export: 'finish' }, join: true } } });
    const missing = 'f'.repeat(64);
    const run = await client.submitAndWatch({ job_json: sweep, params_json: '{}', code_dir: '', code_package: missing, source: 'test', request_id: '' });
    expect(run.state).toBe('failed');
    // Caught, so every task of the sweep runs and reports; then the join fails the same way.
    const tasks = run.steps.flatMap((s) => s.tasks);
    expect(tasks).toHaveLength(4);
    for (const t of tasks) {
      expect(t.state).toBe('failed');
      expect(t.error?.message).toContain(`cannot fetch code package ${missing}`);
    }
    const after = await client.submitAndWatch({ job_json: job('after-no-package'), params_json: '{}', code_dir: codeDir, code_package: '', source: 'test', request_id: '' });
    expect(after.state).toBe('succeeded');
  }, 30_000);

  it('submitting the same request id twice follows one run', async () => {
    const req = { job_json: job('twice'), params_json: '{}', code_dir: codeDir, code_package: '', source: 'test', request_id: 'twice-1' };
    const [a, b] = await Promise.all([client.submitAndWatch(req), client.submitAndWatch(req)]);
    expect(a.run_id).toBe('twice-twice-1');
    expect(b.run_id).toBe(a.run_id);
  }, 30_000);

  it('shows a long task as started while it runs, and a short one with its start time once done', async () => {
    const haDir = fileURLToPath(new URL('../fixtures/ha/', import.meta.url));
    const sleeper = (ms: number, gatePath = '') => ({
      job_json: JSON.stringify({ name: `sleep-${ms}`, steps: { start: { run: { module: './tasks.mjs', export: 'work' }, resources: { cpu: '10m', memory: '16Mi' } } } }),
      params_json: JSON.stringify({ ms, gate: gatePath }), code_dir: haDir, code_package: '', source: 'test', request_id: '',
    });
    // The long task runs until the test opens its gate.
    const sleep = gate();
    let runId = '';
    const long = client.submitAndWatch(sleeper(120_000, sleep.path), (s) => {
      runId = s.run_id;
    });
    // The start is reported once the task has run a little while, long before it ends.
    const started = await eventually(async () => {
      if (!runId) return undefined;
      const task = (await client.call('GetRun', { run_id: runId })).steps[0]!.tasks[0];
      return task && task.state === 'running' && Number(task.started_at_ms) > 0 ? task : undefined;
    }, 30_000, 'the long task to show as started');
    expect(Number(started.started_at_ms)).toBeGreaterThanOrEqual(Number((await client.call('GetRun', { run_id: runId })).created_at_ms));
    sleep.open();
    expect((await long).state).toBe('succeeded');
    sleep.remove();
    const short = (await client.submitAndWatch(sleeper(0))).steps[0]!.tasks[0]!;
    expect(Number(short.started_at_ms)).toBeGreaterThan(0);
    expect(Number(short.finished_at_ms)).toBeGreaterThanOrEqual(Number(short.started_at_ms));
  }, 30_000);

  it('leaves the task list out of the final status when asked for a summary only', async () => {
    const req = () => ({ job_json: job('summary'), params_json: JSON.stringify({ greeting: 'x', repeat: 1 }), code_dir: codeDir, code_package: '', source: 'test', request_id: '' });
    const summary = await client.submitAndWatch(req(), undefined, { summaryOnly: true });
    expect(summary.state).toBe('succeeded');
    expect(summary.steps[0]).toMatchObject({ name: 'start', total: 1, succeeded: 1, tasks: [] });
    const full = await client.submitAndWatch(req());
    expect(full.steps[0]!.tasks).toHaveLength(1);
    // The tasks are there for whoever asks.
    expect((await client.call('GetRun', { run_id: summary.run_id })).steps[0]!.tasks[0]!.state).toBe('succeeded');
  }, 30_000);

  it('on a raw Session call: a reused tag is refused, and a half-closed session ends once its runs have', async () => {
    const raw = new proto.ClientService(dev.addr, grpc.credentials.createInsecure()) as unknown as ClientServiceClient;
    try {
      const call = raw.Session();
      const events: SessionEvent__Output[] = [];
      const ended = new Promise<grpc.StatusObject>((resolve) => call.on('status', resolve));
      call.on('data', (e: SessionEvent__Output) => events.push(e));
      call.on('error', () => {});
      const submit = { job_json: job('raw'), params_json: JSON.stringify({ greeting: 'x', repeat: 1 }), code_dir: codeDir, code_package: '', source: 'test', request_id: '' };
      call.write({ tag: 7, submit });
      call.write({ tag: 7, submit });
      call.end();
      expect((await ended).code).toBe(grpc.status.OK);
      expect(events.filter((e) => e.body === 'error').map((e) => [e.tag, e.error!.code, e.error!.message])).toEqual([[7, 'INVALID_ARGUMENT', 'tag 7: already in use in this session']]);
      const statuses = events.filter((e) => e.body === 'status');
      expect(statuses.at(-1)).toMatchObject({ tag: 7, status: { state: 'succeeded' } });
    } finally {
      raw.close();
    }
  }, 30_000);
});
