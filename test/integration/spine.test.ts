// The spine end to end through clusterctl: real processes, real gRPC on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterctl, clusterctlJson, eventually, freePort, startDaemon, startDev, type Daemon, type DevCluster,
} from '../support/cli-cluster.js';
import { gate } from '../support/gate.js';

interface TaskJson { task_id: string; index: number; state: string; attempt: number; agent_id: string; error: { code: string; message: string } | null }
interface RunJson { run_id: string; state: string; steps: Array<{ name: string; state: string; tasks: TaskJson[] }>; error: { message: string } | null }

const jobs = 'test/fixtures/jobs';

describe('clusterctl dev cluster', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(2, ['--agent-ttl', '1s']);
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it('runs the hello example: each step gets the previous result', async () => {
    const res = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait', '-o', 'json'], { addr: dev.addr });
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout) as RunJson;
    expect(run.state).toBe('succeeded');
    expect(run.steps.map((s) => [s.name, s.state])).toEqual([['start', 'succeeded'], ['shout', 'succeeded'], ['finish', 'succeeded']]);

    const result = await clusterctlJson<{ result: { message: string } }>(['result', run.run_id, 'finish'], dev.addr);
    expect(result.result.message).toBe('HELLO HELLO HELLO');

    const logs = await clusterctl(['logs', run.run_id], { addr: dev.addr });
    expect(logs.stdout).toContain('[start/0] starting with params {"greeting":"hello","repeat":3}');
    expect(logs.stdout).toContain('[shout/0] shouting 3 words');

    const listed = await clusterctlJson<RunJson[]>(['status'], dev.addr);
    expect(listed.map((r) => r.run_id)).toContain(run.run_id);
  });

  it('applies -p overrides with the type of the file value', async () => {
    const res = await clusterctl(['submit', 'examples/hello/job.yaml', '-p', 'repeat=2', '-p', 'greeting=hi', '--wait', '-o', 'json'], { addr: dev.addr });
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout) as RunJson;
    const result = await clusterctlJson<{ result: { message: string } }>(['result', run.run_id, 'finish'], dev.addr);
    expect(result.result.message).toBe('HI HI');
  });

  it('fails a crashing, throwing, spinning or memory-hungry task alone and keeps the agents up', async () => {
    const res = await clusterctl(['submit', `${jobs}/misbehave.yaml`, '--wait', '-o', 'json'], { addr: dev.addr, timeoutMs: 90_000 });
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout) as RunJson;
    const modes = run.steps.find((s) => s.name === 'modes')!.tasks;
    expect(modes.map((t) => t.state)).toEqual(['succeeded', 'failed', 'failed', 'failed', 'failed']);
    expect(modes.slice(1).map((t) => t.error?.code)).toEqual(['TASK_FAILED', 'WORKER_EXITED', 'TIMEOUT', 'OUT_OF_MEMORY']);
    expect(modes[2]!.error!.message).toContain('exited with code 3');
    expect(modes[4]!.error!.message).toMatch(/out of memory \(limit 64 MiB\)/);

    const joined = await clusterctlJson<{ result: Array<unknown> }>(['result', run.run_id, 'gather'], dev.addr);
    expect(joined.result[0]).toBe('ok');
    expect(joined.result[1]).toMatchObject({ error: { code: 'TASK_FAILED', message: 'boom from the task' }, attempts: 1 });

    const agents = await clusterctlJson<Array<{ agent_id: string; state: string }>>(['agents'], dev.addr);
    expect(agents.map((a) => a.state)).toEqual(['ready', 'ready']);
    const after = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { addr: dev.addr });
    expect(after.code, after.stderr).toBe(0);
  });

  it('re-queues the task of a SIGKILLed agent as lost and finishes it on another agent', async () => {
    // The task sleeps until the agent is dead, however long getting there takes; the re-run then ends at once.
    const sleep = gate();
    const submitted = await clusterctl(['submit', `${jobs}/slow.yaml`, '-p', 'ms=120000', '-p', `gate=${sleep.path}`], { addr: dev.addr });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = submitted.stdout.trim();
    const running = await eventually(async () => {
      const run = await clusterctlJson<RunJson>(['status', runId], dev.addr);
      const task = run.steps[0]!.tasks[0];
      return task?.state === 'running' ? task : undefined;
    }, 20_000, 'the task to run');
    const victim = Number(running.agent_id.replace('dev-agent-', '')) - 1;
    process.kill(dev.agentPids[victim]!, 'SIGKILL');
    sleep.open();

    const done = await eventually(async () => {
      const run = await clusterctlJson<RunJson>(['status', runId], dev.addr);
      return run.state !== 'running' ? run : undefined;
    }, 30_000, 'the run to end');
    expect(done.state).toBe('succeeded');
    const task = done.steps[0]!.tasks[0]!;
    expect(task.agent_id).not.toBe(running.agent_id);
    expect(task.attempt).toBe(2);
    const agents = await clusterctlJson<Array<{ agent_id: string }>>(['agents'], dev.addr);
    expect(agents.map((a) => a.agent_id)).toEqual([`dev-agent-${2 - victim}`]);
    sleep.remove();
  });
});

