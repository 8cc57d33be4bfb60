/**
 * Failover: from SIGKILL of the leader to the first task placed by the new leader, over several
 * kills, on a production-shaped cluster of real processes (etcd, 3 replicas, agents; the same
 * `clusterctl up` users run) with its default settings. Each kill happens while a long sweep
 * keeps every agent busy; the killed replica is started again before the next kill.
 *
 * "Placed by the new leader" is seen from outside: before the kill at most `inFlight` tasks can
 * be assigned (the agents' slots), so once more than `done + running + inFlight` tasks have
 * succeeded, one of them was placed after the kill. That errs late by at most one poll.
 */
import { ClusterClient } from '../client/client.js';
import type { ClusterManifest, UpOptions } from '../client/local-cluster.js';
import { sleep } from '../core/abortable.js';
import { newRequestId } from '../core/ids.js';
import { say } from './progress.js';
import { median, round } from './stats.js';
import { withUpCluster } from './started.js';
import { benchCodeDir } from './workload.js';

export interface FailoverOptions {
  kills: number;
  agents: number;
}

export interface FailoverResult {
  kills: number;
  leaseTtl: string;
  failoverMs: { p50: number; max: number; samples: number[] };
}

const leaseTtl = '2s';
const agentCpu = 2;
const taskCpu = 0.25;
const pollMs = 25;

export async function runFailover(opts: FailoverOptions): Promise<FailoverResult> {
  const up: Omit<UpOptions, 'dir'> = {
    agents: opts.agents, replicas: 3, host: '127.0.0.1', leaseTtl, agentTtl: '5s',
    agentArgs: ['--cpu', String(agentCpu), '--memory', '4Gi'], logLevel: 'warn', readyTimeoutMs: 60_000, insecure: true,
  };
  const inFlight = opts.agents * Math.floor(agentCpu / taskCpu);
  const samples: number[] = [];
  await withUpCluster('failover', up, async (first, again, dir) => {
    let cluster = first;
    say(`failover: etcd, 3 replicas and ${opts.agents} agent(s) in ${dir}; ${opts.kills} leader kill(s), lease TTL ${leaseTtl}`);
    for (let i = 0; i < opts.kills; i++) {
      samples.push(await oneFailover(cluster, inFlight));
      say(`  kill ${i + 1}: ${Math.round(samples.at(-1)!)} ms`);
      cluster = await again(); // the killed replica comes back as a follower
    }
  });
  return { kills: opts.kills, leaseTtl, failoverMs: { p50: round(median(samples), 0), max: round(Math.max(...samples), 0), samples: samples.map((s) => round(s, 0)) } };
}

async function oneFailover(cluster: ClusterManifest, inFlight: number): Promise<number> {
  const client = new ClusterClient([...cluster.schedulers]);
  try {
    const { run_id: runId } = await client.call('Submit', {
      job_json: JSON.stringify(busyJob()), params_json: '{}', code_dir: benchCodeDir, code_package: '', source: 'bench', request_id: newRequestId(),
    });
    // Let the sweep reach a steady state, then kill the leader right after a status snapshot.
    await sleep(1_000);
    const before = progress(await client.call('GetRun', { run_id: runId }));
    const leader = await leaderProcess(client, cluster);
    process.kill(leader.pid, 'SIGKILL');
    const killedAt = performance.now();
    const threshold = before.succeeded + before.running + inFlight;
    // A fresh client that does not wait out elections itself: this loop is the waiting.
    const poller = new ClusterClient(cluster.schedulers.filter((a) => a !== leader.addr), { deadlineMs: 1_000, electionWaitMs: 0 });
    try {
      for (;;) {
        const now = await poller.call('GetRun', { run_id: runId }).then(progress, () => undefined);
        if (now && now.succeeded > threshold) return performance.now() - killedAt;
        if (performance.now() - killedAt > 60_000) throw new Error('no task was placed within 60 s of killing the leader');
        await sleep(pollMs);
      }
    } finally {
      await poller.call('Cancel', { run_id: runId }).catch(() => undefined);
      poller.close();
    }
  } finally {
    client.close();
  }
}

/** A sweep long enough to span a failover: 20,000 tasks of 5 ms (25 s on 4 threads). */
function busyJob(): object {
  const resources = { cpu: taskCpu, memory: '32Mi' };
  return {
    name: 'bench-failover',
    params: { ms: 5 },
    steps: {
      start: { run: { module: './noop.js', export: 'items' }, resources, next: 'work' },
      work: { run: { module: './noop.js', export: 'pause' }, resources, foreach: { from: 'start.items' }, next: 'done' },
      done: { run: { module: './noop.js', export: 'count' }, resources, join: true },
    },
  };
}

function progress(run: { steps: Array<{ succeeded: number; running: number }> }): { succeeded: number; running: number } {
  return run.steps.reduce((acc, s) => ({ succeeded: acc.succeeded + s.succeeded, running: acc.running + s.running }), { succeeded: 0, running: 0 });
}

async function leaderProcess(client: ClusterClient, cluster: ClusterManifest) {
  const answers = await client.each('Servers', {});
  const leaderAddr = answers.flatMap((a) => a.reply?.servers ?? []).find((s) => s.leader)?.addr;
  const p = cluster.processes.find((x) => x.role === 'scheduler' && x.addr === leaderAddr);
  if (!p) throw new Error(`no replica of the cluster leads (answers: ${JSON.stringify(answers.map((a) => a.reply?.servers))})`);
  return p;
}
