// Original file: proto/cluster.proto


export interface DrainRequest {
  'agent_id'?: (string);
  'undo'?: (boolean);
}

export interface DrainRequest__Output {
  'agent_id': (string);
  'undo': (boolean);
}
