/**
 * Authorizer: who is calling, and may they. One server interceptor checks every call of every
 * service (agent stream, client calls, chunk store) against the method's capability before its
 * handler sees it; handlers that act on a project ask `principal(call)` again and check it.
 *
 * A caller proves who it is with a bearer token (metadata `authorization: Bearer cd.…`) or, for
 * agents, a client certificate the cluster's CA signed with OU=agent. With authentication off
 * every caller is `anonymous`, allowed everything (`clusterctl dev` without --secure).
 */
import * as grpc from '@grpc/grpc-js';
import type { PeerCertificate } from 'node:tls';
import { ClusterError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { tokenHeader } from '../../proto/credentials.js';
import { toServiceError } from '../../proto/status.js';
import { anonymous, capabilityFor, principalOfAgentCertificate, requireCapability, type Principal } from './access.js';
import type { TokenBook } from './token-book.js';

/** What a handler's call offers: its metadata and its TLS session. */
export interface CallIdentity {
  metadata: grpc.Metadata;
  getAuthContext(): { sslPeerCertificate?: PeerCertificate };
}

export class Authorizer {
  /** Calls refused, by reason, since start (logged at most once a second). */
  private refusedSinceLog = 0;
  private lastLogMs = 0;

  constructor(readonly enabled: boolean, readonly tokens: TokenBook, private readonly logger: Logger) {}

  /** The caller; UNAUTHENTICATED when authentication is on and it proves nothing. */
  principal(call: CallIdentity): Principal {
    if (!this.enabled) return anonymous;
    const token = bearerOf(call.metadata);
    if (token !== undefined) return this.tokens.authenticate(token);
    const cert = call.getAuthContext().sslPeerCertificate;
    const unit = cert?.subject?.OU;
    if (cert && (unit === 'agent' || (Array.isArray(unit) && unit.includes('agent')))) {
      const cn = cert.subject.CN;
      return principalOfAgentCertificate(Array.isArray(cn) ? cn.join(',') : cn ?? cert.fingerprint256);
    }
    throw new ClusterError('UNAUTHENTICATED', 'this cluster requires a token: give --token or CLUSTERCTL_TOKEN (an admin makes one with clusterctl token create)');
  }

  /** Checks each call against its method's capability before the handler runs. */
  interceptor(): grpc.ServerInterceptor {
    return (method, call) => new grpc.ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMetadata: (metadata, pass) => {
          const check = () => {
            try {
              const need = capabilityFor(method.path);
              if (need !== 'none') requireCapability(this.principal({ metadata, getAuthContext: () => call.getAuthContext() }), need, describeMethod(method.path));
            } catch (err) {
              this.refused(method.path, call.getPeer(), err);
              call.sendStatus({ code: grpc.status.UNKNOWN, details: '', ...toServiceError(err) } as grpc.StatusObject);
              return;
            }
            pass(metadata);
          };
          // A token made since this replica last read them is read first (grpc-js holds the
          // call's messages until `pass`); a store that cannot be read leaves it unknown.
          const token = this.enabled ? bearerOrNothing(metadata) : undefined;
          if (token !== undefined && this.tokens.unknown(token)) this.tokens.learn(token).catch(() => undefined).finally(check);
          else check();
        },
      }),
    });
  }

  private refused(method: string, peer: string, err: unknown): void {
    this.refusedSinceLog++;
    const now = Date.now();
    if (now - this.lastLogMs < 1_000) return;
    this.logger.warn({ method, peer, err: errorMessage(err), refused: this.refusedSinceLog }, 'call refused');
    this.refusedSinceLog = 0;
    this.lastLogMs = now;
  }
}

/** The token of an `authorization: Bearer TOKEN` header, if the call has one. */
function bearerOf(metadata: grpc.Metadata): string | undefined {
  const header = metadata.get(tokenHeader)[0];
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer (\S+)$/.exec(header);
  if (!match) throw new ClusterError('UNAUTHENTICATED', `the ${tokenHeader} header must read "Bearer TOKEN"`);
  return match[1];
}

/** As bearerOf, a malformed header as none (`principal` refuses it, saying why). */
function bearerOrNothing(metadata: grpc.Metadata): string | undefined {
  try {
    return bearerOf(metadata);
  } catch {
    return undefined;
  }
}

/** A method as a refusal names it: `call Drain`, or what a chunk store call does. */
function describeMethod(path: string): string {
  const [, service = '', name = ''] = /^\/clusterd\.v1\.(\w+)\/(\w+)$/.exec(path) ?? [];
  if (service === 'ChunkStore') return name === 'Put' || name === 'Missing' ? 'upload to the chunk store' : name === 'Get' || name === 'Stat' ? 'read from the chunk store' : `call the chunk store's ${name}`;
  return `call ${name || path}`;
}
