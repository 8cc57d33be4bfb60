import { randomBytes } from 'node:crypto';

/** A request id for an idempotent submit: time-ordered and unique enough to dedupe retries. */
export function newRequestId(nowMs = Date.now()): string {
  return `${nowMs.toString(36)}-${randomBytes(3).toString('hex')}`;
}
