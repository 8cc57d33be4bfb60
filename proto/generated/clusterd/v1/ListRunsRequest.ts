// Original file: proto/cluster.proto

import type { Long } from '@grpc/proto-loader';

export interface ListRunsRequest {
  'limit'?: (number);
  'project'?: (string);
  'name'?: (string);
  'state'?: (string);
  'since_ms'?: (number | string | Long);
}

export interface ListRunsRequest__Output {
  'limit': (number);
  'project': (string);
  'name': (string);
  'state': (string);
  'since_ms': (number);
}
