// A raw agent stream for integration tests: what an agent (or an impostor) says, and what the
// scheduler answers.
import * as grpc from '@grpc/grpc-js';
import { ClusterCredentials } from '../../proto/credentials.js';
import { channelOptions, proto } from '../../proto/load.js';
import type { AgentMessage, AgentServiceClient, SchedulerMessage__Output } from '../../proto/types.js';

/**
 * Sends `messages` on a fresh agent stream; resolves with what came back and how it ended. The
 * stream ends when the scheduler ends it, or is cancelled once a message `until` wants arrives
 * (after 10 s at the latest).
 */
export function converse(
  addr: string,
  messages: AgentMessage[],
  until: (m: SchedulerMessage__Output) => boolean = () => false,
  credentials = ClusterCredentials.plaintext,
): Promise<{ received: SchedulerMessage__Output[]; status: grpc.StatusObject }> {
  const channel = credentials.forTarget(addr, channelOptions);
  const client = new proto.AgentService(addr, channel.credentials, channel.options) as unknown as AgentServiceClient;
  return new Promise((resolve) => {
    const received: SchedulerMessage__Output[] = [];
    const stream = client.Connect();
    const safety = setTimeout(() => stream.cancel(), 10_000);
    stream.on('data', (m: SchedulerMessage__Output) => {
      received.push(m);
      if (until(m)) stream.cancel();
    });
    stream.on('error', () => {});
    stream.on('status', (status: grpc.StatusObject) => {
      clearTimeout(safety);
      client.close();
      resolve({ received, status });
    });
    for (const m of messages) stream.write(m);
  });
}
