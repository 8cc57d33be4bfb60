// The registry-free image (deploy/image/build.sh) on a private dockerd: an agent in a container
// (host network) joins a scheduler on the host and runs a thread task with the image's node.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterctl, clusterctlJson, eventually, freePort, repoRoot, startDaemon, type Daemon } from '../support/cli-cluster.js';
import { runCommand } from '../support/commands.js';
import { startDockerd, type Dockerd } from '../support/dockerd.js';
import { requireProgram } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

const buildScript = join(repoRoot, 'deploy/image/build.sh');
const tag = 'clusterd-test/clusterd:image';
const available = ['dockerd', 'docker', 'busybox'].every((p) => requireProgram(p) !== undefined);

/** Runs deploy/image/build.sh to completion. */
const build = (args: string[]) => runCommand(buildScript, args, { timeoutMs: 300_000 });

/**
 * dockerd bind-mounts the host's network namespace at EXEC_ROOT/netns/default for host-network
 * containers and leaves it mounted when it exits, which would keep its temp dir from being
 * removed: unmount it first (lazily, as dockerd still runs).
 */
async function unmountHostNetns(dockerd: Dockerd): Promise<void> {
  await runCommand('umount', ['--lazy', join(dirname(dockerd.socketPath), 'exec', 'netns', 'default')]);
}

// A thread task that reports what it runs on, so the test can tell it ran inside the image.
const probeJob = `name: image-probe
params: { greeting: hi }
steps:
  start:
    run: { module: ./probe.mjs, export: probe }
    resources: { cpu: 0.5, memory: 128Mi }
`;
const probeModule = `import os from 'node:os';
export async function probe(ctx) {
  return { node: process.execPath, user: os.userInfo().username, uid: process.getuid(), greeting: ctx.params.greeting };
}
`;

describe.skipIf(!available)('clusterd image without a registry', () => {
  let dockerd: Dockerd;
  let jobDir: TempDir;
  const daemons: Daemon[] = [];
  const containers: string[] = [];

  beforeAll(async () => {
    jobDir = await tempDir('clusterd-image-job');
    await writeFile(join(jobDir.path, 'job.yaml'), probeJob);
    await writeFile(join(jobDir.path, 'probe.mjs'), probeModule);
    dockerd = await startDockerd();
    const res = await build(['--tag', tag, '-H', dockerd.host]);
    expect(res.code, res.stderr).toBe(0);
  }, 400_000);

  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    if (dockerd) {
      if (containers.length > 0) await dockerd.docker(['rm', '-f', ...containers]);
      await unmountHostNetns(dockerd);
      await dockerd.stop();
    }
    await jobDir?.remove();
  });

  it('refuses an unknown argument as bad usage', async () => {
    const res = await build(['--tga', 'x']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown argument: --tga');
  });

  it('is configured like deploy/Dockerfile and carries no dev dependencies', async () => {
    const config = JSON.parse((await dockerd.docker(['image', 'inspect', tag, '--format', '{{json .Config}}'])).stdout) as Record<string, unknown>;
    expect(config).toMatchObject({
      User: 'clusterd',
      Entrypoint: ['clusterctl'],
      WorkingDir: '/var/lib/clusterd',
      Env: expect.arrayContaining(['CLUSTERD_HEALTH_LISTEN=0.0.0.0:7780']),
      ExposedPorts: { '7700/tcp': {}, '7780/tcp': {} },
      Healthcheck: expect.objectContaining({ Test: ['CMD', 'clusterd-healthcheck'] }),
    });
    const ls = await dockerd.docker(['run', '--rm', '--entrypoint', 'ls', tag, '/app/node_modules']);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout.split('\n')).toEqual(expect.arrayContaining(['@grpc', 'msgpackr', 'etcd3']));
    expect(ls.stdout.split('\n')).not.toEqual(expect.arrayContaining(['vitest', 'typescript']));
    // vfs copies every layer per container: the image must stay near node plus its dependencies.
    const size = Number((await dockerd.docker(['image', 'inspect', tag, '--format', '{{.Size}}'])).stdout);
    expect(size).toBeLessThan(200 * 2 ** 20);
  });

  it('runs an agent in a container that joins a scheduler on the host and runs a thread task', async () => {
    const addr = `127.0.0.1:${await freePort()}`;
    const scheduler = startDaemon(['scheduler', '--listen', addr]);
    daemons.push(scheduler);
    await scheduler.waitFor(/scheduler listening/);

    // Host network: the scheduler on loopback is the container's loopback too (dockerd runs with
    // --bridge=none). The health server moves off 7780 so it cannot meet another daemon's.
    const health = `127.0.0.1:${await freePort()}`;
    const started = await dockerd.docker([
      'run', '-d', '--network', 'host', '-e', `CLUSTERD_HEALTH_LISTEN=${health}`, tag,
      'agent', '--scheduler', addr, '--id', 'image-agent', '--cpu', '1', '--memory', '1Gi', '--health-listen', health,
    ]);
    expect(started.code, started.stderr).toBe(0);
    const container = started.stdout.trim();
    containers.push(container);

    await eventually(async () => (await clusterctlJson<Array<{ agent_id: string }>>(['agents'], addr)).some((a) => a.agent_id === 'image-agent'), 30_000, 'the agent in the container');
    const ready = await dockerd.docker(['exec', container, 'clusterd-healthcheck', '/readyz']);
    expect(ready.code, ready.stdout + ready.stderr).toBe(0);
    expect(ready.stdout).toContain('"detail":"registered"');

    const res = await clusterctl(['submit', join(jobDir.path, 'job.yaml'), '--wait', '-o', 'json'], { addr, timeoutMs: 60_000 });
    expect(res.code, res.stderr).toBe(0);
    const run = JSON.parse(res.stdout) as { run_id: string };
    const { result } = await clusterctlJson<{ result: unknown }>(['result', run.run_id, 'start'], addr);
    expect(result).toEqual({ node: '/usr/local/bin/node', user: 'clusterd', uid: 10001, greeting: 'hi' });

    // docker stop sends SIGTERM to clusterctl (PID 1): the agent closes and exits 0.
    const stopped = await dockerd.docker(['stop', '--time', '10', container], { timeoutMs: 30_000 });
    expect(stopped.code, stopped.stderr).toBe(0);
    const exit = await dockerd.docker(['inspect', container, '--format', '{{.State.ExitCode}}']);
    expect(exit.stdout.trim()).toBe('0');
  }, 120_000);
});
