// --max-finished-tasks through clusterctl: with --compact-after far off, finished runs past the
// bound are compacted and dropped from the leader's memory at once, and still answer.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterClient } from '../../client/client.js';
import { clusterctlJson, eventually, freePort, startAgent, startDaemon, type Daemon } from '../support/cli-cluster.js';

const runs = 200;
const bound = 50;
const job = { name: 'bounded', steps: { start: { run: { module: './tasks.mjs', export: 'items' }, resources: { cpu: '100m', memory: '16Mi' } } } };

describe('finished tasks kept in memory', () => {
  let addr: string;
  let scheduler: Daemon;
  let agent: Daemon;

  beforeAll(async () => {
    addr = `127.0.0.1:${await freePort()}`;
    scheduler = startDaemon(['scheduler', '--listen', addr, '--compact-after', '1h', '--max-finished-tasks', String(bound)]);
    await scheduler.waitFor(/scheduler listening/);
    agent = await startAgent(addr, 'bounded-agent');
  }, 60_000);

  afterAll(async () => {
    await agent?.stop();
    await scheduler?.stop();
  });

  it(`compacts and drops the oldest finished runs past ${bound} finished tasks, however long --compact-after is`, async () => {
    const client = new ClusterClient([addr]);
    const ids: string[] = [];
    try {
      const codeDir = fileURLToPath(new URL('../fixtures/ha/', import.meta.url));
      for (let i = 0; i < runs; i++) {
        const status = await client.submitAndWatch({ job_json: JSON.stringify(job), params_json: JSON.stringify({ items: i }), code_dir: codeDir, code_package: '', source: '' });
        ids.push(status.run_id);
      }
    } finally {
      client.close();
    }
    const dropped = () => [...scheduler.output.matchAll(/"runs":(\d+),"tasks":\d+,"runIds":\[[^\]]*\],"msg":"finished runs dropped from memory/g)]
      .reduce((n, m) => n + Number(m[1]), 0);
    await eventually(async () => dropped() >= runs - bound, 20_000, `at least ${runs - bound} runs dropped from memory`);
    expect(dropped()).toBeLessThanOrEqual(runs);
    // The oldest went first; a dropped run still answers from its tasks object.
    expect(scheduler.output).toContain(`"runIds":["${ids[0]}"`);
    expect((await clusterctlJson<{ result: { items: number[] } }>(['result', ids[3]!, 'start'], addr)).result.items).toHaveLength(3);
  }, 60_000);
});
