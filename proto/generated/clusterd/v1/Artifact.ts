// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface Artifact {
  'name'?: (string);
  'object_id'?: (string);
  'size_bytes'?: (number | string | Long);
}

export interface Artifact__Output {
  'name': (string);
  'object_id': (string);
  'size_bytes': (number);
}
