// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface Gpu {
  'index'?: (number);
  'model'?: (string);
  'memory_bytes'?: (number | string | Long);
  'uuid'?: (string);
}

export interface Gpu__Output {
  'index': (number);
  'model': (string);
  'memory_bytes': (number);
  'uuid': (string);
}
