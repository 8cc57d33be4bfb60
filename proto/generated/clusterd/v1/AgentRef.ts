// Original file: proto/cluster.proto


export interface AgentRef {
  'agent_id'?: (string);
}

export interface AgentRef__Output {
  'agent_id': (string);
}
