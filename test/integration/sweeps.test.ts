// Sweeps at scale through clusterctl, as users run them: a 100,000-item computed sweep on
// `clusterctl dev --data` (a correct join, no agent dropped, a status that stays small, the
// cluster answering meanwhile); a scheduler stopped for 10 s that loses no agent; and an agent
// stream broken while assignments were in flight, whose tasks are queued again at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, freePort, startAgent, startDaemon, startDev, type Daemon, type DevCluster } from '../support/cli-cluster.js';
import type { RunJson } from '../support/ha-cluster.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { tempDir, type TempDir } from '../support/temp.js';

const sweep = 'examples/computed-sweep/job.yaml';
const haJob = 'test/fixtures/ha/job.yaml';

interface AgentJson { agent_id: string; state: string }

describe('a computed sweep of 100,000 items on dev --data', () => {
  let dev: DevCluster;
  let data: TempDir;
  beforeAll(async () => {
    data = await tempDir('clusterd-sweeps');
    dev = await startDev(2, ['--data', data.path]);
  });
  afterAll(async () => {
    await dev?.stop();
    await data?.remove();
  });

  it('joins every item, drops no agent, keeps its status small, and serves the cluster meanwhile', async () => {
    const submitted = await clusterctl(['submit', sweep, '-p', 'items=100000', '-o', 'json'], { addr: dev.addr });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = (JSON.parse(submitted.stdout) as { run_id: string }).run_id;

    // While it runs: the agents are listed and a small job runs to its end.
    const agents = await clusterctlJson<AgentJson[]>(['agents'], dev.addr);
    expect(agents.map((a) => a.state)).toEqual(['ready', 'ready']);
    const small = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { addr: dev.addr, timeoutMs: 120_000 });
    expect(small.code, small.stderr).toBe(0);
    // Tasks sent ahead to an agent's queue say so, and where.
    const sentAhead = await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', runId, '--step', 'work', '--state', 'running', '--tasks', 'all'], dev.addr);
      return r.steps[1]!.tasks.find((t) => t.waiting !== '');
    }, 120_000, 'a task waiting in an agent\'s queue');
    expect(sentAhead.agent_id).not.toBe('');
    expect(sentAhead.waiting).toBe(`sent ahead: waits in agent ${sentAhead.agent_id}'s queue for a slot there`);

    const run = await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', runId], dev.addr);
      return r.state !== 'running' ? r : undefined;
    }, 300_000, 'the sweep to end');
    expect(run.state).toBe('succeeded');
    expect((await clusterctlJson<{ result: unknown }>(['result', runId, 'total'], dev.addr)).result).toEqual({ items: 100_000 });

    // The default status lists each step's first tasks, not 100,000 of them.
    const status = await clusterctl(['status', runId, '-o', 'json'], { addr: dev.addr });
    expect(status.stdout.length).toBeLessThan(1_000_000);
    const steps = (JSON.parse(status.stdout) as { steps: Array<{ name: string; total: number; succeeded: number; tasks: unknown[] }> }).steps;
    expect(steps.map((s) => [s.name, s.total, s.succeeded, s.tasks.length])).toEqual([['start', 1, 1, 1], ['work', 100_000, 100_000, 10], ['total', 1, 1, 1]]);
    const page = await clusterctlJson<RunJson>(['status', runId, '--step', 'work', '--tasks', '5', '--page', '2'], dev.addr);
    expect(page.steps[1]!.tasks.map((t) => t.index)).toEqual([10, 11, 12, 13, 14]);

    expect((await clusterctlJson<AgentJson[]>(['agents'], dev.addr)).map((a) => a.state)).toEqual(['ready', 'ready']);
    expect(dev.daemon.output).not.toMatch(/agent lost|agent dropped/);
  }, 360_000);
});

describe('a scheduler stopped for 10 s', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(2, ['--agent-ttl', '5s']);
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it('loses no agent: it measures its own pause and gives them that long again', async () => {
    const submitted = await clusterctl(['submit', haJob, '-p', 'items=600', '-p', 'ms=100'], { addr: dev.addr });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = submitted.stdout.trim();
    await eventually(async () => {
      const [r] = await clusterctlJson<Array<{ steps: Array<{ succeeded: number }> }>>(['status', '--limit', '1'], dev.addr);
      return (r?.steps[1]?.succeeded ?? 0) >= 20;
    }, 60_000, 'tasks to be done');
    process.kill(dev.daemon.pid, 'SIGSTOP');
    try {
      await new Promise((resolve) => setTimeout(resolve, 10_000)); // twice the agent TTL
    } finally {
      process.kill(dev.daemon.pid, 'SIGCONT');
    }
    const run = await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', runId, '--tasks', 'all'], dev.addr);
      return r.state !== 'running' ? r : undefined;
    }, 120_000, 'the run to end');
    expect(run.state).toBe('succeeded');
    expect(dev.daemon.output).toMatch(/the scheduler was paused/);
    expect(dev.daemon.output).not.toMatch(/agent lost/);
    // No task was re-run as lost with its agent.
    expect(run.steps.flatMap((s) => s.tasks).filter((t) => t.attempts.some((a) => a.outcome === 'lost'))).toEqual([]);
  }, 180_000);
});

describe('an agent stream broken while assignments are in flight', () => {
  let store: TempDir;
  let scheduler: Daemon;
  let agent: Daemon;
  let proxy: TcpProxy;
  let addr: string;
  beforeAll(async () => {
    store = await tempDir('clusterd-broken-stream');
    addr = `127.0.0.1:${await freePort()}`;
    // A long agent TTL: nothing but the reconnect can bring the lost assignments back soon.
    scheduler = startDaemon(['scheduler', '--listen', addr, '--state', `${store.path}/state.log`, '--store', `${store.path}/chunks`, '--agent-ttl', '120s']);
    await scheduler.waitFor(/scheduler listening/);
    proxy = await startTcpProxy('127.0.0.1', Number(addr.split(':')[1]));
    agent = await startAgent(proxy.addr, 'behind-proxy');
  });
  afterAll(async () => {
    await agent?.stop();
    await proxy?.close();
    await scheduler?.stop();
    await store?.remove();
  });

  it('queues again at once what the agent never received, instead of leaving it running', async () => {
    proxy.pause(); // what the scheduler sends from now on is held on the way
    const submitted = await clusterctl(['submit', haJob, '-p', 'items=50', '-p', 'ms=0'], { addr });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = submitted.stdout.trim();
    await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', runId], addr);
      return r.steps[0]!.tasks[0]!.state === 'running';
    }, 30_000, 'the first task to be sent to the agent');
    proxy.cut(); // the assignment is dropped with the stream
    proxy.resume();
    const run = await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', runId], addr);
      return r.state !== 'running' ? r : undefined;
    }, 60_000, 'the run to end');
    expect(run.state).toBe('succeeded');
    expect(scheduler.output).toMatch(/tasks the agent did not have when it reconnected queued again/);
  }, 120_000);
});
