// Original file: proto/cluster.proto


export interface TokenRef {
  'id'?: (string);
}

export interface TokenRef__Output {
  'id': (string);
}
