// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface GcReply {
  'removed_chunks'?: (number | string | Long);
  'removed_bytes'?: (number | string | Long);
  'kept_chunks'?: (number | string | Long);
}

export interface GcReply__Output {
  'removed_chunks': (number);
  'removed_bytes': (number);
  'kept_chunks': (number);
}
