// deploy/compose.yaml, checked by docker-compose itself (`config`) and then for its shape: a real
// 3-member etcd cluster, 3 scheduler replicas on all of it sharing one chunk store, agents that
// follow every replica, and only options clusterctl has. Then the whole stack runs on a private
// dockerd, with the registry-free image and a stand-in etcd image (no registry here).
import { copyFile, mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterctl, eventually, repoRoot } from '../support/cli-cluster.js';
import { runCommand } from '../support/commands.js';
import { startDockerd, type Dockerd } from '../support/dockerd.js';
import { requireProgram } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

const composeFile = join(repoRoot, 'deploy/compose.yaml');
const available = requireProgram('docker-compose') !== undefined;

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  profiles?: string[];
}

const compose = (file: string, args: string[]) => runCommand('docker-compose', ['-f', file, ...args]);

/** The value after `name` in a command line. */
function flag(command: string[] | undefined, name: string): string | undefined {
  const i = command?.indexOf(name) ?? -1;
  return i >= 0 ? command![i + 1] : undefined;
}

const etcdNames = ['etcd1', 'etcd2', 'etcd3'];
const schedulerNames = ['scheduler1', 'scheduler2', 'scheduler3'];

describe.skipIf(!available)('deploy/compose.yaml', () => {
  let services: Record<string, Service>;
  let dir: TempDir;

  beforeAll(async () => {
    dir = await tempDir('clusterd-compose');
    // The normalized file: anchors merged, paths absolute, as compose would run it.
    const res = await compose(composeFile, ['config']);
    expect(res.code, res.stderr).toBe(0);
    services = (parse(res.stdout) as { services: Record<string, Service> }).services;
  });

  afterAll(async () => {
    await dir?.remove();
  });

  it('passes docker-compose config -q, which does refuse a broken file', async () => {
    const ok = await compose(composeFile, ['config', '-q']);
    expect(ok.code, ok.stderr).toBe(0);
    const broken = join(dir.path, 'compose.yaml');
    await writeFile(broken, (await readFile(composeFile, 'utf8')).replace(/^ {2}scheduler1:$/m, '  scheduler1:\n    bogus: 1'));
    const bad = await compose(broken, ['config', '-q']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("services.scheduler1: 'bogus'");
  });

  it('runs a 3-member etcd cluster: every member in the initial cluster at its own peer URL, each with its own volume', () => {
    const members = etcdNames.map((name) => services[name]!.environment!);
    const initialCluster = etcdNames.map((name) => `${name}=http://${name}:2380`).join(',');
    for (const [i, env] of members.entries()) {
      const name = etcdNames[i]!;
      expect(env).toMatchObject({
        ETCD_NAME: name,
        ETCD_INITIAL_CLUSTER: initialCluster,
        ETCD_INITIAL_CLUSTER_STATE: 'new',
        ETCD_INITIAL_ADVERTISE_PEER_URLS: `http://${name}:2380`,
        ETCD_ADVERTISE_CLIENT_URLS: `http://${name}:2379`,
      });
      expect(services[name]!.volumes).toEqual([`${name}:${env.ETCD_DATA_DIR}:rw`]);
    }
  });

  it('runs 3 scheduler replicas on all three etcd members, each advertising itself, serving one shared store, ready by /readyz', () => {
    const etcdUrls = etcdNames.map((name) => services[name]!.environment!.ETCD_ADVERTISE_CLIENT_URLS).join(',');
    for (const name of schedulerNames) {
      const s = services[name]!;
      expect(s.command![0]).toBe('scheduler');
      expect(flag(s.command, '--etcd')).toBe(etcdUrls);
      expect(flag(s.command, '--advertise')).toBe(`${name}:7700`);
      expect(flag(s.command, '--listen')).toBe('0.0.0.0:7700');
      expect(s.volumes).toEqual([`store:${flag(s.command, '--store')}:rw`]);
      expect(s.healthcheck!.test).toEqual(['CMD', 'clusterd-healthcheck', '/readyz']);
      expect(flag(s.command, '--health-listen')).toBe('0.0.0.0:7780');
      expect(Object.keys(s.depends_on!).sort()).toEqual(etcdNames);
    }
  });

  it('runs 2 agents that follow every replica and wait for them to be ready', () => {
    const agent = services.agent!;
    expect(agent.command![0]).toBe('agent');
    expect(flag(agent.command, '--scheduler')).toBe(schedulerNames.map((n) => `${n}:7700`).join(','));
    expect(agent.deploy?.replicas).toBe(2);
    expect(agent.healthcheck!.test).toEqual(['CMD', 'clusterd-healthcheck', '/readyz']);
    for (const name of schedulerNames) expect(agent.depends_on![name]).toEqual({ condition: 'service_healthy' });
    // A fixed --id would make scaled replicas one agent fighting over its registration.
    expect(agent.command).not.toContain('--id');
  });

  it('builds every clusterd service from deploy/Dockerfile as clusterd:latest, with only options clusterctl has', async () => {
    const clusterd = Object.entries(services).filter(([name]) => !etcdNames.includes(name));
    expect(clusterd.map(([name]) => name).sort()).toEqual(['agent', 'client', ...schedulerNames]);
    const known = new Map<string, string>();
    for (const [name, s] of clusterd) {
      expect(s.image, name).toBe('clusterd:latest');
      expect(s.build, name).toEqual({ context: repoRoot.replace(/\/$/, ''), dockerfile: 'deploy/Dockerfile' });
      const [command, ...args] = s.command!;
      if (command === '--help') continue;
      if (!known.has(command!)) known.set(command!, (await clusterctl([command!, '--help'])).stdout);
      for (const option of args.filter((a) => a.startsWith('--'))) expect(known.get(command!), `${name}: ${command} ${option}`).toContain(`${option} `);
    }
    expect(services.client!.profiles).toEqual(['tools']);
  });
});

/**
 * A stand-in for the etcd image: this machine's etcd with the libraries it loads, and busybox
 * for a shell and wget (the stand-in has no etcdctl, so the override checks /health with wget).
 */
async function importEtcdImage(dockerd: Dockerd, tag: string, dir: string): Promise<void> {
  const root = join(dir, 'etcd-rootfs');
  const etcd = (await runCommand('sh', ['-c', 'command -v etcd'])).stdout.trim();
  const ldd = await runCommand('ldd', [etcd]);
  const libraries = [...ldd.stdout.matchAll(/(?:=> |^\s+)(\/\S+) \(/gm)].map((m) => m[1]!);
  const files: Array<[string, string]> = [[etcd, 'usr/local/bin/etcd'], ['/bin/busybox', 'bin/busybox'], ...libraries.map((l): [string, string] => [l, l.slice(1)])];
  for (const [from, to] of files) {
    await mkdir(dirname(join(root, to)), { recursive: true });
    await copyFile(from, join(root, to));
  }
  for (const applet of ['sh', 'wget']) await symlink('busybox', join(root, 'bin', applet));
  await mkdir(join(root, 'tmp'));
  const tarball = join(dir, 'etcd.tar');
  expect((await runCommand('tar', ['-C', root, '-cf', tarball, '.'])).code).toBe(0);
  const res = await dockerd.docker(['import', '--change', 'ENV PATH=/usr/local/bin:/bin', tarball, tag]);
  expect(res.code, res.stderr).toBe(0);
}

const stackAvailable = available && ['dockerd', 'docker', 'busybox', 'etcd'].every((p) => requireProgram(p) !== undefined);

describe.skipIf(!stackAvailable)('deploy/compose.yaml on a private dockerd', () => {
  let dockerd: Dockerd;
  let dir: TempDir;
  const project = `clusterd-test-${process.pid}`;
  let stack: (args: string[], timeoutMs?: number) => ReturnType<typeof runCommand>;
  /**
   * clusterctl on the compose network: in the first agent's container (it stays up; a new
   * container would copy the whole image under vfs), or with `job` in a client container, which
   * has the examples at /jobs.
   */
  const clusterctlIn = async (args: string[], opts: { job?: boolean } = {}) => {
    const res = await stack(opts.job ? ['run', '--rm', '-T', 'client', ...args] : ['exec', '-T', 'agent', 'clusterctl', ...args], 120_000);
    expect(res.code, `clusterctl ${args.join(' ')}: ${res.stderr}`).toBe(0);
    return res.stdout;
  };

  beforeAll(async () => {
    dir = await tempDir('clusterd-compose-stack');
    dockerd = await startDockerd();
    const built = await runCommand(join(repoRoot, 'deploy/image/build.sh'), ['-H', dockerd.host], { timeoutMs: 300_000 });
    expect(built.code, built.stderr).toBe(0);
    await importEtcdImage(dockerd, 'clusterd-test/etcd:local', dir.path);
    // Only what this machine lacks is overridden: the etcd image and, with it, its health check.
    const override = join(dir.path, 'override.yaml');
    await writeFile(override, `x-etcd: &etcd
  image: clusterd-test/etcd:local
  healthcheck: { test: [CMD, wget, -qO-, "http://127.0.0.1:2379/health"] }
services: { etcd1: *etcd, etcd2: *etcd, etcd3: *etcd }
`);
    stack = (args, timeoutMs = 180_000) => runCommand('docker-compose', ['-H', dockerd.host, '-p', project, '-f', composeFile, '-f', override, ...args], { timeoutMs });
  }, 400_000);

  afterAll(async () => {
    if (stack) await stack(['down', '--volumes', '--timeout', '5']);
    await dockerd?.stop();
    await dir?.remove();
  });

  it('comes up healthy, runs a job, and keeps its results when the leading replica stops', async () => {
    const up = await stack(['up', '--detach', '--no-build']);
    expect(up.code, up.stderr).toBe(0);
    // etcd x3, scheduler x3 (/readyz: leader known, state loaded), agent x2 (/readyz: registered).
    const health = async () => (await dockerd.docker(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.Status}}'])).stdout.trim().split('\n');
    await eventually(async () => {
      const rows = await health();
      return rows.length === 8 && rows.every((r) => r.includes('(healthy)'));
    }, 150_000, 'all 8 containers healthy').catch(async (err) => {
      throw new Error(`${String(err)}\n${(await health()).join('\n')}`);
    });

    const run = JSON.parse(await clusterctlIn(['submit', '/jobs/hello/job.yaml', '--wait', '-o', 'json'], { job: true })) as { run_id: string; state: string };
    expect(run.state).toBe('succeeded');

    const servers = JSON.parse(await clusterctlIn(['servers', '-o', 'json'])) as Array<{ addr: string; leader: boolean }>;
    expect(servers.filter((s) => s.leader)).toHaveLength(1);
    const leader = servers.find((s) => s.leader)!.addr.split(':')[0]!;
    const stopped = await stack(['stop', '--timeout', '5', leader]);
    expect(stopped.code, stopped.stderr).toBe(0);

    // Another replica takes over from etcd, and serves the run's state and its logs from the shared store.
    await eventually(async () => {
      const now = JSON.parse(await clusterctlIn(['servers', '-o', 'json'])) as Array<{ addr: string; leader: boolean }>;
      return now.some((s) => s.leader && !s.addr.startsWith(`${leader}:`));
    }, 60_000, 'a new leader');
    const result = JSON.parse(await clusterctlIn(['result', run.run_id, 'finish', '-o', 'json'])) as { result: unknown };
    expect(result.result).toEqual({ message: 'HELLO HELLO HELLO', attempt: 1 });
    expect(await clusterctlIn(['logs', run.run_id, 'start'])).toContain('starting with params');
  }, 400_000);
});
