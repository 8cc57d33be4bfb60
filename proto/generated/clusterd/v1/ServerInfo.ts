// Original file: proto/cluster.proto

import type { ProcessHealth as _clusterd_v1_ProcessHealth, ProcessHealth__Output as _clusterd_v1_ProcessHealth__Output } from '../../clusterd/v1/ProcessHealth.js';

export interface ServerInfo {
  'id'?: (string);
  'addr'?: (string);
  'leader'?: (boolean);
  'health'?: (_clusterd_v1_ProcessHealth | null);
}

export interface ServerInfo__Output {
  'id': (string);
  'addr': (string);
  'leader': (boolean);
  'health': (_clusterd_v1_ProcessHealth__Output | null);
}
