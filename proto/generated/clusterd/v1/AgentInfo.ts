// Original file: proto/cluster.proto

import type { Capacity as _clusterd_v1_Capacity, Capacity__Output as _clusterd_v1_Capacity__Output } from '../../clusterd/v1/Capacity.js';
import type { Resources as _clusterd_v1_Resources, Resources__Output as _clusterd_v1_Resources__Output } from '../../clusterd/v1/Resources.js';
import type { Long } from '@grpc/proto-loader';

export interface AgentInfo {
  'agent_id'?: (string);
  'hostname'?: (string);
  'state'?: (string);
  'capacity'?: (_clusterd_v1_Capacity | null);
  'allocated'?: (_clusterd_v1_Resources | null);
  'gpus_in_use'?: (number)[];
  'labels'?: ({[key: string]: string});
  'executors'?: (string)[];
  'running_tasks'?: (number);
  'last_seen_ms'?: (number | string | Long);
  'refused_reports'?: (number | string | Long);
}

export interface AgentInfo__Output {
  'agent_id': (string);
  'hostname': (string);
  'state': (string);
  'capacity': (_clusterd_v1_Capacity__Output | null);
  'allocated': (_clusterd_v1_Resources__Output | null);
  'gpus_in_use': (number)[];
  'labels': ({[key: string]: string});
  'executors': (string)[];
  'running_tasks': (number);
  'last_seen_ms': (number);
  'refused_reports': (number);
}
