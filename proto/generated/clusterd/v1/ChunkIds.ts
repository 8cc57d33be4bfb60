// Original file: proto/cluster.proto


export interface ChunkIds {
  'ids'?: (string)[];
}

export interface ChunkIds__Output {
  'ids': (string)[];
}
