// Original file: proto/cluster.proto


export interface RunRef {
  'run_id'?: (string);
}

export interface RunRef__Output {
  'run_id': (string);
}
