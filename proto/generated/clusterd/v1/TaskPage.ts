// Original file: proto/cluster.proto


export interface TaskPage {
  'limit'?: (number);
  'page'?: (number);
  'state'?: (string);
  'step'?: (string);
  'all'?: (boolean);
  'none'?: (boolean);
}

export interface TaskPage__Output {
  'limit': (number);
  'page': (number);
  'state': (string);
  'step': (string);
  'all': (boolean);
  'none': (boolean);
}
