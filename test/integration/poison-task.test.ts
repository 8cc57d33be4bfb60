// A thread task that kills its agent (it shares the agent's process) fails as LOST_AGENTS on its
// third lost attempt, through the CLI, with real processes: the test restarts the agent each
// time, as a supervisor would, and the fourth instance is left alone.
import { afterEach, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, freePort, startAgent, startDaemon, type Daemon } from '../support/cli-cluster.js';

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
});
