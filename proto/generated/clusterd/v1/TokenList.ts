// Original file: proto/cluster.proto

import type { TokenInfo as _clusterd_v1_TokenInfo, TokenInfo__Output as _clusterd_v1_TokenInfo__Output } from '../../clusterd/v1/TokenInfo.js';

export interface TokenList {
  'tokens'?: (_clusterd_v1_TokenInfo)[];
}

export interface TokenList__Output {
  'tokens': (_clusterd_v1_TokenInfo__Output)[];
}
