/**
 * One middle process of the transport floor (see transport-floor.ts), run by it as a child:
 *
 *   node transport-floor-relay.js agent          echoes each message through a worker thread
 *   node transport-floor-relay.js scheduler PORT  passes each message on to PORT and back
 *
 * It listens on a loopback port, sends the port to its parent over IPC, and relays until
 * killed. Nothing else runs in it: no decoding, no state, no logging.
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';

const role = process.argv[2];
if (role !== 'agent' && role !== 'scheduler') throw new Error(`transport-floor-relay: unknown role "${role}"`);

const echoWorker = 'require("node:worker_threads").parentPort.on("message", (m) => require("node:worker_threads").parentPort.postMessage(m));';
const worker = role === 'agent' ? new Worker(echoWorker, { eval: true }) : undefined;
const upstream = role === 'scheduler' ? await connect(Number(process.argv[3])) : undefined;

const server = net.createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (message) => {
    if (worker) {
      worker.once('message', () => socket.write(message));
      worker.postMessage(null);
    } else {
      upstream!.once('data', (reply) => socket.write(reply));
      upstream!.write(message);
    }
  });
});
server.listen(0, '127.0.0.1', () => process.send!((server.address() as net.AddressInfo).port));

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
