// Original file: proto/cluster.proto


export interface SubmitRequest {
  'job_json'?: (string);
  'params_json'?: (string);
  'code_dir'?: (string);
  'code_package'?: (string);
  'source'?: (string);
  'request_id'?: (string);
  'code_digest'?: (string);
}

export interface SubmitRequest__Output {
  'job_json': (string);
  'params_json': (string);
  'code_dir': (string);
  'code_package': (string);
  'source': (string);
  'request_id': (string);
  'code_digest': (string);
}
