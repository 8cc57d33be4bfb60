// Original file: proto/cluster.proto


export interface LogsRequest {
  'run_id'?: (string);
  'step'?: (string);
  'index'?: (number);
  'follow'?: (boolean);
}

export interface LogsRequest__Output {
  'run_id': (string);
  'step': (string);
  'index': (number);
  'follow': (boolean);
}
