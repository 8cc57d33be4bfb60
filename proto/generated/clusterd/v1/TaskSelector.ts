// Original file: proto/cluster.proto


export interface TaskSelector {
  'run_id'?: (string);
  'step'?: (string);
  'index'?: (number);
}

export interface TaskSelector__Output {
  'run_id': (string);
  'step': (string);
  'index': (number);
}
