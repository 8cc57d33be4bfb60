/**
 * A private Docker engine for tests: dockerd on a unix socket in a temp dir (vfs storage, no
 * iptables, no bridge, so it needs no host networking setup), a busybox image built locally
 * (no registry is reachable from CI), and stop by pid with everything it started gone.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import tar from 'tar-stream';
import { killOnExit, pidAlive, signalPid, spawnManaged, waitUntilReady, type ManagedProcess } from './processes.js';
import { tempDir } from './temp.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Dockerd {
  /** For `docker -H` and DOCKER_HOST, e.g. `unix:///tmp/clusterd-dockerd-x/docker.sock`. */
  readonly host: string;
  readonly socketPath: string;
  readonly pid: number;
  /** The containerd this dockerd started, when it did not use a system one. */
  readonly containerdPid: number | undefined;
  readonly process: ManagedProcess;
  /** Runs the docker CLI against this engine. */
  docker(args: string[], opts?: { stdin?: Buffer; timeoutMs?: number }): Promise<CommandResult>;
  /** Imports a busybox image under `tag` from /bin/busybox; its PATH holds the usual applets. */
  buildBusyboxImage(tag: string): Promise<void>;
  /** Stops dockerd (and the containerd it manages) by pid and removes the dir. Idempotent. */
  stop(): Promise<void>;
}

/** The applets test images get as /bin symlinks to busybox. */
export const busyboxApplets = [
  'sh', 'ash', 'cat', 'echo', 'sleep', 'ls', 'mkdir', 'rm', 'cp', 'mv', 'env', 'head', 'tail', 'dd',
  'wc', 'grep', 'sed', 'awk', 'printf', 'test', 'true', 'false', 'touch', 'id', 'date', 'kill',
  'ps', 'yes', 'sha256sum', 'tr', 'cut', 'seq', 'stat', 'uname', 'hostname', 'nproc', 'free',
];

export async function startDockerd(opts: { readyTimeoutMs?: number } = {}): Promise<Dockerd> {
  const dir = await tempDir('clusterd-dockerd');
  const socketPath = join(dir.path, 'docker.sock');
  const host = `unix://${socketPath}`;
  // A unique containerd namespace keeps this engine apart from any other dockerd that shares
  // the system containerd (dockerd uses /run/containerd when it exists, else starts its own).
  const namespace = `clusterd-test-${process.pid}-${Date.now()}`;
  const proc = spawnManaged('dockerd', 'dockerd', [
    '--storage-driver=vfs', '--iptables=false', '--bridge=none',
    '--host', host,
    '--data-root', join(dir.path, 'data'),
    '--exec-root', join(dir.path, 'exec'),
    '--pidfile', join(dir.path, 'docker.pid'),
    '--containerd-namespace', namespace,
    '--containerd-plugins-namespace', `${namespace}-plugins`,
  ]);
  const docker = (args: string[], o: { stdin?: Buffer; timeoutMs?: number } = {}) =>
    runDocker(host, args, o.stdin, o.timeoutMs ?? 60_000);
  let containerdPid: number | undefined;
  let forgetContainerd = () => {};
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    // On SIGTERM dockerd stops each container with the container's own grace (10 s, not
    // --shutdown-timeout, on 20.10), so a test's `sleep` would hold teardown: kill them first.
    if (proc.alive) {
      const ids = (await docker(['ps', '-aq'], { timeoutMs: 5_000 })).stdout.split(/\s+/).filter(Boolean);
      if (ids.length > 0) await docker(['rm', '-f', ...ids], { timeoutMs: 15_000 });
    }
    // dockerd then stops the containerd it manages; make sure that is gone too (a SIGKILLed
    // dockerd leaves it behind).
    await proc.stop(20_000);
    if (containerdPid !== undefined && pidAlive(containerdPid)) {
      signalPid(containerdPid, 'SIGTERM');
      await exitOf(containerdPid, 5_000);
    }
    forgetContainerd();
    await dir.remove();
  })());
  try {
    await waitUntilReady(proc, 'answering', async () => (await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 2_000 })).code === 0, opts.readyTimeoutMs ?? 15_000, 100);
    containerdPid = await readPid(join(dir.path, 'exec', 'containerd', 'containerd.pid'));
    if (containerdPid !== undefined) forgetContainerd = killOnExit(containerdPid);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host, socketPath, pid: proc.pid, containerdPid, process: proc, docker, stop,
    async buildBusyboxImage(tag) {
      const rootfs = await busyboxRootfs();
      const res = await docker(['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["sh"]', '-', tag], { stdin: rootfs });
      if (res.code !== 0) throw new Error(`docker import ${tag} failed (${res.code}): ${res.stderr}`);
    },
  };
}

/** A tarball of a minimal root filesystem: static busybox, its applets, the usual dirs. */
async function busyboxRootfs(busyboxPath = '/bin/busybox'): Promise<Buffer> {
  const binary = await readFile(busyboxPath).catch((err) => {
    throw new Error(`${busyboxPath} is missing (apt-get install busybox-static): ${String(err)}`);
  });
  // A dynamically linked busybox would fail in an image with no libc: say so here, not in the
  // container's cryptic "no such file or directory".
  if (hasInterpreter(binary)) throw new Error(`${busyboxPath} is dynamically linked; install busybox-static`);
  const pack = tar.pack();
  for (const name of ['bin', 'tmp', 'etc', 'proc', 'sys', 'dev', 'cluster']) {
    pack.entry({ name, type: 'directory', mode: name === 'tmp' ? 0o1777 : 0o755 });
  }
  pack.entry({ name: 'etc/passwd', mode: 0o644 }, 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  pack.entry({ name: 'bin/busybox', mode: 0o755 }, binary);
  for (const applet of busyboxApplets) pack.entry({ name: `bin/${applet}`, type: 'symlink', linkname: 'busybox' });
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Whether an ELF64 binary has a PT_INTERP program header, i.e. is dynamically linked. */
function hasInterpreter(elf: Buffer): boolean {
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) return false;
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (elf.readUInt32LE(phoff + i * phentsize) === 3) return true;
  return false;
}

async function runDocker(host: string, args: string[], stdin: Buffer | undefined, timeoutMs: number): Promise<CommandResult> {
  const child = spawn('docker', ['-H', host, ...args], { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  child.stdin?.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => { stdout += d; });
  child.stderr?.on('data', (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code: code ?? -1, stdout, stderr };
}

async function readPid(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Waits for a process we did not spawn (so cannot `wait` on) to go, then SIGKILLs it. */
async function exitOf(pid: number, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) {
      signalPid(pid, 'SIGKILL');
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
