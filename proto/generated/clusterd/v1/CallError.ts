// Original file: proto/cluster.proto


export interface CallError {
  'code'?: (string);
  'message'?: (string);
  'detail'?: (string);
}

export interface CallError__Output {
  'code': (string);
  'message': (string);
  'detail': (string);
}
