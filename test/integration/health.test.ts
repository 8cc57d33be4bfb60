// /healthz and /readyz of the scheduler and the agent.
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freePort, startDaemon, type Daemon } from '../support/cli-cluster.js';

describe('health endpoints', () => {
  const daemons: Daemon[] = [];
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
  });
  const get = async (port: number, path: string) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('answer healthz at once, and readyz once the scheduler serves and the agent is registered', async () => {
    const [grpcPort, schedHealth, agentHealth] = [await freePort(), await freePort(), await freePort()];
    const addr = `127.0.0.1:${grpcPort}`;
    const agent = startDaemon(['agent', '--scheduler', addr, '--id', 'h1', '--cpu', '1', '--memory', '1Gi', '--health-listen', `127.0.0.1:${agentHealth}`]);
    daemons.push(agent);
    await eventually(async () => (await get(agentHealth, '/healthz')).status === 200, 20_000, 'agent healthz');
    expect(await get(agentHealth, '/readyz')).toEqual({ status: 503, body: { ready: false, detail: 'not registered with a scheduler' } });

    const scheduler = startDaemon(['scheduler', '--listen', addr, '--health-listen', `127.0.0.1:${schedHealth}`]);
    daemons.push(scheduler);
    await scheduler.waitFor(/scheduler listening/);
    expect((await get(schedHealth, '/readyz')).status).toBe(200);
    await eventually(async () => (await get(agentHealth, '/readyz')).status === 200, 20_000, 'agent ready');
    expect((await get(schedHealth, '/nope')).status).toBe(404);
  });
});
