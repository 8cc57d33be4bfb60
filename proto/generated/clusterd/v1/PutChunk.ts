// Original file: proto/cluster.proto


export interface PutChunk {
  'id'?: (string);
  'data'?: (Buffer | Uint8Array | string);
  'compressed'?: (boolean);
  'raw_size'?: (number);
}

export interface PutChunk__Output {
  'id': (string);
  'data': (Buffer);
  'compressed': (boolean);
  'raw_size': (number);
}
