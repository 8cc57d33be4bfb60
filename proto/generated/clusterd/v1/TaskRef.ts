// Original file: proto/cluster.proto


export interface TaskRef {
  'task_id'?: (string);
  'attempt'?: (number);
  'gpu_indices'?: (number)[];
}

export interface TaskRef__Output {
  'task_id': (string);
  'attempt': (number);
  'gpu_indices': (number)[];
}
