/**
 * A real single-member etcd for tests: loopback client and peer ports, a temp data dir, healthy
 * before it is returned, and stopped by pid with its dir removed.
 */
import { freePorts } from './ports.js';
import { spawnManaged, waitUntilReady, type ManagedProcess } from './processes.js';
import { tempDir } from './temp.js';

export interface EtcdServer {
  /** Client URLs, e.g. `http://127.0.0.1:40123`. */
  readonly endpoints: string[];
  readonly pid: number;
  /** The process, for tests that pause (SIGSTOP) or read its output. */
  readonly process: ManagedProcess;
  /** Stops etcd by pid, waits for it to exit and removes its data dir. Idempotent. */
  stop(): Promise<void>;
}

export interface EtcdOptions {
  /** Path of the etcd binary; `etcd` on PATH by default. */
  binary?: string;
  readyTimeoutMs?: number;
}

export async function startEtcd(opts: EtcdOptions = {}): Promise<EtcdServer> {
  // A free port can be taken between our probe and etcd's bind; one retry covers that race.
  try {
    return await startOnce(opts);
  } catch (err) {
    if (!/address already in use/.test(String(err))) throw err;
    return startOnce(opts);
  }
}

async function startOnce(opts: EtcdOptions): Promise<EtcdServer> {
  const dir = await tempDir('clusterd-etcd');
  const [clientPort, peerPort] = await freePorts(2);
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawnManaged('etcd', opts.binary ?? 'etcd', [
    '--name', 'test',
    '--data-dir', dir.path,
    '--listen-client-urls', client,
    '--advertise-client-urls', client,
    '--listen-peer-urls', peer,
    '--initial-advertise-peer-urls', peer,
    '--initial-cluster', `test=${peer}`,
    '--initial-cluster-state', 'new',
    '--logger', 'zap',
    '--log-level', 'warn',
  ]);
  const stop = async () => {
    await proc.stop();
    await dir.remove();
  };
  try {
    await waitUntilReady(proc, 'healthy', () => healthy(client), opts.readyTimeoutMs ?? 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoints: [client], pid: proc.pid, process: proc, stop };
}

async function healthy(client: string): Promise<boolean> {
  const res = await fetch(`${client}/health`, { signal: AbortSignal.timeout(1_000) });
  return res.ok && ((await res.json()) as { health?: string }).health === 'true';
}
