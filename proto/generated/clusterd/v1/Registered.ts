// Original file: proto/cluster.proto

import type { TaskRef as _clusterd_v1_TaskRef, TaskRef__Output as _clusterd_v1_TaskRef__Output } from '../../clusterd/v1/TaskRef.js';
import type { Long } from '@grpc/proto-loader';

export interface Registered {
  'heartbeat_interval_ms'?: (number | string | Long);
  'scheduler_id'?: (string);
  'stop'?: (_clusterd_v1_TaskRef)[];
}

export interface Registered__Output {
  'heartbeat_interval_ms': (number);
  'scheduler_id': (string);
  'stop': (_clusterd_v1_TaskRef__Output)[];
}