describe('bad input', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(1);
  });
  afterAll(async () => {
    await dev?.stop();
  });

  it.each([
    ['bad-yaml.yaml', /bad-yaml\.yaml:\d+:\d+: YAML error/],
    ['unknown-field.yaml', /unknown-field\.yaml: steps\.start: unknown field "retries"/],
    ['missing-module.yaml', /missing-module\.yaml: steps\.start\.run\.module: "\.\/nowhere\.mjs" not found/],
    ['missing-export.yaml', /missing-export\.yaml: steps\.start\.run\.export: "slepy" is not exported by \.\/tasks\.mjs \(it exports .*sleepy/],
    ['outside-module.yaml', /outside-module\.yaml: steps\.start\.run\.module: "\.\.\/store\/outputs\.mjs" is outside the job's folder/],
    ['cycle.yaml', /cycle\.yaml: steps\.a\.next: the steps "a", "b" form a cycle/],
    ['bad-memory.yaml', /bad-memory\.yaml: steps\.start\.resources\.memory: "lots" is not a size/],
  ])('refuses %s with exit 2, the file and the field, and submits nothing', async (file, message) => {
    const res = await clusterctl(['submit', `${jobs}/${file}`], { addr: dev.addr });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(message);
    expect(res.stdout).toBe('');
    const runs = await clusterctlJson<RunJson[]>(['status'], dev.addr);
    expect(runs).toEqual([]);
  });

  it('answers an unknown run with exit 1 and a clear message', async () => {
    const res = await clusterctl(['status', 'no-such-run'], { addr: dev.addr });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('no run "no-such-run"');
  });

  it('exits 3 when the cluster cannot be reached', async () => {
    const port = await freePort();
    const res = await clusterctl(['agents'], { addr: `127.0.0.1:${port}` });
    expect(res.code).toBe(3);
    expect(res.stderr).toContain(`no cluster at 127.0.0.1:${port}: start one with`);
  });

  it('exits 2 on bad usage', async () => {
    const res = await clusterctl(['submit'], { addr: dev.addr });
    expect(res.code).toBe(2);
  });
});

describe('scheduler restart', () => {
  const daemons: Daemon[] = [];
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
  });

  it('agents reconnect to a restarted scheduler and take work again', async () => {
    const port = await freePort();
    const addr = `127.0.0.1:${port}`;
    const first = startDaemon(['scheduler', '--listen', addr, '--agent-ttl', '2s']);
    daemons.push(first);
    await first.waitFor(/scheduler listening/);
    const agent = startDaemon(['agent', '--scheduler', addr, '--id', 'restart-agent', '--cpu', '2', '--memory', '2Gi']);
    daemons.push(agent);
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 20_000, 'the agent to register');

    await first.stop();
    expect(await first.exited).toBe(0);
    const second = startDaemon(['scheduler', '--listen', addr, '--agent-ttl', '2s']);
    daemons.push(second);
    await second.waitFor(/scheduler listening/);
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 1, 20_000, 'the agent to reconnect');

    const res = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { addr });
    expect(res.code, res.stderr).toBe(0);
    expect(agent.child.exitCode).toBeNull();
  });
});

describe('missed heartbeats', () => {
  let dev: DevCluster;
  beforeAll(async () => {
    dev = await startDev(2, ['--agent-ttl', '1s']);
  });
  afterAll(async () => {
    for (const pid of dev?.agentPids ?? []) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // gone
      }
    }
    await dev?.stop();
  });

  it('re-queues the tasks of a frozen agent; when it thaws it rejoins and its late result is ignored', async () => {
    const sleep = gate();
    const submitted = await clusterctl(['submit', `${jobs}/slow.yaml`, '-p', 'ms=120000', '-p', `gate=${sleep.path}`], { addr: dev.addr });
    const runId = submitted.stdout.trim();
    const running = await eventually(async () => {
      const task = (await clusterctlJson<RunJson>(['status', runId], dev.addr)).steps[0]!.tasks[0];
      return task?.state === 'running' ? task : undefined;
    }, 20_000, 'the task to run');
    const frozen = dev.agentPids[Number(running.agent_id.replace('dev-agent-', '')) - 1]!;
    process.kill(frozen, 'SIGSTOP');
    sleep.open();

    const done = await eventually(async () => {
      const run = await clusterctlJson<RunJson>(['status', runId], dev.addr);
      return run.state !== 'running' ? run : undefined;
    }, 30_000, 'the run to end');
    expect(done.state).toBe('succeeded');
    expect(done.steps[0]!.tasks[0]!.agent_id).not.toBe(running.agent_id);

    process.kill(frozen, 'SIGCONT');
    await eventually(async () => {
      const agents = await clusterctlJson<Array<{ agent_id: string; running_tasks: number }>>(['agents'], dev.addr);
      return agents.length === 2 && agents.every((a) => a.running_tasks === 0);
    }, 20_000, 'the thawed agent to rejoin idle');
    const result = await clusterctlJson<{ result: { attempt: number } }>(['result', runId, 'start'], dev.addr);
    expect(result.result.attempt).toBe(2);
    const after = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { addr: dev.addr });
    expect(after.code, after.stderr).toBe(0);
    sleep.remove();
  });
});
