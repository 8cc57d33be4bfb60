// deploy/compose.yaml, checked by docker-compose itself (`config`) and then for its shape: a real
// 3-member etcd cluster, 3 scheduler replicas on all of it sharing one chunk store, agents that
// follow every replica, and only options clusterctl has.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterctl, repoRoot } from '../support/cli-cluster.js';
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

function compose(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('docker-compose', ['-f', file, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

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
