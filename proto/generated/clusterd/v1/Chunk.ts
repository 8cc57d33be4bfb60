// Original file: proto/cluster.proto


export interface Chunk {
  'id'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'compressed'?: (boolean);
  'raw_size'?: (number);
}

export interface Chunk__Output {
  'id': (string);
  'data': (Buffer);
  'compressed': (boolean);
  'raw_size': (number);
}
