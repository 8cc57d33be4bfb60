// Original file: proto/cluster.proto


export interface TokenSpec {
  'name'?: (string);
  'role'?: (string);
  'projects'?: (string)[];
}

export interface TokenSpec__Output {
  'name': (string);
  'role': (string);
  'projects': (string)[];
}
