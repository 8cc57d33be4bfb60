// Original file: proto/cluster.proto

import type { Gpu as _clusterd_v1_Gpu, Gpu__Output as _clusterd_v1_Gpu__Output } from '../../clusterd/v1/Gpu.js';
import type { Long } from '@grpc/proto-loader';

export interface Capacity {
  'cpu_milli'?: (number | string | Long);
  'memory_bytes'?: (number | string | Long);
  'gpus'?: (_clusterd_v1_Gpu)[];
}

export interface Capacity__Output {
  'cpu_milli': (number);
  'memory_bytes': (number);
  'gpus': (_clusterd_v1_Gpu__Output)[];
}
