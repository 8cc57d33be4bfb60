// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface Resources {
  'cpu_milli'?: (number | string | Long);
  'memory_bytes'?: (number | string | Long);
  'gpus'?: (number);
}

export interface Resources__Output {
  'cpu_milli': (number);
  'memory_bytes': (number);
  'gpus': (number);
}
