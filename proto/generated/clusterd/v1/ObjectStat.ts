// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ObjectStat {
  'object_id'?: (string);
  'size_bytes'?: (number | string | Long);
  'chunks'?: (number);
  'kind'?: (string);
}

export interface ObjectStat__Output {
  'object_id': (string);
  'size_bytes': (number);
  'chunks': (number);
  'kind': (string);
}
