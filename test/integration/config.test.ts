// `clusterctl scheduler|agent --config FILE` and CLUSTERD_* variables, as users run them: real
// daemons on loopback, what they serve and report is what the file, the environment and the
// flags said, in that order of precedence; anything wrong stops them before they serve.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, freePort, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { tempDir, type TempDir } from '../support/temp.js';

interface AgentJson { agent_id: string; labels: Record<string, string>; capacity: { cpu_milli: number } }

describe('config files and CLUSTERD_* variables', () => {
  let tmp: TempDir;
  const daemons: Daemon[] = [];
  const start = (args: string[], env: Record<string, string> = {}) => {
    const daemon = startDaemon(args, env);
    daemons.push(daemon);
    return daemon;
  };
  const listening = async (daemon: Daemon) => (await daemon.waitFor(/"scheduler listening","addr":"([^"]+)"/))[1]!;
  const write = async (name: string, text: string) => {
    const file = path.join(tmp.path, name);
    await writeFile(file, text);
    return file;
  };

  beforeAll(async () => {
    tmp = await tempDir('clusterd-config');
  });

  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await tmp?.remove();
  });

  it('a scheduler serves where its file says, unless a variable or a flag says otherwise', async () => {
    const [filePort, envPort, flagPort, healthPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const config = await write('scheduler.yaml', `listen: 127.0.0.1:${filePort}\nhealth-listen: 127.0.0.1:${healthPort}\nagent-ttl: 3s\n`);

    const fromFile = start(['scheduler', '--config', config]);
    expect(await listening(fromFile)).toBe(`127.0.0.1:${filePort}`);
    await eventually(async () => (await fetch(`http://127.0.0.1:${healthPort}/readyz`)).ok, 10_000, '/readyz from the file\'s health-listen');
    await fromFile.stop();

    const fromEnv = start(['scheduler'], { CLUSTERD_CONFIG: config, CLUSTERD_LISTEN: `127.0.0.1:${envPort}` });
    expect(await listening(fromEnv)).toBe(`127.0.0.1:${envPort}`);
    await fromEnv.stop();

    const fromFlag = start(['scheduler', '--config', config, '--listen', `127.0.0.1:${flagPort}`], { CLUSTERD_LISTEN: `127.0.0.1:${envPort}` });
    expect(await listening(fromFlag)).toBe(`127.0.0.1:${flagPort}`);
  });

  it('an agent joins with the id, labels and capacity its file and environment give', async () => {
    const scheduler = start(['scheduler', '--listen', '127.0.0.1:0']);
    const addr = await listening(scheduler);
    const config = await write('agent.yaml', `scheduler: ${addr}\nid: from-file\ncpu: 1500m\nmemory: 1Gi\nlabel: [zone=a, gpu=a100]\n`);
    start(['agent', '--config', config], { CLUSTERD_ID: 'from-env', CLUSTERD_DOCKER_HOST: `unix://${tmp.path}/no-docker.sock` });
    start(['agent', '--config', config, '--id', 'from-flag'], { CLUSTERD_LABEL: 'zone=b', CLUSTERD_DOCKER_HOST: `unix://${tmp.path}/no-docker.sock` });
    const agents = await eventually(async () => {
      const list = await clusterctlJson<AgentJson[]>(['agents'], addr);
      return list.length === 2 ? list.sort((a, b) => a.agent_id.localeCompare(b.agent_id)) : undefined;
    }, 20_000, 'both agents to register');
    expect(agents.map((a) => [a.agent_id, a.labels, a.capacity.cpu_milli])).toEqual([
      ['from-env', { zone: 'a', gpu: 'a100' }, 1500],
      ['from-flag', { zone: 'b' }, 1500],
    ]);
  });

  it('a wrong file stops the daemon with exit 2 before it serves, naming the file and every bad key', async () => {
    const port = await freePort();
    const config = await write('bad.yaml', `listen: 127.0.0.1:${port}\nagent-ttl: soon\nheartbeat: [1s]\nlease-tll: 2s\n`);
    const res = await clusterctl(['scheduler', '--config', config], { timeoutMs: 15_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`${config}: lease-tll: not an option of clusterctl scheduler (see clusterctl scheduler --help)`);
    expect(res.stderr).toContain(`${config}: agent-ttl: "soon" is not a duration`);
    expect(res.stderr).toContain(`${config}: heartbeat: give a string or a number, not a list`);
    expect(res.stdout).not.toContain('scheduler listening');

    const yaml = await write('broken.yaml', 'scheduler: 127.0.0.1:7700\n  id: [x\n');
    const broken = await clusterctl(['agent', '--config', yaml], { timeoutMs: 15_000 });
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(new RegExp(`${yaml}:\\d+:\\d+: YAML error`));
  });

  it('a wrong variable stops the daemon with exit 2, naming the variable', async () => {
    const res = await clusterctl(['scheduler', '--listen', '127.0.0.1:0'], { env: { CLUSTERD_AGENT_TTL: 'xx' }, timeoutMs: 15_000 });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('CLUSTERD_AGENT_TTL: "xx" is not a duration');
    expect(res.stdout).not.toContain('scheduler listening');
    const missing = await clusterctl(['agent'], { env: { CLUSTERD_CONFIG: path.join(tmp.path, 'absent.yaml') }, timeoutMs: 15_000 });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${path.join(tmp.path, 'absent.yaml')}: no such file`);
  });

  it('--tls-dir on the command line wins over the file and the environment (it is clusterctl\'s own flag too)', async () => {
    const config = await write('tls.yaml', `listen: 127.0.0.1:0\ntls-dir: ${path.join(tmp.path, 'from-file')}\n`);
    const scheduler = await clusterctl(['scheduler', '--config', config, '--tls-dir', path.join(tmp.path, 'from-flag')], { env: { CLUSTERD_TLS_DIR: path.join(tmp.path, 'from-env') }, timeoutMs: 15_000 });
    expect(scheduler.code).toBe(2);
    expect(scheduler.stderr).toContain(`${path.join(tmp.path, 'from-flag', 'ca.crt')}: no such file`);
    const agentConfig = await write('agent-tls.yaml', `scheduler: 127.0.0.1:1\ntls-dir: ${path.join(tmp.path, 'from-file')}\n`);
    const agent = await clusterctl(['agent', '--config', agentConfig], { env: { CLUSTERD_TLS_DIR: path.join(tmp.path, 'from-env') }, timeoutMs: 15_000 });
    expect(agent.code).toBe(2);
    expect(agent.stderr).toContain(`${path.join(tmp.path, 'from-env', 'ca.crt')}: no such file`);
  });
});
