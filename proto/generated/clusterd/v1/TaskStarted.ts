// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface TaskStarted {
  'at_ms'?: (number | string | Long);
}

export interface TaskStarted__Output {
  'at_ms': (number);
}
