// Original file: proto/cluster.proto


export interface SubmitReply {
  'run_id'?: (string);
}

export interface SubmitReply__Output {
  'run_id': (string);
}
