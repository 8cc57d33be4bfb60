// Original file: proto/cluster.proto


export interface TaskRef {
  'task_id'?: (string);
  'attempt'?: (number);
}

export interface TaskRef__Output {
  'task_id': (string);
  'attempt': (number);
}
