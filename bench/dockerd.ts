/**
 * A private Docker engine for benchmarks and tests: dockerd on a unix socket in a temp dir (vfs
 * storage, no iptables, no bridge, so it needs no host networking setup), a busybox image built
 * locally (no registry is reachable), and stop by pid with everything it started gone. If this
 * process exits without stopping it, dockerd and its containerd are killed by pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { sleep } from '../core/abortable.js';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The dockerd child process: whether it still runs, and the tail of its output. */
export interface EngineProcess {
  readonly alive: boolean;
  readonly output: string;
}

export interface Dockerd {
  /** For `docker -H` and DOCKER_HOST, e.g. `unix:///tmp/clusterd-dockerd-x/docker.sock`. */
  readonly host: string;
  readonly socketPath: string;
  readonly pid: number;
  /** The containerd this dockerd started, when it did not use a system one. */
  readonly containerdPid: number | undefined;
  readonly process: EngineProcess;
  /** Runs the docker CLI against this engine. */
  docker(args: string[], opts?: { stdin?: Buffer; timeoutMs?: number }): Promise<CommandResult>;
  /** Imports a busybox image under `tag` from /bin/busybox; its PATH holds the usual applets. */
  buildBusyboxImage(tag: string): Promise<void>;
  /** Stops dockerd (and the containerd it manages) by pid and removes the dir. Idempotent. */
  stop(): Promise<void>;
}

/** The applets images built here get as /bin symlinks to busybox. */
export const busyboxApplets = [
  'sh', 'ash', 'cat', 'echo', 'sleep', 'ls', 'mkdir', 'rm', 'cp', 'mv', 'env', 'head', 'tail', 'dd',
  'wc', 'grep', 'sed', 'awk', 'printf', 'test', 'true', 'false', 'touch', 'id', 'date', 'kill',
  'ps', 'yes', 'sha256sum', 'tr', 'cut', 'seq', 'stat', 'uname', 'hostname', 'nproc', 'free',
];

const busyboxPath = '/bin/busybox';

/**
 * Why a private engine with a busybox image cannot be had on this machine (the Debian package
 * to install), or undefined when it can.
 */
export function dockerdMissing(): string | undefined {
  for (const program of ['dockerd', 'docker']) {
    if (spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0) return `${program} is not installed (apt-get install docker.io)`;
  }
  if (!existsSync(busyboxPath)) return `${busyboxPath} is missing (apt-get install busybox-static)`;
  if (hasInterpreter(readFileSync(busyboxPath))) return `${busyboxPath} is dynamically linked (apt-get install busybox-static)`;
  return undefined;
}

export async function startDockerd(opts: { readyTimeoutMs?: number } = {}): Promise<Dockerd> {
  const dir = await mkdtemp(join(tmpdir(), 'clusterd-dockerd-'));
  const socketPath = join(dir, 'docker.sock');
  const host = `unix://${socketPath}`;
  // A unique containerd namespace keeps this engine apart from any other dockerd that shares
  // the system containerd (dockerd uses /run/containerd when it exists, else starts its own).
  const namespace = `clusterd-test-${process.pid}-${Date.now()}`;
  const engine = new ChildEngine(spawn('dockerd', [
    '--storage-driver=vfs', '--iptables=false', '--bridge=none',
    '--host', host,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '--containerd-namespace', namespace,
    '--containerd-plugins-namespace', `${namespace}-plugins`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const docker = (args: string[], o: { stdin?: Buffer; timeoutMs?: number } = {}) =>
    runDocker(host, args, o.stdin, o.timeoutMs ?? 60_000);
  let containerdPid: number | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= (async () => {
    // On SIGTERM dockerd stops each container with the container's own grace (10 s, not
    // --shutdown-timeout, on 20.10), so a `sleep` would hold teardown: kill them first.
    if (engine.alive) {
      const ids = (await docker(['ps', '-aq'], { timeoutMs: 5_000 })).stdout.split(/\s+/).filter(Boolean);
      if (ids.length > 0) await docker(['rm', '-f', ...ids], { timeoutMs: 15_000 });
    }
    // dockerd then stops the containerd it manages; make sure that is gone too (a SIGKILLed
    // dockerd leaves it behind).
    await engine.stop(20_000);
    if (containerdPid !== undefined) await stopForeignPid(containerdPid, 5_000);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  })());
  try {
    await untilAnswering(engine, () => docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 2_000 }), opts.readyTimeoutMs ?? 15_000);
    containerdPid = await readPid(join(dir, 'exec', 'containerd', 'containerd.pid'));
    if (containerdPid !== undefined) killOnExit.add(containerdPid);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    host, socketPath, pid: engine.pid, containerdPid, process: engine, docker, stop,
    async buildBusyboxImage(tag) {
      const rootfs = await busyboxRootfs();
      const res = await docker(['import', '--change', 'ENV PATH=/bin', '--change', 'CMD ["sh"]', '-', tag], { stdin: rootfs });
      if (res.code !== 0) throw new Error(`docker import ${tag} failed (${res.code}): ${res.stderr}`);
    },
  };
}

/** Pids to SIGKILL if this process exits while they still run. */
const killOnExit = new Set<number>();
process.once('exit', () => {
  for (const pid of killOnExit) signal(pid, 'SIGKILL');
});

class ChildEngine implements EngineProcess {
  output = '';
  readonly pid: number;
  private readonly exited: Promise<unknown>;

  constructor(private readonly child: ChildProcess) {
    if (child.pid === undefined) throw new Error('dockerd did not start');
    this.pid = child.pid;
    killOnExit.add(this.pid);
    // Keep only the tail: dockerd logs a lot, and the tail is what explains a failure.
    const collect = (d: Buffer) => { this.output = (this.output + d.toString()).slice(-20_000); };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = once(child, 'exit').finally(() => killOnExit.delete(this.pid));
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(graceMs: number): Promise<void> {
    if (!this.alive) return;
    signal(this.pid, 'SIGTERM');
    const timer = setTimeout(() => signal(this.pid, 'SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Polls `probe` until it exits 0; fails after `timeoutMs`, or at once if dockerd exits. */
async function untilAnswering(engine: ChildEngine, probe: () => Promise<CommandResult>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!engine.alive) throw new Error(`dockerd exited before answering:\n${engine.output}`);
    if ((await probe()).code === 0) return;
    await sleep(100);
  }
  throw new Error(`dockerd (pid ${engine.pid}) not answering within ${timeoutMs} ms:\n${engine.output}`);
}

/** A tarball of a minimal root filesystem: static busybox, its applets, the usual dirs. */
async function busyboxRootfs(): Promise<Buffer> {
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

/**
 * SIGTERM to a process we did not spawn (so cannot `wait` on), SIGKILL if it has not gone after
 * `graceMs`. A zombie waiting for its parent to reap it counts as gone.
 */
async function stopForeignPid(pid: number, graceMs: number): Promise<void> {
  const deadline = Date.now() + graceMs;
  if (running(pid)) signal(pid, 'SIGTERM');
  while (running(pid)) {
    if (Date.now() > deadline) {
      signal(pid, 'SIGKILL');
      break;
    }
    await sleep(50);
  }
  killOnExit.delete(pid);
}

function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
