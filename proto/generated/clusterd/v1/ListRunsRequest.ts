// Original file: proto/cluster.proto


export interface ListRunsRequest {
  'limit'?: (number);
}

export interface ListRunsRequest__Output {
  'limit': (number);
}
