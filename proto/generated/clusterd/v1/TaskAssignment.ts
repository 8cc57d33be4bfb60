// Original file: proto/cluster.proto


export interface TaskAssignment {
  'task_id'?: (string);
  'attempt'?: (number);
  'index'?: (number);
  'gpu_indices'?: (number)[];
  'input'?: (Buffer | Uint8Array | string);
  'item'?: (Buffer | Uint8Array | string);
}

export interface TaskAssignment__Output {
  'task_id': (string);
  'attempt': (number);
  'index': (number);
  'gpu_indices': (number)[];
  'input': (Buffer);
  'item': (Buffer);
}
