// Original file: proto/cluster.proto


export interface GcRequest {
  'dry_run'?: (boolean);
}

export interface GcRequest__Output {
  'dry_run': (boolean);
}
