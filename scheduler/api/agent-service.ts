// The agent stream endpoint: the leader serves it; other replicas say where the leader is.
import { ClusterError } from '../../core/errors.js';
import { toServiceError } from '../../proto/status.js';
import type { AgentServiceHandlers } from '../../proto/types.js';
import type { AgentRegistry } from '../dispatch/agent-registry.js';
import type { FlowEngine } from '../flow/engine.js';
import { streamInput } from './input-stream.js';

export function agentServiceHandlers(leaderRegistry: () => AgentRegistry, leaderAddr: () => string, leaderEngine: () => FlowEngine): AgentServiceHandlers {
  return {
    GetInput: (call) => {
      try {
        streamInput(call, leaderEngine());
      } catch (err) {
        call.emit('error', toServiceError(err));
      }
    },
    Connect: (stream) => {
      let registry: AgentRegistry;
      try {
        registry = leaderRegistry();
      } catch (err) {
        if ((err as ClusterError).code !== 'NOT_LEADER') throw err;
        stream.write({ not_leader: { leader_addr: leaderAddr() } });
        stream.end();
        return;
      }
      registry.attach(stream);
    },
  };
}
