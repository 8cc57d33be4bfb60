// Original file: proto/cluster.proto

import type { AgentInfo as _clusterd_v1_AgentInfo, AgentInfo__Output as _clusterd_v1_AgentInfo__Output } from '../../clusterd/v1/AgentInfo.js';

export interface AgentList {
  'agents'?: (_clusterd_v1_AgentInfo)[];
}

export interface AgentList__Output {
  'agents': (_clusterd_v1_AgentInfo__Output)[];
}
