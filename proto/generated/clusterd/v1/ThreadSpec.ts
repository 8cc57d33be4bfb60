// Original file: proto/cluster.proto


export interface ThreadSpec {
  'module'?: (string);
  'export'?: (string);
}

export interface ThreadSpec__Output {
  'module': (string);
  'export': (string);
}
