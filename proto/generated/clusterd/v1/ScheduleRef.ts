// Original file: proto/cluster.proto


export interface ScheduleRef {
  'name'?: (string);
}

export interface ScheduleRef__Output {
  'name': (string);
}
