// Original file: proto/cluster.proto


export interface ServerInfo {
  'id'?: (string);
  'addr'?: (string);
  'leader'?: (boolean);
}

export interface ServerInfo__Output {
  'id': (string);
  'addr': (string);
  'leader': (boolean);
}
