/**
 * The transport floor of a single-task round trip on this machine: the path a run's messages
 * take (client → scheduler → agent → worker thread → agent → scheduler → client), as three
 * processes on loopback TCP and a worker thread that pass a 200-byte message along and do
 * nothing else. What the latency benchmark measures above it is clusterd's own cost; the floor
 * itself is the machine's (on a VM, mostly waking each process on an idle vCPU).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { percentile, round } from './stats.js';

const relayEntry = fileURLToPath(new URL('./transport-floor-relay.js', import.meta.url));
/** Round trips before the measured ones: sockets and the worker warm. */
const warmupRoundTrips = 1_000;
const messageBytes = 200;

export interface TransportFloor {
  roundTrips: number;
  p50: number;
  p99: number;
}

export async function measureTransportFloor(roundTrips: number): Promise<TransportFloor> {
  const children: ChildProcess[] = [];
  let socket: net.Socket | undefined;
  try {
    const agentPort = await startRelay(children, ['agent']);
    const schedulerPort = await startRelay(children, ['scheduler', String(agentPort)]);
    socket = net.connect(schedulerPort, '127.0.0.1');
    socket.setNoDelay(true);
    await once(socket, 'connect');
    const message = Buffer.alloc(messageBytes);
    const ms: number[] = [];
    for (let i = 0; i < warmupRoundTrips + roundTrips; i++) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        socket!.once('data', () => resolve());
        socket!.write(message);
      });
      if (i >= warmupRoundTrips) ms.push(performance.now() - t0);
    }
    return { roundTrips, p50: round(percentile(ms, 50), 3), p99: round(percentile(ms, 99), 3) };
  } finally {
    socket?.destroy();
    await Promise.all(children.map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      process.kill(child.pid!, 'SIGKILL');
      await exited;
    }));
  }
}

/** Starts a relay process; resolves with the port it listens on. */
async function startRelay(children: ChildProcess[], args: string[]): Promise<number> {
  const child = fork(relayEntry, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  children.push(child);
  const [port] = await Promise.race([
    once(child, 'message') as Promise<[number]>,
    once(child, 'exit').then(([code]) => {
      throw new Error(`the transport floor's ${args[0]} relay exited (${String(code)}) before it listened`);
    }),
  ]);
  return port;
}
