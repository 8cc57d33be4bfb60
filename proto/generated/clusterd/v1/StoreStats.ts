// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface StoreStats {
  'objects'?: (number | string | Long);
  'chunks'?: (number | string | Long);
  'logical_bytes'?: (number | string | Long);
  'stored_bytes'?: (number | string | Long);
  'dedup_ratio'?: (number | string);
}

export interface StoreStats__Output {
  'objects': (number);
  'chunks': (number);
  'logical_bytes': (number);
  'stored_bytes': (number);
  'dedup_ratio': (number);
}
