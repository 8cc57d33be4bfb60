// Original file: proto/cluster.proto


export interface InputRef {
  'run_id'?: (string);
  'step'?: (string);
  'index'?: (number);
}

export interface InputRef__Output {
  'run_id': (string);
  'step': (string);
  'index': (number);
}
