// Original file: proto/cluster.proto

import type { ServerInfo as _clusterd_v1_ServerInfo, ServerInfo__Output as _clusterd_v1_ServerInfo__Output } from '../../clusterd/v1/ServerInfo.js';

export interface ServerList {
  'servers'?: (_clusterd_v1_ServerInfo)[];
}

export interface ServerList__Output {
  'servers': (_clusterd_v1_ServerInfo__Output)[];
}
