// Original file: proto/cluster.proto


export interface InputChunk {
  'data'?: (Buffer | Uint8Array | string);
}

export interface InputChunk__Output {
  'data': (Buffer);
}
