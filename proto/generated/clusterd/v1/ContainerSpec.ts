// Original file: proto/cluster.proto


export interface ContainerSpec {
  'image'?: (string);
  'command'?: (string)[];
  'env'?: ({[key: string]: string});
  'network'?: (boolean);
}

export interface ContainerSpec__Output {
  'image': (string);
  'command': (string)[];
  'env': ({[key: string]: string});
  'network': (boolean);
}
