/**
 * TokenBook: the cluster's bearer tokens, kept in the state store (only a SHA-256 of each
 * secret), so every replica checks them. Each replica holds them all in memory (there are few)
 * and reads them again every `refreshMs`, so a token created or revoked on the leader is seen by
 * every replica within that time; the leader sees its own writes at once.
 *
 * A token reads `cd.ID.SECRET`: the id finds the record without a scan, the secret (32 random
 * bytes) proves it, compared in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ClusterError, errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decodeRecord, keys, putRecord, type TokenRecord } from '../state/records.js';
import type { StateStore, WriteOp } from '../state/state-store.js';
import { principalOfToken, roles, type Principal, type Role } from './access.js';

const refreshMs = 2_000;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$/;
const projectPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export interface TokenSpec {
  name: string;
  role: string;
  projects: readonly string[];
}

export class TokenBook {
  private tokens = new Map<string, TokenRecord>();
  private timer: NodeJS.Timeout | undefined;
  private loaded: Promise<void> | undefined;
  /** Ids looked up in the store and not found, with when (see `unknown`). */
  private readonly misses = new Map<string, number>();

  constructor(private readonly store: StateStore, private readonly logger: Logger) {}

  /** Loads the tokens and keeps reading them every few seconds until `close`. */
  start(): Promise<void> {
    this.loaded ??= this.refresh();
    this.timer ??= setInterval(() => {
      this.refresh().catch((err) => this.logger.warn({ err: errorMessage(err) }, 'reading tokens failed; the last ones read stay in force'));
    }, refreshMs);
    this.timer.unref();
    return this.loaded;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    const next = new Map<string, TokenRecord>();
    for (const [, value] of await this.store.list(keys.tokens)) {
      const t = decodeRecord<TokenRecord>(value);
      next.set(t.id, t);
    }
    this.tokens = next;
  }

  /** The principal a token stands for; UNAUTHENTICATED for a malformed, unknown or revoked one. */
  authenticate(token: string): Principal {
    const [id, secret] = partsOf(token);
    const record = id ? this.tokens.get(id) : undefined;
    if (!record || !sameHash(record.secretHash, hashOf(secret!))) throw new ClusterError('UNAUTHENTICATED', 'the token is not valid (unknown, mistyped, or from another cluster)');
    if (record.revokedAtMs) throw new ClusterError('UNAUTHENTICATED', `token ${record.id} (${record.name}) was revoked`);
    return principalOfToken(record);
  }

  /**
   * Whether `token` names an id this replica has not read yet (made on the leader since the last
   * refresh): then `learn` reads it before the call is judged, so a new token works on every
   * replica at once. Misses are remembered for a second, so unknown ids cannot hammer the store.
   */
  unknown(token: string): boolean {
    const [id] = partsOf(token);
    return id !== undefined && !this.tokens.has(id) && (this.misses.get(id) ?? 0) < Date.now() - 1_000;
  }

  async learn(token: string): Promise<void> {
    const [id] = partsOf(token);
    if (id === undefined) return;
    const value = await this.store.get(keys.token(id));
    if (value) {
      this.tokens.set(id, decodeRecord<TokenRecord>(value));
      return;
    }
    if (this.misses.size >= 10_000) this.misses.clear();
    this.misses.set(id, Date.now());
  }

  get empty(): boolean {
    return this.tokens.size === 0;
  }

  list(): TokenRecord[] {
    return [...this.tokens.values()].sort((a, b) => a.createdAtMs - b.createdAtMs);
  }

  /**
   * A new token, written through `commit` (the leader's fenced write). Returns its record and
   * the token text, which is not kept anywhere.
   */
  async create(spec: TokenSpec, createdBy: string, commit: (ops: WriteOp[]) => Promise<void>, nowMs = Date.now()): Promise<{ record: TokenRecord; token: string }> {
    const { role, projects } = checkSpec(spec);
    const id = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const record: TokenRecord = { id, name: spec.name, role, projects, secretHash: hashOf(secret), createdAtMs: nowMs, createdBy };
    await commit([putRecord(keys.token(id), record)]);
    this.tokens.set(id, record);
    return { record, token: `cd.${id}.${secret}` };
  }

  async revoke(id: string, commit: (ops: WriteOp[]) => Promise<void>, nowMs = Date.now()): Promise<TokenRecord> {
    const record = this.tokens.get(id);
    if (!record) throw new ClusterError('NOT_FOUND', `no token "${id}" (see clusterctl token ls)`);
    if (record.revokedAtMs) return record;
    const revoked = { ...record, revokedAtMs: nowMs };
    await commit([putRecord(keys.token(id), revoked)]);
    this.tokens.set(id, revoked);
    return revoked;
  }
}

function checkSpec(spec: TokenSpec): { role: Role; projects: string[] } {
  if (!namePattern.test(spec.name)) throw new ClusterError('INVALID_ARGUMENT', `token name "${spec.name.slice(0, 80)}": 1-63 letters, digits, "_", ".", "@" or "-"`);
  const role = roles.find((r) => r === spec.role);
  if (!role) throw new ClusterError('INVALID_ARGUMENT', `role "${spec.role.slice(0, 40)}": use one of ${roles.join(', ')}`);
  const projects = spec.projects.filter((p) => p !== '*');
  if (projects.length > 100) throw new ClusterError('INVALID_ARGUMENT', `a token lists at most 100 projects, not ${projects.length}`);
  for (const p of projects) {
    if (!projectPattern.test(p)) throw new ClusterError('INVALID_ARGUMENT', `project "${p.slice(0, 80)}": a name of letters, digits, "_", "." and "-"`);
  }
  if (role === 'agent' && projects.length > 0) throw new ClusterError('INVALID_ARGUMENT', 'an agent token has no projects: agents run tasks of every project');
  return { role, projects: [...new Set(projects)] };
}

/** A token's id and secret, or nothing when it is not of the form `cd.ID.SECRET`. */
function partsOf(token: string): [string, string] | [] {
  const [prefix, id, secret, ...rest] = token.split('.');
  return prefix === 'cd' && id && /^[0-9a-f]{12}$/.test(id) && secret && rest.length === 0 ? [id, secret] : [];
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
