// Original file: proto/cluster.proto

import type { TokenInfo as _clusterd_v1_TokenInfo, TokenInfo__Output as _clusterd_v1_TokenInfo__Output } from '../../clusterd/v1/TokenInfo.js';

export interface TokenCreated {
  'info'?: (_clusterd_v1_TokenInfo | null);
  'token'?: (string);
}

export interface TokenCreated__Output {
  'info': (_clusterd_v1_TokenInfo__Output | null);
  'token': (string);
}
