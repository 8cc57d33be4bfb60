// Original file: proto/cluster.proto


export interface PutReply {
  'stored'?: (number);
  'present'?: (number);
}

export interface PutReply__Output {
  'stored': (number);
  'present': (number);
}
