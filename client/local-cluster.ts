/**
 * A production-shaped cluster on one machine, as real detached processes: etcd, scheduler
 * replicas on it sharing one chunk store folder, and agents. One folder holds all of it:
 *
 *   DIR/cluster.json    what was started: each process's role, address, pid and start time
 *   DIR/logs/NAME.log   each process's output
 *   DIR/etcd/  DIR/store/  DIR/agents/ID/   etcd's data, the chunk store, each agent's data
 *   DIR/tls/  DIR/client.env    unless insecure: the certificates (TLS between every part, tokens
 *                               required) and an admin's address, certificates and token
 *
 * `downLocalCluster` stops exactly the processes cluster.json names, by pid, after checking that
 * each pid still is the process that was started (pids are reused). Ports are kept in
 * cluster.json, so `up` after `down` brings back the same addresses and the same state.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from '../core/abortable.js';
import { ClusterError, errorMessage } from '../core/errors.js';
import { freePorts } from '../core/ports.js';
import { startTimeOf } from '../core/proc.js';
import { adminCredentials, ensureCertificates } from './admin-credentials.js';

export type ProcessRole = 'etcd' | 'scheduler' | 'agent';

export interface ClusterProcess {
  name: string;
  role: ProcessRole;
  /** gRPC address (scheduler), client URL (etcd) or '' (agent). */
  addr: string;
  /** host:port of /healthz and /readyz (etcd: of its /health, on its plaintext metrics address). */
  health: string;
  pid: number;
  /** From /proc/PID/stat: tells the process we started from a later one with the same pid. */
  startTime: string;
  log: string;
}

export interface ClusterManifest {
  dir: string;
  state: 'up' | 'down';
  etcd: string;
  /** etcd's peer URL: it is part of the member's identity in its data dir, so it must not change. */
  etcdPeer: string;
  schedulers: string[];
  processes: ClusterProcess[];
  /** DIR/client.env when the cluster runs TLS with tokens; '' when insecure. */
  clientEnv: string;
}

export interface UpOptions {
  dir: string;
  agents: number;
  replicas: number;
  host: string;
  leaseTtl: string;
  agentTtl: string;
  /** Extra flags for every agent, e.g. ['--cpu', '2']. */
  agentArgs: string[];
  logLevel: string;
  readyTimeoutMs: number;
  /** Plaintext and no tokens (default: TLS between every part, tokens required). */
  insecure?: boolean;
}

const cliEntry = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export function manifestPath(dir: string): string {
  return path.join(dir, 'cluster.json');
}

export function readManifest(dir: string): ClusterManifest | undefined {
  const file = manifestPath(dir);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ClusterManifest;
  } catch (err) {
    throw new ClusterError('INVALID_ARGUMENT', `${file}: not a cluster manifest: ${errorMessage(err)}`);
  }
}

