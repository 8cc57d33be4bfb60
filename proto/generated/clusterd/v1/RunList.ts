// Original file: proto/cluster.proto

import type { RunStatus as _clusterd_v1_RunStatus, RunStatus__Output as _clusterd_v1_RunStatus__Output } from '../../clusterd/v1/RunStatus.js';

export interface RunList {
  'runs'?: (_clusterd_v1_RunStatus)[];
}

export interface RunList__Output {
  'runs': (_clusterd_v1_RunStatus__Output)[];
}
