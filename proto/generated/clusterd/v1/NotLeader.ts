// Original file: proto/cluster.proto


export interface NotLeader {
  'leader_addr'?: (string);
}

export interface NotLeader__Output {
  'leader_addr': (string);
}