/** Temp file + rename: a crash while writing never leaves a manifest `down` cannot read. */
function writeManifest(m: ClusterManifest): void {
  const file = manifestPath(m.dir);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(m, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The processes of the manifest that still run (same pid and start time). */
export function liveProcesses(m: ClusterManifest): ClusterProcess[] {
  return m.processes.filter((p) => startTimeOf(p.pid) === p.startTime);
}

/**
 * Starts what is not running: on a folder whose cluster is partly up (a replica was killed) only
 * the missing processes start, so `up` is also how a dead member is brought back.
 */
export async function upLocalCluster(opts: UpOptions): Promise<ClusterManifest> {
  const dir = path.resolve(opts.dir);
  const previous = readManifest(dir);
  const running = new Map((previous ? liveProcesses(previous) : []).map((p) => [p.name, p]));
  for (const sub of ['logs', 'etcd', 'store', 'agents']) mkdirSync(path.join(dir, sub), { recursive: true });
  const ports = await portPlan(opts, previous);
  const etcdPeer = `http://127.0.0.1:${ports.etcdPeer}`;
  const tlsDir = opts.insecure ? undefined : await ensureCertificates(path.join(dir, 'tls'), opts.host);
  const tlsArgs = tlsDir ? ['--tls-dir', tlsDir] : [];
  const m: ClusterManifest = {
    dir, state: 'up', etcd: etcdClientUrl(opts.host, ports.etcdClient, tlsDir !== undefined), etcdPeer, schedulers: ports.schedulers.map((p) => `${opts.host}:${p.grpc}`), processes: [],
    clientEnv: tlsDir ? path.join(dir, 'client.env') : '',
  };
  const started: ClusterProcess[] = [];
  const start = (name: string, role: ProcessRole, addr: string, health: string, command: string, args: string[]) => {
    const p = running.get(name) ?? spawnLogged(dir, name, role, addr, health, command, args);
    if (!running.has(name)) started.push(p);
    m.processes.push(p);
    writeManifest(m);
  };
  try {
    // With TLS etcd serves its clients (the replicas) with the scheduler certificate and takes
    // only clients the cluster's CA signed; /health then moves to a plaintext metrics address.
    const etcdHealth = `${opts.host}:${ports.etcdMetrics}`;
    const tlsFile = (name: string) => path.join(tlsDir ?? '', name);
    start('etcd', 'etcd', m.etcd, etcdHealth, 'etcd', [
      '--name', 'clusterd', '--data-dir', path.join(dir, 'etcd'),
      '--listen-client-urls', `${new URL(m.etcd).protocol}//${opts.host}:${ports.etcdClient}`, '--advertise-client-urls', m.etcd,
      '--listen-peer-urls', etcdPeer, '--initial-advertise-peer-urls', etcdPeer,
      '--initial-cluster', `clusterd=${etcdPeer}`, '--initial-cluster-state', 'new',
      '--listen-metrics-urls', `http://${etcdHealth}`,
      ...(tlsDir ? ['--cert-file', tlsFile('scheduler.crt'), '--key-file', tlsFile('scheduler.key'), '--client-cert-auth', '--trusted-ca-file', tlsFile('ca.crt')] : []),
      '--logger', 'zap', '--log-level', 'warn',
    ]);
    await waitReady(m.processes[0]!, () => etcdHealthy(etcdHealth), opts.readyTimeoutMs);
    const etcdTlsArgs = tlsDir ? ['--etcd-ca', tlsFile('ca.crt'), '--etcd-cert', tlsFile('scheduler.crt'), '--etcd-key', tlsFile('scheduler.key')] : [];
    const base = [cliEntry, '--log-level', opts.logLevel];
    ports.schedulers.forEach((p, i) => {
      const addr = m.schedulers[i]!;
      start(`scheduler-${i + 1}`, 'scheduler', addr, `${opts.host}:${p.health}`, process.execPath, [
        ...base, 'scheduler', '--listen', addr, '--etcd', m.etcd, ...etcdTlsArgs, '--lease-ttl', opts.leaseTtl,
        '--agent-ttl', opts.agentTtl, '--store', path.join(dir, 'store'), '--health-listen', `${opts.host}:${p.health}`, ...tlsArgs,
      ]);
    });
    ports.agents.forEach((healthPort, i) => {
      const id = `agent-${i + 1}`;
      start(id, 'agent', '', `${opts.host}:${healthPort}`, process.execPath, [
        ...base, 'agent', '--id', id, '--scheduler', m.schedulers.join(','), '--data', path.join(dir, 'agents', id),
        '--health-listen', `${opts.host}:${healthPort}`, ...tlsArgs, ...opts.agentArgs,
      ]);
    });
    for (const p of m.processes.filter((p) => p.role !== 'etcd')) await waitReady(p, () => ready(p.health), opts.readyTimeoutMs);
    if (tlsDir) await adminCredentials(m.schedulers, tlsDir, m.clientEnv);
    return m;
  } catch (err) {
    await Promise.all(started.map((p) => stopProcess(p, 5_000)));
    throw err;
  }
}

export interface DownReport {
  stopped: string[];
  /** Named by the manifest but no longer running (exited, or the pid now belongs to another process). */
  gone: string[];
}

/** Agents first (they hand back their tasks), then schedulers, then etcd: SIGTERM, then SIGKILL after `graceMs`. */
export async function downLocalCluster(dir: string, graceMs = 15_000): Promise<DownReport> {
  const m = readManifest(path.resolve(dir));
  if (!m) throw new ClusterError('NOT_FOUND', `no cluster in ${path.resolve(dir)} (no cluster.json)`);
  const report: DownReport = { stopped: [], gone: [] };
  for (const role of ['agent', 'scheduler', 'etcd'] as const) {
    const group = m.processes.filter((p) => p.role === role);
    await Promise.all(group.map(async (p) => {
      if (await stopProcess(p, graceMs)) report.stopped.push(p.name);
      else report.gone.push(p.name);
    }));
  }
  writeManifest({ ...m, state: 'down' });
  return report;
}

interface PortPlan {
  etcdClient: number;
  etcdPeer: number;
  etcdMetrics: number;
  schedulers: Array<{ grpc: number; health: number }>;
  agents: number[];
}

/**
 * The ports of an earlier `up` of this folder when there was one (etcd remembers its peer URL,
 * and users their CLUSTERCTL_ADDR), else fresh free ones.
 */
async function portPlan(opts: UpOptions, previous: ClusterManifest | undefined): Promise<PortPlan> {
  const portOf = (url: string) => Number(new URL(url.includes('://') ? url : `http://${url}`).port);
  const fresh = await freePorts(3 + opts.replicas * 2 + opts.agents, opts.host);
  const take = () => fresh.shift()!;
  const old = (name: string) => previous?.processes.find((p) => p.name === name);
  const plan: PortPlan = {
    etcdClient: previous ? portOf(previous.etcd) : take(),
    etcdPeer: previous ? portOf(previous.etcdPeer) : take(),
    etcdMetrics: old('etcd')?.health ? portOf(old('etcd')!.health) : take(),
    schedulers: [],
    agents: [],
  };
  for (let i = 1; i <= opts.replicas; i++) {
    const s = old(`scheduler-${i}`);
    plan.schedulers.push(s ? { grpc: portOf(s.addr), health: portOf(s.health) } : { grpc: take(), health: take() });
  }
  for (let i = 1; i <= opts.agents; i++) {
    const a = old(`agent-${i}`);
    plan.agents.push(a ? portOf(a.health) : take());
  }
  return plan;
}

/** Spawns a detached process logging to DIR/logs/NAME.log. */
function spawnLogged(dir: string, name: string, role: ProcessRole, addr: string, health: string, command: string, args: string[]): ClusterProcess {
  const log = path.join(dir, 'logs', `${name}.log`);
  const fd = openSync(log, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.on('error', () => {}); // reported below: a missing binary gives no pid
    child.unref();
    const pid = child.pid;
    if (pid === undefined) throw new ClusterError('INVALID_ARGUMENT', `cannot start ${name}: ${command} not found${role === 'etcd' ? ' (apt-get install etcd-server)' : ''}`);
    return { name, role, addr, health, pid, startTime: startTimeOf(pid) ?? '', log };
  } finally {
    closeSync(fd);
  }
}

async function waitReady(p: ClusterProcess, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    if (startTimeOf(p.pid) !== p.startTime) throw new ClusterError('UNAVAILABLE', `${p.name} exited while starting; the end of ${p.log}:\n${logTail(p.log)}`);
    await sleep(100);
  }
  throw new ClusterError('UNAVAILABLE', `${p.name} was not ready within ${timeoutMs / 1000} s; the end of ${p.log}:\n${logTail(p.log)}`);
}

/**
 * etcd's client URL. With TLS on loopback it is named `localhost` (in the certificate too):
 * grpc-js would send an IP literal as the TLS server name, which RFC 6066 forbids and Node warns
 * about in every replica's log.
 */
function etcdClientUrl(host: string, port: number, tls: boolean): string {
  return tls ? `https://${host === '127.0.0.1' ? 'localhost' : host}:${port}` : `http://${host}:${port}`;
}

async function etcdHealthy(metrics: string): Promise<boolean> {
  const res = await fetch(`http://${metrics}/health`, { signal: AbortSignal.timeout(1_000) });
  return res.ok && ((await res.json()) as { health?: string }).health === 'true';
}

async function ready(health: string): Promise<boolean> {
  return (await fetch(`http://${health}/readyz`, { signal: AbortSignal.timeout(1_000) })).ok;
}

function logTail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Whether it was running (and is now stopped). */
async function stopProcess(p: ClusterProcess, graceMs: number): Promise<boolean> {
  if (startTimeOf(p.pid) !== p.startTime) return false;
  signal(p.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (startTimeOf(p.pid) === p.startTime) {
    if (Date.now() > deadline) signal(p.pid, 'SIGKILL');
    await sleep(50);
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // exited in between
  }
}

