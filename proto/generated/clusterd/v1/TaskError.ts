// Original file: proto/cluster.proto


export interface TaskError {
  'code'?: (string);
  'message'?: (string);
  'stack'?: (string);
}

export interface TaskError__Output {
  'code': (string);
  'message': (string);
  'stack': (string);
}
