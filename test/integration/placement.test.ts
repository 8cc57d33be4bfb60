// Placement through clusterctl: agents of different sizes, fair share between projects, no
// starvation of big tasks, GPU tasks on GPU agents, and why a task waits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, freePort, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { gate } from '../support/gate.js';

interface TaskJson { state: string; agent_id: string; waiting: string; started_at_ms: number }
interface RunJson { run_id: string; state: string; steps: Array<{ name: string; tasks: TaskJson[] }> }

const jobs = 'test/fixtures/jobs';

describe('placement through clusterctl', () => {
  const daemons: Daemon[] = [];
  let addr: string;
  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    const scheduler = startDaemon(['scheduler', '--listen', addr]);
    daemons.push(scheduler);
    await scheduler.waitFor(/scheduler listening/);
    daemons.push(startDaemon(['agent', '--scheduler', addr, '--id', 'cpu-small', '--cpu', '2', '--memory', '4Gi', '--threads', '4']));
    daemons.push(startDaemon(['agent', '--scheduler', addr, '--id', 'gpu-big', '--cpu', '2', '--memory', '8Gi', '--gpus', '2', '--threads', '4']));
    await eventually(async () => (await clusterctlJson<unknown[]>(['agents'], addr)).length === 2, 20_000, 'both agents');
  });
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
  });

  const submit = async (file: string, ...params: string[]) => {
    const res = await clusterctl(['submit', `${jobs}/${file}`, ...params.flatMap((p) => ['-p', p])], { addr });
    expect(res.code, res.stderr).toBe(0);
    return res.stdout.trim();
  };
  const status = (runId: string) => clusterctlJson<RunJson>(['status', runId], addr);
  const ended = (runId: string) => eventually(async () => {
    const run = await status(runId);
    return run.state !== 'running' ? run : undefined;
  }, 60_000, `run ${runId} to end`);

  it('starts a second project\'s small job while a big sweep of the first is queued, and says why the sweep waits', async () => {
    // 200 tasks of 3 s on 8 half-CPU slots: 75 s of work, so the sweep is still queued when
    // the small job ends however slow the machine; it is cancelled after.
    const sweep = await submit('place-long-sweep.yaml');
    const queued = await eventually(async () => {
      const run = await status(sweep);
      const waiting = run.steps[1]!.tasks.filter((t) => t.state === 'queued');
      return waiting.length > 0 && waiting.every((t) => t.waiting) ? waiting : undefined;
    }, 20_000, 'sweep tasks to queue');
    expect(queued[0]!.waiting).toMatch(/^queued: waiting for room \((the agents are busy: .* short now|\d+ ahead by priority and fair share)/);

    const small = await submit('place-small.yaml');
    const smallRun = await ended(small);
    expect(smallRun.state).toBe('succeeded');
    const sweepRun = await status(sweep);
    expect(sweepRun.state).toBe('running');
    expect(sweepRun.steps[1]!.tasks.filter((t) => t.state === 'queued').length).toBeGreaterThan(0);

    const cancelled = await clusterctl(['cancel', sweep], { addr });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect((await ended(sweep)).state).toBe('cancelled');
  }, 150_000);

  it('does not starve a big task behind a stream of small ones submitted after it', async () => {
    // Both agents busy with 0.5-CPU tasks; a 2-CPU task then needs a whole agent, and small
    // tasks queued after it could take every half CPU that frees up. An agent is held for it.
    const fillGate = gate();
    const fill = await submit('place-fill.yaml', 'ms=120000', `gate=${fillGate.path}`);
    await eventually(async () => (await status(fill)).steps[0]!.tasks.every((t) => t.state === 'running'), 30_000, 'the agents to fill');
    const big = await submit('place-big.yaml');
    const flood = await submit('place-sweep.yaml');
    fillGate.open();
    const bigRun = await ended(big);
    expect(bigRun.state).toBe('succeeded');
    const finished = await ended(flood);
    const lastFloodStart = Math.max(...finished.steps[0]!.tasks.map((t) => Number(t.started_at_ms)));
    expect(Number(bigRun.steps[0]!.tasks[0]!.started_at_ms)).toBeLessThan(lastFloodStart);
  }, 150_000);

  it('places GPU tasks on the GPU agent', async () => {
    const run = await ended(await submit('place-gpu.yaml'));
    expect(run.steps[0]!.tasks[0]!.agent_id).toBe('gpu-big');
  });

  it('places nothing new on a drained agent until the drain is undone', async () => {
    const agentsOf = (run: RunJson) => new Set(run.steps.flatMap((step) => step.tasks.map((t) => t.agent_id)));
    const shortSweep = async () => {
      const res = await clusterctl(['submit', `${jobs}/place-sweep.yaml`, '-p', 'ms=20'], { addr });
      expect(res.code, res.stderr).toBe(0);
      const run = await ended(res.stdout.trim());
      expect(run.state).toBe('succeeded');
      return run;
    };
    const drained = await clusterctl(['drain', 'cpu-small'], { addr });
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toBe('cpu-small draining\n');
    const agents = await clusterctlJson<Array<{ agent_id: string; state: string }>>(['agents'], addr);
    expect(agents.map((a) => [a.agent_id, a.state])).toEqual([['cpu-small', 'draining'], ['gpu-big', 'ready']]);
    expect(agentsOf(await shortSweep())).toEqual(new Set(['gpu-big']));

    const undone = await clusterctl(['drain', '--undo', 'cpu-small'], { addr });
    expect(undone.stdout).toBe('cpu-small ready\n');
    // 24 half-CPU tasks on two 2-CPU agents: the undrained agent takes its share again.
    expect(agentsOf(await shortSweep())).toContain('cpu-small');

    const unknown = await clusterctl(['drain', 'no-such-agent'], { addr });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no agent "no-such-agent" \(see clusterctl agents\)/);
  }, 150_000);
});
