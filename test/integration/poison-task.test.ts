// A thread task that kills its agent (it shares the agent's process) fails as LOST_AGENTS on its
// third lost attempt, through the CLI, with real processes: the test restarts the agent each
// time, as a supervisor would, and the fourth instance is left alone.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTimeOf } from '../../core/proc.js';
import { clusterctl, clusterctlJson, eventually, freePort, repoRoot, startAgent, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { tempDir } from '../support/temp.js';

interface StatusJson {
  state: string;
  error?: { code: string; message: string };
  steps: Array<{ tasks: Array<{ state: string; attempts: Array<{ agent_id: string; error?: { code: string } }> }> }>;
}

describe('a task that kills its agent', () => {
  const daemons: Daemon[] = [];
  afterEach(async () => {
    for (const d of daemons.splice(0).reverse()) await d.stop();
  });

  it('fails as LOST_AGENTS after taking down its agent 3 times, and the next agent is left alone', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    const scheduler = startDaemon(['scheduler', '--listen', addr]);
    daemons.push(scheduler);
    await scheduler.waitFor(/"to":"leader"/);
    let agent = await startAgent(addr, 'a');
    daemons.push(agent);
    const submitted = await clusterctl(['submit', 'test/fixtures/jobs/poison.yaml', '-o', 'json'], { addr });
    expect(submitted.code, submitted.stderr).toBe(0);
    const runId = (JSON.parse(submitted.stdout) as { run_id: string }).run_id;
    for (let kill = 1; kill <= 3; kill++) {
      expect(await agent.exited, `the agent's exit on attempt ${kill}`).toBe(null); // SIGKILL: no exit code
      // Restarted with the same id (a new instance): the scheduler sees the old one is gone.
      agent = startDaemon(['agent', '--scheduler', addr, '--id', 'a', '--cpu', '2', '--memory', '2Gi']);
      daemons.push(agent);
    }
    await eventually(async () => (await clusterctlJson<StatusJson>(['status', runId], addr)).state === 'failed', 60_000, 'the run to fail');
    const status = await clusterctlJson<StatusJson>(['status', runId], addr);
    expect(status.error).toMatchObject({ code: 'LOST_AGENTS', message: expect.stringMatching(/its agent was lost on 3 attempts \(agents a\)/) });
    const [task] = status.steps[0]!.tasks;
    expect(task!.attempts.map((x) => x.error?.code)).toEqual(['LOST', 'LOST', 'LOST_AGENTS']);
    // The fourth instance is up and runs other work.
    const hello = await clusterctl(['submit', 'examples/hello/job.yaml', '--wait'], { addr, timeoutMs: 60_000 });
    expect(hello.code, hello.stderr).toBe(0);
    expect(agent.child.exitCode).toBe(null);
  }, 180_000);

  it('leaves no process a thread task started running once its SIGKILLed agent starts again on the same data folder', async () => {
    const tmp = await tempDir('poison-children');
    const pidsFile = path.join(tmp.path, 'pids.json');
    let pids: number[] = [];
    const alive = () => pids.filter((pid) => startTimeOf(pid) !== undefined);
    try {
      const addr = `127.0.0.1:${await freePort()}`;
      const scheduler = startDaemon(['scheduler', '--listen', addr]);
      daemons.push(scheduler);
      await scheduler.waitFor(/"to":"leader"/);
      const agentArgs = ['agent', '--scheduler', addr, '--id', 'a', '--cpu', '2', '--memory', '2Gi', '--data', path.join(tmp.path, 'agent')];
      const agent = startDaemon(agentArgs);
      daemons.push(agent);
      const job = path.join(tmp.path, 'job.yaml');
      writeFileSync(path.join(tmp.path, 'tasks.mjs'), readFileSync(path.join(repoRoot, 'test/fixtures/jobs/tasks.mjs')));
      writeFileSync(job, "name: orphans\nparams: { pidsFile: '' }\nsteps:\n  start:\n    run: { module: ./tasks.mjs, export: spawnThenKillAgent }\n");
      const submitted = await clusterctl(['submit', job, '-p', `pidsFile=${pidsFile}`, '-o', 'json'], { addr });
      expect(submitted.code, submitted.stderr).toBe(0);
      expect(await agent.exited).toBe(null); // SIGKILLed by its task
      pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
      expect(alive()).toEqual(pids); // nothing was left to stop them
      const restarted = startDaemon(agentArgs);
      daemons.push(restarted);
      await eventually(async () => alive().length === 0, 20_000, `processes ${pids.join(', ')} to be killed by the restarted agent`);
      // The task then runs again on the new agent and finds its pids written: the run succeeds.
      const runId = (JSON.parse(submitted.stdout) as { run_id: string }).run_id;
      await eventually(async () => (await clusterctlJson<StatusJson>(['status', runId], addr)).state === 'succeeded', 60_000, 'the run to succeed');
    } finally {
      for (const pid of alive()) process.kill(pid, 'SIGKILL'); // by pid, should the test fail
      await tmp.remove();
    }
  }, 120_000);
});
