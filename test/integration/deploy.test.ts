// deploy/: the installers put an `npm pack` tarball of this repository into --root folders as
// they would on a VM (package, clusterctl link, /etc/clusterd config from deploy/config, systemd
// unit), change nothing when run again, write nothing with --dry-run and take back what they
// installed with --uninstall; the installed clusterctl runs a scheduler and an agent from the
// written configs; the units pass systemd-analyze verify against that install and keep their
// sandboxing.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, readdir, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually, freePort, repoRoot, type CliResult } from '../support/cli-cluster.js';
import { startDockerd, type Dockerd } from '../support/dockerd.js';
import { requireProgram, spawnManaged, waitUntilReady, type ManagedProcess } from '../support/processes.js';
import { tempDir, type TempDir } from '../support/temp.js';

const deployDir = join(repoRoot, 'deploy');
const fakeNvidiaSmi = join(repoRoot, 'test/fixtures/nvidia-smi/fake-nvidia-smi.sh');
const oneA100 = join(repoRoot, 'test/fixtures/nvidia-smi/one-a100.csv');
const analyzeAvailable = requireProgram('systemd-analyze') !== undefined;
const dockerAvailable = requireProgram('dockerd') !== undefined;

type Role = 'scheduler' | 'agent';

function run(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env: opts.env ?? process.env, cwd: opts.cwd, timeout: opts.timeoutMs ?? 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

function installer(role: Role, args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> {
  return run('bash', [join(deployDir, `install-${role}.sh`), ...args], { env: { ...process.env, FAKE_NVIDIA_SMI_OUTPUT: oneA100, ...env } });
}

/** Every path under `dir` with what it is, its size and mtime: equal snapshots mean nothing was touched. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const entries: Record<string, string> = {};
  for (const name of await readdir(dir, { recursive: true })) {
    const stat = await lstat(join(dir, name));
    entries[name] = stat.isSymbolicLink() ? `-> ${await readlink(join(dir, name))}` : `${stat.mode} ${stat.size} ${stat.mtimeMs}`;
  }
  return entries;
}

const readYaml = async (file: string) => parse(await readFile(file, 'utf8')) as Record<string, unknown>;

/**
 * A root file system for a container that boots this machine's systemd: /usr is bind-mounted
 * from the host (merged /usr, so /bin and /lib are links into it); /etc starts as a fresh
 * install's, with root alone.
 */
async function systemdRootfs(): Promise<Buffer> {
  const pack = tar.pack();
  for (const name of ['etc', 'etc/systemd', 'etc/systemd/system', 'run', 'tmp', 'var', 'var/lib', 'var/log', 'proc', 'sys', 'dev', 'usr', 'root', 'src']) {
    pack.entry({ name, type: 'directory', mode: name === 'tmp' ? 0o1777 : 0o755 });
  }
  for (const name of ['bin', 'sbin', 'lib', 'lib64']) pack.entry({ name, type: 'symlink', linkname: `usr/${name}` });
  pack.entry({ name: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' });
  pack.entry({ name: 'etc/passwd', mode: 0o644 }, 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
  pack.entry({ name: 'etc/group', mode: 0o644 }, 'root:x:0:\nnogroup:x:65534:\n');
  pack.entry({ name: 'etc/shadow', mode: 0o640 }, 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n');
  pack.entry({ name: 'etc/gshadow', mode: 0o640 }, 'root:*::\nnogroup:*::\n');
  pack.entry({ name: 'etc/nsswitch.conf', mode: 0o644 }, 'passwd: files\ngroup: files\nshadow: files\n');
  pack.entry({ name: 'etc/machine-id', mode: 0o444 }, '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('deploy: installers and systemd units', () => {
  let tmp: TempDir;
  let root: string; // both roles installed here, as on a box that runs a scheduler and an agent
  let tarball: string;
  let dockerd: Dockerd | undefined;
  const first = {} as Record<Role, CliResult>;
  const args = {} as Record<Role, string[]>;
  const daemons: ManagedProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run npm run build first');
    tmp = await tempDir('clusterd-deploy');
    root = join(tmp.path, 'root');
    await mkdir(root);
    // The tarball users would get from `npm pack`, of the dist/ built before the suite.
    const [packed, engine] = await Promise.all([
      run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp.path], { cwd: repoRoot }),
      dockerAvailable ? startDockerd() : undefined,
    ]);
    dockerd = engine;
    expect(packed.code, packed.stderr).toBe(0);
    tarball = join(tmp.path, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);

    const [port, healthPort, agentHealthPort] = await Promise.all([freePort(), freePort(), freePort()]);
    args.scheduler = ['--listen', `127.0.0.1:${port}`, '--store', join(tmp.path, 'store'), '--health-listen', `127.0.0.1:${healthPort}`];
    args.agent = [
      '--scheduler', `127.0.0.1:${port}`, '--id', 'deploy-agent', '--label', 'zone=a', '--label', 'gpu=a100',
      '--data', join(tmp.path, 'agent-data'), '--health-listen', `127.0.0.1:${agentHealthPort}`, '--nvidia-smi', fakeNvidiaSmi,
      '--docker-host', dockerd?.host ?? `unix://${join(tmp.path, 'no-docker.sock')}`,
    ];
    for (const role of ['scheduler', 'agent'] as const) {
      first[role] = await installer(role, ['--root', root, '--package', tarball, ...args[role]]);
    }
  }, 240_000);

  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await dockerd?.stop();
    await tmp?.remove();
  });

  it('installs the package once for both roles, with a clusterctl link that runs', async () => {
    expect(first.scheduler.code, first.scheduler.stderr).toBe(0);
    expect(first.scheduler.stdout).toContain('package: installing clusterd from clusterd-0.1.0.tgz');
    expect(first.agent.code, first.agent.stderr).toBe(0);
    expect(first.agent.stdout).toContain('package: clusterd already installed');
    const link = join(root, 'usr/local/bin/clusterctl');
    expect(await readlink(link)).toBe('../lib/clusterd/node_modules/clusterd/bin/clusterctl.js');
    const help = await run(link, ['agent', '--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('--config <file>');
    // Production dependencies only.
    expect(existsSync(join(root, 'usr/local/lib/clusterd/node_modules/yaml'))).toBe(true);
    expect(existsSync(join(root, 'usr/local/lib/clusterd/node_modules/vitest'))).toBe(false);
  });

  it('writes /etc/clusterd/ROLE.yaml from the example with the given settings, and the unit', async () => {
    for (const role of ['scheduler', 'agent'] as const) {
      const example = await readYaml(join(deployDir, 'config', `${role}.yaml`));
      const written = await readYaml(join(root, 'etc/clusterd', `${role}.yaml`));
      const given: Record<string, unknown> = {};
      for (let i = 0; i < args[role].length; i += 2) {
        const key = args[role][i]!.slice(2);
        given[key] = key === 'label' ? [...((given[key] as string[] | undefined) ?? []), args[role][i + 1]] : args[role][i + 1];
      }
      expect(written).toEqual({ ...example, ...given, 'tls-dir': '/etc/clusterd/tls' });
      expect(await readFile(join(root, 'etc/systemd/system', `clusterd-${role}.service`), 'utf8'))
        .toBe(await readFile(join(deployDir, 'systemd', `clusterd-${role}.service`), 'utf8'));
    }
    expect(first.agent.stdout).toContain('GPUs: found with');
    expect(first.agent.stdout).toContain('0, NVIDIA A100-SXM4-40GB, 40960');
    expect(first.agent.stdout).toContain('installed into');
    expect(first.agent.stdout).toContain('systemctl enable --now clusterd-agent.service');
  });

  it('sets TLS up by default: the scheduler makes the CA and certificates, an agent on the same box uses them', async () => {
    expect(first.scheduler.stdout).toContain(`TLS: making a CA and the cluster's certificates in ${root}/etc/clusterd/tls`);
    expect(first.agent.stdout).toContain(`TLS: ${root}/etc/clusterd/tls has ca.crt and the agent certificate`);
    const tls = join(root, 'etc/clusterd/tls');
    expect((await stat(tls)).mode & 0o777).toBe(0o755);
    for (const key of ['ca.key', 'scheduler.key', 'agent.key', 'client.key']) expect((await stat(join(tls, key))).mode & 0o077).toBe(0);
  });

  it('an agent without certificates is refused before anything is installed; --tls-from copies its three files', async () => {
    const bare = join(tmp.path, 'bare-agent');
    await mkdir(bare);
    const refused = await installer('agent', ['--root', bare, '--package', tarball]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('has no ca.crt agent.crt agent.key: give --tls-from DIR');
    expect(await readdir(bare)).toEqual([]);
    const copied = await installer('agent', ['--root', bare, '--package', tarball, '--tls-from', join(root, 'etc/clusterd/tls')]);
    expect(copied.code, copied.stderr).toBe(0);
    expect((await readdir(join(bare, 'etc/clusterd/tls'))).sort()).toEqual(['agent.crt', 'agent.key', 'ca.crt']);
    expect((await stat(join(bare, 'etc/clusterd/tls/agent.key'))).mode & 0o777).toBe(0o600);
    const plain = await installer('agent', ['--root', bare, '--dry-run', '--package', tarball, '--insecure']);
    expect(plain.stderr).toContain('TLS: off (--insecure)');
  });

  it.skipIf(!dockerAvailable)('reports the Docker engine the agent will use', () => {
    expect(first.agent.stdout).toMatch(new RegExp(`Docker: engine \\d+\\.\\S+ at ${dockerd!.host}: container tasks enabled`));
  });

  it('says when no Docker engine answers', async () => {
    const res = await installer('agent', ['--root', tmp.path, '--dry-run', '--package', tarball, '--insecure'], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
    expect(res.stdout).toContain('Docker: no engine answers at unix:///nonexistent/docker.sock: the agent runs thread tasks only');
  });

  it('the installed clusterctl runs both daemons from the written configs, and they stop well within TimeoutStopSec', async () => {
    const clusterctl = join(root, 'usr/local/bin/clusterctl');
    for (const role of ['scheduler', 'agent'] as const) {
      const config = join(root, 'etc/clusterd', `${role}.yaml`);
      // The config names /etc/clusterd/tls of the target system; here it is under the --root folder.
      const daemon = spawnManaged(role, clusterctl, [role, '--config', config, '--tls-dir', join(root, 'etc/clusterd/tls')]);
      daemons.push(daemon);
      const health = (await readYaml(config))['health-listen'] as string;
      await waitUntilReady(daemon, 'ready', async () => (await fetch(`http://${health}/readyz`)).ok, 30_000);
    }
    const [scheduler, agent] = daemons;
    for (const [role, daemon] of [['agent', agent!], ['scheduler', scheduler!]] as const) {
      const unit = await readFile(join(deployDir, 'systemd', `clusterd-${role}.service`), 'utf8');
      const timeoutStopMs = Number(/^TimeoutStopSec=(\d+)s$/m.exec(unit)![1]) * 1000;
      const started = Date.now();
      await daemon.stop(timeoutStopMs);
      expect(await daemon.exited, daemon.output).toBe(0);
      expect(Date.now() - started).toBeLessThan(timeoutStopMs / 2);
    }
  });

  it.skipIf(!analyzeAvailable)('systemd-analyze verify passes both units run from the installed clusterctl, and fails a unit without its binary', async () => {
    const units = join(tmp.path, 'units');
    await mkdir(units);
    const verify = async (role: Role, binary: string) => {
      const text = await readFile(join(deployDir, 'systemd', `clusterd-${role}.service`), 'utf8');
      expect(text).toContain(`ExecStart=/usr/local/bin/clusterctl ${role} --config /etc/clusterd/${role}.yaml`);
      const file = join(units, `clusterd-${role}.service`);
      await writeFile(file, text.replace('ExecStart=/usr/local/bin/clusterctl', `ExecStart=${binary}`));
      return run('systemd-analyze', ['verify', '--man=no', file]);
    };
    for (const role of ['scheduler', 'agent'] as const) {
      const ok = await verify(role, join(root, 'usr/local/bin/clusterctl'));
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stderr).toBe(''); // no unknown keys or bad values either
    }
    const missing = await verify('agent', join(tmp.path, 'nowhere/clusterctl'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('is not executable');
  });

  it.skipIf(!analyzeAvailable)('the units keep their sandboxing (systemd-analyze security)', async () => {
    // Exposure on systemd's 0–100 scale (shown as 0.0–10.0). The agent runs as root for Docker.
    for (const [role, threshold] of [['scheduler', 25], ['agent', 70]] as const) {
      const res = await run('systemd-analyze', ['security', '--offline=true', `--threshold=${threshold}`, join(deployDir, 'systemd', `clusterd-${role}.service`)]);
      expect(res.code, `${res.stdout}${res.stderr}`).toBe(0);
    }
  });

  it('a second run changes nothing and says so; other settings than the config holds are reported, not applied', async () => {
    const before = await snapshot(root);
    for (const role of ['scheduler', 'agent'] as const) {
      const again = await installer(role, ['--root', root, '--package', tarball, ...args[role]]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain(`nothing to change: clusterd ${role} is installed as asked`);
      expect(again.stdout).toContain('already has the settings given');
    }
    const other = await installer('agent', ['--root', root, '--package', tarball, '--id', 'another']);
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toContain('id: "deploy-agent" there, "another" asked');
    expect(await snapshot(root)).toEqual(before);
  });

  it('--dry-run prints every action and writes nothing', async () => {
    const empty = join(tmp.path, 'dry');
    await mkdir(empty);
    const res = await installer('scheduler', ['--root', empty, '--dry-run', '--package', tarball, '--etcd', 'http://10.0.0.1:2379']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain(`would run: npm install --prefix ${empty}/usr/local/lib/clusterd`);
    expect(res.stdout).toContain(`would run: ln -sfn ../lib/clusterd/node_modules/clusterd/bin/clusterctl.js ${empty}/usr/local/bin/clusterctl`);
    expect(res.stdout).toContain(`would write ${empty}/etc/clusterd/scheduler.yaml from ${deployDir}/config/scheduler.yaml with etcd=http://10.0.0.1:2379`);
    expect(res.stdout).toContain(`would write ${empty}/etc/systemd/system/clusterd-scheduler.service`);
    expect(res.stdout).toContain('dry run: nothing was changed');
    expect(await readdir(empty)).toEqual([]);
  });

  it('refuses Node.js older than 20 and bad usage', async () => {
    const bin = join(tmp.path, 'old-node');
    await mkdir(bin);
    await writeFile(join(bin, 'node'), '#!/bin/sh\ncase "$1" in --version) echo v18.19.0 ;; *) echo 18 ;; esac\n');
    await chmod(join(bin, 'node'), 0o755);
    const old = await installer('agent', ['--root', tmp.path, '--package', tarball], { PATH: `${bin}:${process.env.PATH}` });
    expect(old.code).toBe(1);
    expect(old.stderr).toContain('is Node.js v18.19.0: clusterd needs Node.js 20 or later');
    const unknown = await installer('scheduler', ['--root', root, '--sheduler', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown option --sheduler');
    const purge = await installer('agent', ['--purge']);
    expect(purge.code).toBe(2);
    expect(purge.stderr).toContain('--purge goes with --uninstall');
  });

  // The units and the installers' systemd path under a real systemd: this machine's, booted as
  // PID 1 in a container on the test's dockerd, on a fresh /etc and an empty /usr/local.
  describe.skipIf(!dockerAvailable)('under systemd', () => {
    const container = `clusterd-systemd-${process.pid}`;
    const exec = (args: string[], timeoutMs = 60_000) => dockerd!.docker(['exec', container, ...args], { timeoutMs });
    const install = (role: Role, extra: string[]) => exec(['bash', `/src/deploy/install-${role}.sh`, '--package', '/src/clusterd.tgz', ...extra], 120_000);
    const schedulerArgs = ['--listen', '127.0.0.1:7700', '--health-listen', '127.0.0.1:7780'];
    const agentArgs = ['--scheduler', '127.0.0.1:7700', '--id', 'box-1', '--health-listen', '127.0.0.1:7781'];

    beforeAll(async () => {
      const image = `${container}:latest`;
      const imported = await dockerd!.docker(['import', '-', image], { stdin: await systemdRootfs() });
      expect(imported.code, imported.stderr).toBe(0);
      const usrLocal = join(tmp.path, 'usr-local');
      await mkdir(usrLocal);
      // --network none: its own loopback, so fixed ports; npm installs from this machine's cache.
      const started = await dockerd!.docker([
        'run', '-d', '-t', '--name', container, '--network', 'none', '--cap-add', 'SYS_ADMIN',
        '--cgroupns', 'host', '-v', '/sys/fs/cgroup:/sys/fs/cgroup:rw',
        '--tmpfs', '/run', '--tmpfs', '/run/lock', '--tmpfs', '/tmp', '-e', 'container=docker',
        '-v', '/usr:/usr:ro', '-v', `${usrLocal}:/usr/local`, '-v', `${join(process.env.HOME ?? '/root', '.npm')}:/root/.npm`,
        '-v', `${deployDir}:/src/deploy:ro`, '-v', `${tarball}:/src/clusterd.tgz:ro`,
        image, '/usr/lib/systemd/systemd',
      ]);
      expect(started.code, started.stderr).toBe(0);
      await eventually(async () => /^(running|degraded)$/m.test((await exec(['systemctl', 'is-system-running'], 5_000)).stdout), 30_000, 'systemd to boot');
    }, 120_000);

    it('the installers create the user, enable and start both units, which become healthy and run a job', async () => {
      const scheduler = await install('scheduler', schedulerArgs);
      expect(scheduler.code, `${scheduler.stdout}${scheduler.stderr}`).toBe(0);
      expect(scheduler.stdout).toContain('user: creating system user clusterd');
      expect(scheduler.stdout).toContain('health: http://127.0.0.1:7780/healthz answers');
      expect(scheduler.stdout).toContain('admin: an admin\'s address, certificates and token in /etc/clusterd/client.env');
      expect((await exec(['stat', '-c', '%U:%G %a', '/etc/clusterd/tls/scheduler.key', '/etc/clusterd/client.env'])).stdout.split('\n')).toEqual(['root:clusterd 640', 'root:root 600', '']);
      const agent = await install('agent', agentArgs);
      expect(agent.code, `${agent.stdout}${agent.stderr}`).toBe(0);
      expect(agent.stdout).toContain('health: http://127.0.0.1:7781/healthz answers');
      for (const unit of ['clusterd-scheduler', 'clusterd-agent']) {
        expect((await exec(['systemctl', 'is-enabled', unit])).stdout.trim()).toBe('enabled');
      }
      expect((await exec(['systemctl', 'show', '-p', 'User', '--value', 'clusterd-scheduler'])).stdout.trim()).toBe('clusterd');
      await eventually(async () => (await exec(['curl', '-sf', '127.0.0.1:7781/readyz'], 5_000)).code === 0, 20_000, 'the agent to register');
      // A thread task runs inside the agent's sandbox; results land in the scheduler's store.
      // Over TLS with the admin token the installer made; a plaintext client is not served.
      const hello = '/usr/local/lib/clusterd/node_modules/clusterd/examples/hello/job.yaml';
      const job = await exec(['sh', '-c', `. /etc/clusterd/client.env && clusterctl submit ${hello} --wait`]);
      expect(job.code, `${job.stdout}${job.stderr}`).toBe(0);
      expect(job.stdout).toMatch(/run \S+ +succeeded/);
      expect((await exec(['clusterctl', 'status'])).code).toBe(3);
    });

    it('a second run finds both running and changes nothing', async () => {
      for (const [role, extra] of [['scheduler', schedulerArgs], ['agent', agentArgs]] as const) {
        const again = await install(role, extra);
        expect(again.code, again.stderr).toBe(0);
        expect(again.stdout).toContain(`clusterd-${role}.service is enabled and running`);
        expect(again.stdout).toContain('nothing to change');
      }
    });

    it('systemctl stop ends both daemons by SIGTERM, cleanly, within TimeoutStopSec', async () => {
      for (const unit of ['clusterd-agent', 'clusterd-scheduler']) {
        const stopped = await exec(['systemctl', 'stop', unit]);
        expect(stopped.code, stopped.stderr).toBe(0);
        const shown = (await exec(['systemctl', 'show', '-p', 'Result,ExecMainStatus', unit])).stdout;
        expect(shown).toContain('Result=success'); // not timeout (SIGKILL) or exit-code
        expect(shown).toContain('ExecMainStatus=0');
      }
    });

    it('--uninstall --purge takes everything back, the user too', async () => {
      for (const role of ['agent', 'scheduler'] as const) {
        const removed = await exec(['bash', `/src/deploy/install-${role}.sh`, '--uninstall', '--purge']);
        expect(removed.code, `${removed.stdout}${removed.stderr}`).toBe(0);
      }
      expect((await exec(['getent', 'passwd', 'clusterd'])).code).not.toBe(0);
      const left = await exec(['sh', '-c', 'find /etc/clusterd /var/lib/clusterd /usr/local /etc/systemd/system -mindepth 1 -name "*clusterd*" 2>/dev/null']);
      expect(left.stdout.trim()).toBe('');
      expect((await exec(['test', '-e', '/etc/clusterd'])).code).not.toBe(0); // certificates and client.env too
      expect((await exec(['systemctl', 'is-enabled', 'clusterd-agent'])).code).not.toBe(0);
    });
  });

  it('--uninstall removes the unit, and the package once no role uses it; --purge also config and data', async () => {
    const data = join(root, 'var/lib/clusterd/agent');
    await mkdir(data, { recursive: true });
    await writeFile(join(data, 'kept'), 'x');
    const agent = await installer('agent', ['--root', root, '--uninstall']);
    expect(agent.code, agent.stderr).toBe(0);
    expect(existsSync(join(root, 'etc/systemd/system/clusterd-agent.service'))).toBe(false);
    expect(agent.stdout).toContain('package: kept, clusterd-scheduler.service still uses it');
    expect(existsSync(join(root, 'usr/local/bin/clusterctl'))).toBe(true);
    expect(existsSync(join(root, 'etc/clusterd/agent.yaml'))).toBe(true);
    expect(existsSync(join(data, 'kept'))).toBe(true);
    expect((await installer('agent', ['--root', root, '--uninstall'])).stdout).toContain('nothing to remove: clusterd agent is not installed');

    const scheduler = await installer('scheduler', ['--root', root, '--uninstall', '--purge']);
    expect(scheduler.code, scheduler.stderr).toBe(0);
    const agentPurge = await installer('agent', ['--root', root, '--uninstall', '--purge']);
    expect(agentPurge.code, agentPurge.stderr).toBe(0);
    const left = Object.keys(await snapshot(root));
    expect(left.filter((p) => p.includes('clusterd') || p.endsWith('clusterctl'))).toEqual([]);
  });
});
