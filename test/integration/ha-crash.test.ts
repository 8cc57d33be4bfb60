// The crash test: etcd, 3 scheduler replicas and 2 agents as real processes (clusterctl up).
// Leaders are SIGKILLed while 2,000 tasks run, an agent is SIGKILLed mid-task, and a leader is
// frozen past its lease and thawed; nothing may be lost, doubled or failed by any of it. etcd's
// own history is the witness: every write that reached it is replayed and checked.
import { mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { liveProcesses } from '../../client/local-cluster.js';
import { clusterctl, clusterctlJson, eventually, freePort } from '../support/cli-cluster.js';
import { HaCluster } from '../support/ha-cluster.js';
import { requireProgram } from '../support/processes.js';

const job = 'test/fixtures/ha/job.yaml';

describe.skipIf(requireProgram('etcd') === undefined)('failover with nothing lost or doubled', () => {
  const cluster = HaCluster.forSuite('clusterd-ha');

  const submit = (items: number, ms: number) => cluster.submit(job, { items, ms });
  const expectEveryTaskRecordedOnce = async (runIds: string[]) => expect(await cluster.recordProblems(runIds)).toEqual([]);
  /**
   * A run whose items note each time they run (the fixture's `marks`): with every agent alive,
   * a leader change or an etcd outage must not run any item twice: what agents ran or finished
   * meanwhile is adopted or recorded when they register with the next leader.
   */
  const submitMarked = async (items: number, ms: number) => {
    const marks = mkdtempSync(path.join(cluster.dir, 'marks-'));
    const runId = await cluster.submit(job, { items, ms, marks });
    const ranTwice = () => {
      const counts = new Map<string, number>();
      for (const item of readFileSync(path.join(marks, 'runs'), 'utf8').split('\n').filter(Boolean)) counts.set(item, (counts.get(item) ?? 0) + 1);
      expect(counts.size).toBe(items);
      return [...counts].filter(([, n]) => n > 1).map(([item]) => item);
    };
    return { runId, ranTwice };
  };

  it('SIGKILL of two leaders in turn while 2,000 tasks run: every run completes, every result once', async () => {
    const runIds: string[] = [];
    const marked: Array<Awaited<ReturnType<typeof submitMarked>>> = [];
    // 2,100 tasks of 50 ms on 4 worker threads: about 30 s of work, so both kills land mid-way.
    for (let i = 0; i < 5; i++) {
      marked.push(await submitMarked(400, 50));
      runIds.push(marked[i]!.runId);
    }
    await eventually(async () => (await cluster.doneTasks(runIds)) >= 200, 60_000, 'tasks to be done');

    const first = (await cluster.leader())!;
    process.kill(first.pid, 'SIGKILL');
    const killedAt = Date.now();
    // A run submitted while there is no leader is answered once there is one.
    runIds.push(await submit(100, 50));
    const second = await cluster.leaderOtherThan(first.pid);
    const before = await cluster.doneTasks(runIds);
    await eventually(async () => (await cluster.doneTasks(runIds)) > before + 50, 60_000, 'the new leader to place tasks');
    console.log(`first failover: ${Date.now() - killedAt} ms until the new leader had run 50 more tasks`);

    process.kill(second.pid, 'SIGKILL');
    await cluster.leaderOtherThan(first.pid, second.pid);
    const runs = await cluster.allFinished(runIds);
    expect(runs.map((r) => r.state)).toEqual(runIds.map(() => 'succeeded'));
    expect(runs.reduce((n, r) => n + r.steps[1]!.tasks.length, 0)).toBe(2_100);
    for (const id of runIds) {
      const total = await clusterctlJson<{ result: unknown }>(['result', id, 'total'], cluster.addr);
      expect(total.result).toBe((await cluster.status(id)).steps[1]!.tasks.length);
    }
    await expectEveryTaskRecordedOnce(runIds);
    for (const m of marked) expect(m.ranTwice()).toEqual([]);
    // Tasks finished under a leader that was killed show where and when they ran.
    const earliest = await cluster.status(runIds[0]!);
    expect(earliest.steps[1]!.tasks.filter((t) => !t.agent_id || !(Number(t.started_at_ms) > 0) || !(Number(t.finished_at_ms) > 0))).toEqual([]);
    await cluster.up(); // bring the killed replicas back for the next tests
  }, 240_000);

  it('SIGKILL of an agent mid-task: its tasks finish on the other agent', async () => {
    const runId = await submit(40, 400);
    await eventually(async () => (await cluster.status(runId)).steps[1]?.tasks.some((t) => t.state === 'running' && t.agent_id === 'agent-1'), 30_000, 'agent-1 to run tasks');
    process.kill(cluster.processNamed('agent-1').pid, 'SIGKILL');
    const [run] = await cluster.allFinished([runId]);
    expect(run!.state).toBe('succeeded');
    const work = run!.steps[1]!.tasks;
    expect(work.filter((t) => t.attempt > 1).length).toBeGreaterThan(0);
    expect(work.filter((t) => t.attempt > 1).every((t) => t.agent_id === 'agent-2')).toBe(true);
    // A re-run task shows both attempts: lost with agent-1, then succeeded on agent-2.
    const rerun = work.find((t) => t.attempt > 1)!;
    expect(rerun.attempts.map((a) => [a.attempt, a.agent_id, a.outcome])).toEqual([[1, 'agent-1', 'lost'], [2, 'agent-2', 'succeeded']]);
    expect(rerun.attempts.every((a) => Number(a.started_at_ms) > 0 && Number(a.finished_at_ms) >= Number(a.started_at_ms))).toBe(true);
    await expectEveryTaskRecordedOnce([runId]);
    await cluster.up();
  }, 120_000);

  it('`submit --wait` follows its run across a leader SIGKILL and exits with the run\'s end', async () => {
    // The client's session breaks with the leader; it submits again with the run's request id on
    // the new leader, which is the same run, restored from etcd, not a second one.
    const waiting = clusterctl(['submit', job, '--wait', '-o', 'json', '-p', 'items=300', '-p', 'ms=50'], { addr: cluster.addr, timeoutMs: 120_000 });
    const latest = () => clusterctlJson<Array<{ run_id: string; state: string; steps: Array<{ succeeded: number }> }>>(['status', '--limit', '1'], cluster.addr);
    const running = await eventually(async () => {
      const [run] = await latest();
      return run?.state === 'running' && run.steps.some((s) => s.succeeded >= 20) ? run : undefined;
    }, 60_000, 'the waited-for run to be under way');
    const killed = (await cluster.leader())!;
    process.kill(killed.pid, 'SIGKILL');
    const res = await waiting;
    expect(res.code, res.stderr).toBe(0);
    const end = JSON.parse(res.stdout) as { run_id: string; state: string; steps: Array<{ tasks: unknown[] }> };
    expect(end.run_id).toBe(running.run_id);
    expect(end.state).toBe('succeeded');
    expect(end.steps[1]!.tasks).toHaveLength(300);
    expect((await latest())[0]!.run_id).toBe(running.run_id); // no second run
    await expectEveryTaskRecordedOnce([end.run_id]);
    await cluster.up();
  }, 180_000);

  it('a drain holds across a leader SIGKILL until it is undone', async () => {
    const agentsOf = (run: { steps: Array<{ tasks: Array<{ agent_id: string }> }> }) => new Set(run.steps.flatMap((st) => st.tasks.map((t) => t.agent_id)));
    const stateOf = async (id: string) => (await clusterctlJson<Array<{ agent_id: string; state: string }>>(['agents'], cluster.addr)).find((a) => a.agent_id === id)?.state;
    const drained = await clusterctl(['drain', 'agent-1'], { addr: cluster.addr });
    expect(drained.stdout, drained.stderr).toBe('agent-1 draining\n');
    const killed = (await cluster.leader())!;
    process.kill(killed.pid, 'SIGKILL');
    await cluster.leaderOtherThan(killed.pid);
    // The new leader read the drain from etcd: agent-1 comes back to it draining.
    await eventually(async () => (await stateOf('agent-1')) === 'draining' && (await stateOf('agent-2')) === 'ready', 30_000, 'both agents back, agent-1 draining');
    const [whileDrained] = await cluster.allFinished([await submit(40, 20)]);
    expect(whileDrained!.state).toBe('succeeded');
    expect(agentsOf(whileDrained!)).toEqual(new Set(['agent-2']));

    const undone = await clusterctl(['drain', '--undo', 'agent-1'], { addr: cluster.addr });
    expect(undone.stdout, undone.stderr).toBe('agent-1 ready\n');
    const [after] = await cluster.allFinished([await submit(40, 20)]);
    expect(agentsOf(after!)).toContain('agent-1');
    await cluster.up();
  }, 120_000);

  it('a leader frozen past its lease is replaced; thawed, it steps down without writing', async () => {
    const spanning = await submit(1_000, 20);
    await eventually(async () => (await cluster.doneTasks([spanning])) >= 50, 60_000, 'tasks to be done');
    const frozen = (await cluster.leader())!;
    process.kill(frozen.pid, 'SIGSTOP');
    let during: string;
    try {
      await cluster.leaderOtherThan(frozen.pid);
      // `servers` lists the frozen replica as not answering instead of waiting on it.
      expect((await cluster.servers()).find((s) => s.addr === frozen.addr)?.reachable).toBe(false);
      // The new leader takes submits and runs them while the old one is still frozen.
      during = await submit(50, 5);
      const [run] = await cluster.allFinished([during]);
      expect(run!.state).toBe('succeeded');
    } finally {
      process.kill(frozen.pid, 'SIGCONT');
    }
    await eventually(async () => {
      const servers = await cluster.servers();
      const self = servers.find((s) => s.addr === frozen.addr);
      return self?.reachable && !self.leader;
    }, 20_000, 'the thawed replica to follow');
    const runs = await cluster.allFinished([spanning, during]);
    expect(runs.map((r) => r.state)).toEqual(['succeeded', 'succeeded']);
    await expectEveryTaskRecordedOnce([spanning, during]);
    expect(liveProcesses(cluster.manifest).map((p) => p.name).sort()).toEqual(cluster.manifest.processes.map((p) => p.name).sort());
  }, 180_000);

  it('etcd frozen while a run goes on: scheduling stops, then resumes when etcd answers again; nothing runs twice', async () => {
    const { runId, ranTwice } = await submitMarked(600, 20);
    await eventually(async () => (await cluster.doneTasks([runId])) >= 50, 60_000, 'tasks to be done');
    const etcdPid = cluster.processNamed('etcd').pid;
    process.kill(etcdPid, 'SIGSTOP');
    try {
      // Once the lease runs out no replica can lead, so nothing is placed or recorded.
      await eventually(async () => (await cluster.leader().catch(() => undefined)) === undefined, 30_000, 'every replica to stop leading');
    } finally {
      process.kill(etcdPid, 'SIGCONT');
    }
    const [run] = await cluster.allFinished([runId]);
    expect(run!.state).toBe('succeeded');
    await expectEveryTaskRecordedOnce([runId]);
    expect(ranTwice()).toEqual([]);
  }, 180_000);

  it('etcd SIGKILLed and restarted on its data while a run goes on: the run completes, every result once, nothing runs twice', async () => {
    const { runId, ranTwice } = await submitMarked(600, 20);
    await eventually(async () => (await cluster.doneTasks([runId])) >= 50, 60_000, 'tasks to be done');
    process.kill(cluster.processNamed('etcd').pid, 'SIGKILL');
    await cluster.exited(cluster.processNamed('etcd'), 10_000);
    await eventually(async () => (await cluster.leader().catch(() => undefined)) === undefined, 30_000, 'every replica to stop leading');
    await cluster.up(); // etcd again, on the same port and data directory
    const [run] = await cluster.allFinished([runId]);
    expect(run!.state).toBe('succeeded');
    await expectEveryTaskRecordedOnce([runId]);
    expect(ranTwice()).toEqual([]);
  }, 180_000);
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
