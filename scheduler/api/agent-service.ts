// The agent stream endpoint: the leader serves it; other replicas say where the leader is.
import { ClusterError } from '../../core/errors.js';
import { toServiceError } from '../../proto/status.js';
import type { AgentServiceHandlers } from '../../proto/types.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { AgentRegistry } from '../dispatch/agent-registry.js';
import type { FlowEngine } from '../flow/engine.js';
import { streamInput } from './input-stream.js';

export interface AgentServiceDeps {
  /** The leader's registry and engine; they throw NOT_LEADER on a follower. */
  registry(): AgentRegistry;
  engine(): FlowEngine;
  leaderAddr(): string;
  /** Who the agent is (the interceptor has checked it may connect as one): its id is bound to it. */
  auth: Authorizer;
}

export function agentServiceHandlers(deps: AgentServiceDeps): AgentServiceHandlers {
  return {
    GetInput: (call) => {
      try {
        streamInput(call, deps.engine());
      } catch (err) {
        call.emit('error', toServiceError(err));
      }
    },
    Connect: (stream) => {
      let registry: AgentRegistry;
      let identity: string;
      try {
        identity = deps.auth.principal(stream).identity;
        registry = deps.registry();
      } catch (err) {
        if ((err as ClusterError).code !== 'NOT_LEADER') {
          stream.emit('error', toServiceError(err));
          return;
        }
        stream.write({ not_leader: { leader_addr: deps.leaderAddr() } });
        stream.end();
        return;
      }
      registry.attach(stream, identity);
    },
  };
}
