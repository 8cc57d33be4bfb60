// Container tasks through clusterctl on a real Docker engine (a private dockerd on a temp socket),
// and the container executor held to the Executor contract on the same engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerExecutor } from '../../agent/executors/container-executor.js';
import { encodeValue } from '../../core/codec.js';
import { silentLogger } from '../../core/logger.js';
import { clusterctl, clusterctlJson, eventually, freePort, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { startDockerd, type Dockerd } from '../support/dockerd.js';
import { executorConformance, type ContractTask } from '../support/executor-conformance.js';

interface TaskJson { index: number; state: string; attempt: number; agent_id: string; error: { code: string; message: string } | null }
interface RunJson { run_id: string; state: string; steps: Array<{ name: string; tasks: TaskJson[] }> }

const fixtures = 'test/fixtures/containers';

describe('container tasks', () => {
  let dockerd: Dockerd;
  let addr: string;
  let agent: Daemon;
  const daemons: Daemon[] = [];
  const startAgent = (id: string) => {
    const agent = startDaemon(['agent', '--scheduler', addr, '--id', id, '--cpu', '2', '--memory', '2Gi', '--docker-host', dockerd.host, '--stop-grace', '1s']);
    daemons.push(agent);
    return agent;
  };
  const containersLeft = async () => (await dockerd.docker(['ps', '-aq', '--filter', 'label=io.clusterd.agent'])).stdout.trim();

  beforeAll(async () => {
    dockerd = await startDockerd();
    await dockerd.buildBusyboxImage('clusterd-test/busybox:1');
    addr = `127.0.0.1:${await freePort()}`;
    const scheduler = startDaemon(['scheduler', '--listen', addr, '--agent-ttl', '2s']);
    daemons.push(scheduler);
    await scheduler.waitFor(/scheduler listening/);
    agent = startAgent('docker-agent');
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 20_000, 'the agent');
  }, 180_000);

  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await dockerd?.stop();
  });

  it('advertises the container executor', async () => {
    const [agent] = await clusterctlJson<Array<{ executors: string[] }>>(['agents'], addr);
    expect(agent!.executors).toEqual(['thread', 'process', 'container']);
  });

  it('runs a container with its env and input, reads its result, fans out in a foreach and joins', async () => {
    const res = await clusterctl(['submit', `${fixtures}/roundtrip.yaml`, '--wait', '-o', 'json'], { addr, timeoutMs: 120_000 });
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout) as RunJson;
    expect((await clusterctlJson<{ result: unknown }>(['result', run.run_id, 'start'], addr)).result).toEqual({ greeting: 'hello from env' });
    expect((await clusterctlJson<{ result: unknown }>(['result', run.run_id, 'gather'], addr)).result).toMatchObject({
      input: [{ square: 1 }, { square: 4 }, { square: 9 }],
      params: { scale: 3 },
    });
    const logs = await clusterctl(['logs', run.run_id, 'start/0'], { addr });
    expect(logs.stdout).toContain('reading input');
    expect(logs.stdout).toContain('to stderr');
    expect(await containersLeft()).toBe('');
  });

  it('fails an out-of-memory, a timed-out and a failing container each alone, with what happened', async () => {
    const res = await clusterctl(['submit', `${fixtures}/failures.yaml`, '--wait', '-o', 'json'], { addr, timeoutMs: 120_000 });
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout) as RunJson;
    const errors = run.steps[0]!.tasks.map((t) => t.error);
    expect(errors[0]).toMatchObject({ code: 'OUT_OF_MEMORY', message: expect.stringContaining('out of memory (limit 32MiB)') });
    expect(errors[1]).toMatchObject({ code: 'TIMEOUT', message: expect.stringContaining('timed out after 8000 ms') });
    expect(errors[2]).toMatchObject({ code: 'TASK_FAILED', message: 'the container exited with code 7' });
    expect(await containersLeft()).toBe('');
  });

  it('fails a task whose image is missing with the image and the agent named, without hanging', async () => {
    const res = await clusterctl(['submit', `${fixtures}/missing-image.yaml`, '--wait', '-o', 'json'], { addr, timeoutMs: 180_000 });
    expect(res.code).toBe(1);
    const run = JSON.parse(res.stdout) as RunJson;
    expect(run.steps[0]!.tasks[0]!.error!.message).toMatch(/image clusterd-test\/not-here:1 is not present on agent docker-agent and could not be pulled/);
  });

  it('cancel stops and removes the container', async () => {
    const submitted = await clusterctl(['submit', `${fixtures}/slow.yaml`], { addr });
    const runId = submitted.stdout.trim();
    await eventually(async () => (await clusterctl(['logs', runId], { addr })).stdout.includes('begun'), 30_000, 'the container to start');
    const cancelled = await clusterctlJson<RunJson>(['cancel', runId], addr);
    expect(cancelled.state).toBe('cancelled');
    await eventually(async () => (await containersLeft()) === '', 20_000, 'the container to be removed');
  });

  it('after an agent restart, removes the orphan container and the task runs again', async () => {
    const submitted = await clusterctl(['submit', `${fixtures}/slow.yaml`], { addr });
    const runId = submitted.stdout.trim();
    await eventually(async () => (await clusterctl(['logs', runId], { addr })).stdout.includes('begun'), 30_000, 'the container to start');
    agent.kill('SIGKILL');
    await agent.exited;
    expect(await containersLeft()).not.toBe('');
    agent = startAgent('docker-agent');
    const run = await eventually(async () => {
      const r = await clusterctlJson<RunJson>(['status', runId], addr);
      return r.steps[0]!.tasks[0]!.attempt === 2 && r.steps[0]!.tasks[0]!.state === 'running' ? r : undefined;
    }, 30_000, 'the task to run again');
    expect(run.steps[0]!.tasks[0]!.agent_id).toBe('docker-agent');
    await clusterctl(['cancel', runId], { addr });
    await eventually(async () => (await containersLeft()) === '', 20_000, 'no container left');
  });

  describe('as an Executor', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'clusterd-contract-'));
    afterAll(async () => {
      // The contract's containers stay until released, as an agent's do until the scheduler has their outcome.
      const left = (await dockerd.docker(['ps', '-aq', '--filter', 'label=io.clusterd.agent=contract'])).stdout.trim().split('\n').filter(Boolean);
      if (left.length) await dockerd.docker(['rm', '-f', ...left]);
      rmSync(dataDir, { recursive: true, force: true });
    });
    const command = (what: ContractTask): string[] => {
      switch (what.op) {
        case 'answer': return ['sh', '-c', 'echo \'{"answer": 42}\' > /cluster/out/result.json'];
        case 'fail': return ['sh', '-c', 'exit 7'];
        case 'sleep': return ['sh', '-c', `echo sleeping; sleep ${Math.ceil(what.ms / 1000)}`];
        case 'broken': return ['/no/such/program'];
      }
    };
    executorConformance('container executor', {
      make: () => new ContainerExecutor({
        docker: new Docker({ socketPath: dockerd.host.replace(/^unix:\/\//, '') }), agentId: 'contract', dataDir, stopGraceMs: 1_000, pullTimeoutMs: 5_000, logger: silentLogger,
      }),
      task: (what) => ({ kind: 'container', container: { image: 'clusterd-test/busybox:1', command: command(what), env: {}, network: false }, item: encodeValue(null) }),
      otherKind: () => ({ kind: 'thread', moduleUrl: 'file:///nowhere.mjs', exportName: 'run', item: encodeValue(null) }),
    });
  });
});
