// Original file: proto/cluster.proto


export interface ObjectRef {
  'object_id'?: (string);
}

export interface ObjectRef__Output {
  'object_id': (string);
}
