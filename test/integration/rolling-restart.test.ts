// The rolling restart: etcd, 3 scheduler replicas and 2 agents as real processes (clusterctl
// up). While one sweep runs, every scheduler replica (the followers, then the leader) and then
// every agent is stopped with SIGTERM, waited for, and started again with `clusterctl up`, one at
// a time, as an operator upgrading the cluster would. The sweep must complete with every task
// recorded as succeeded exactly once (etcd's own history is the witness) and no attempt failed.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ClusterProcess } from '../../client/local-cluster.js';
import { clusterctlJson, eventually } from '../support/cli-cluster.js';
import { HaCluster } from '../support/ha-cluster.js';
import { requireProgram } from '../support/processes.js';

interface AgentJson { agent_id: string; state: string; running_tasks: number }

const job = 'test/fixtures/ha/job.yaml';

describe.skipIf(requireProgram('etcd') === undefined)('rolling restart while a sweep runs', () => {
  const cluster = HaCluster.forSuite('clusterd-rolling');

  /** SIGTERM, then waits for the process to exit on its own; when the signal was sent. */
  const terminate = async (p: ClusterProcess) => {
    const sentAt = Date.now();
    process.kill(p.pid, 'SIGTERM');
    await cluster.exited(p, 20_000);
    return sentAt;
  };

  /** `clusterctl up` starts the stopped process again (same ports); the time until it is back. */
  const restart = async (p: ClusterProcess, back: (fresh: ClusterProcess) => Promise<unknown>) => {
    const startedAt = Date.now();
    await cluster.up();
    const fresh = cluster.processNamed(p.name);
    expect(fresh.pid).not.toBe(p.pid);
    await eventually(() => back(fresh), 30_000, `${p.name} to be back`);
    return Date.now() - startedAt;
  };

  const replicaBack = async (fresh: ClusterProcess) => (await cluster.servers()).some((s) => s.addr === fresh.addr && s.reachable);
  const agentBack = async (fresh: ClusterProcess) => {
    const agents = await clusterctlJson<AgentJson[]>(['agents'], cluster.addr);
    // Registered again and given work: the sweep's queue is long, so a back agent gets tasks.
    return agents.some((a) => a.agent_id === fresh.name && a.state === 'ready' && a.running_tasks > 0);
  };

  it('SIGTERM and up, one process at a time: the sweep completes, every result recorded once, no attempt failed', async () => {
    const started = Date.now();
    const steps: string[] = [];
    // 10,000 tasks of 100 ms on 4 worker threads: over 4 minutes of work, so the sweep runs
    // through the whole sequence on any machine; then the gate opens and the rest finish at once.
    const gate = path.join(cluster.dir, 'gate');
    const runId = await cluster.submit(job, { items: 10_000, ms: 100, gate });
    await eventually(async () => (await cluster.doneTasks([runId])) >= 50, 60_000, 'tasks to be done');

    const leader = (await cluster.leader())!;
    const replicas = cluster.manifest.processes.filter((p) => p.role === 'scheduler');
    const order = [...replicas.filter((p) => p.pid !== leader.pid), leader];
    for (const replica of order) {
      const wasLeader = replica.pid === leader.pid;
      const before = await cluster.doneTasks([runId]);
      const sentAt = await terminate(replica);
      const exitMs = Date.now() - sentAt;
      // A leader resigns as it stops: a follower takes over at once, not after the lease TTL.
      const handover = wasLeader ? `, a new leader ${await cluster.leaderOtherThan(replica.pid).then(() => Date.now() - sentAt)} ms after SIGTERM` : '';
      const backMs = await restart(replica, replicaBack);
      // The sweep goes on: under the same leader, or the one that took over from the old leader.
      await eventually(async () => (await cluster.doneTasks([runId])) > before + 20, 30_000, 'tasks to be done after the restart');
      steps.push(`${replica.name}${wasLeader ? ' (leader)' : ''}: exited ${exitMs} ms after SIGTERM${handover}, back ${backMs} ms after up`);
    }
    const newLeader = (await cluster.leader())!;
    expect(newLeader.name).not.toBe(leader.name);

    for (const agent of cluster.manifest.processes.filter((p) => p.role === 'agent')) {
      const sentAt = await terminate(agent);
      const exitMs = Date.now() - sentAt;
      // Its running 100 ms tasks finished and were acknowledged: far inside the drain deadline.
      expect(exitMs).toBeLessThan(10_000);
      const backMs = await restart(agent, agentBack);
      steps.push(`${agent.name}: exited ${exitMs} ms after SIGTERM, back and running tasks ${backMs} ms after up`);
    }
    const sequenceMs = Date.now() - started;
    // Otherwise the restarts did not happen while the sweep ran and the test proves nothing.
    expect((await cluster.status(runId)).state).toBe('running');
    writeFileSync(gate, '');

    const [run] = await cluster.allFinished([runId], 240_000);
    // Every attempt that did not succeed; asserted below to be tasks the stopping agents gave back.
    const givenBack = (await cluster.recordProblems([runId], () => false)).length;
    console.log(`rolling restart: ${steps.join('; ')}; sequence ${sequenceMs} ms, sweep done ${Date.now() - started} ms after submit; ${givenBack} tasks given back`);
    expect(run!.state).toBe('succeeded');
    expect(run!.steps[1]!.tasks.length).toBe(10_000);
    expect(run!.steps.every((s) => s.tasks.every((t) => t.state === 'succeeded'))).toBe(true);
    const total = await clusterctlJson<{ result: unknown }>(['result', runId, 'total'], cluster.addr);
    expect(total.result).toBe(10_000);
    // Nothing lost with an agent, nothing failed: the only attempts that did not succeed are the
    // ones a stopping agent gave back before they started (or at its drain deadline).
    expect(await cluster.recordProblems([runId], (a) => a.error?.code === 'RETURNED')).toEqual([]);
  }, 480_000);
});
