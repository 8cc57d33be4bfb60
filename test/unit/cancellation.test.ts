// The agent's one-shot cancellation: listeners, unsubscribing, and the AbortSignal it lends.
import { describe, expect, it } from 'vitest';
import { Cancellation } from '../../core/cancellation.js';

describe('cancellation', () => {
  it('calls each listener once with the reason, except those that unsubscribed', () => {
    const c = new Cancellation();
    const heard: string[] = [];
    c.onCancel((r) => heard.push(`a:${r.message}`));
    const off = c.onCancel((r) => heard.push(`b:${r.message}`));
    off();
    c.cancel(new Error('stop'));
    c.cancel(new Error('again'));
    expect(heard).toEqual(['a:stop']);
    expect(c.cancelled).toBe(true);
    let late = '';
    c.onCancel((r) => (late = r.message));
    expect(late).toBe('stop'); // the first reason stands
  });

  it('tells a listener added after the fact at once', () => {
    const c = new Cancellation();
    c.cancel(new Error('early'));
    let heard = '';
    c.onCancel((r) => (heard = r.message));
    expect(heard).toBe('early');
  });

  it('lends an AbortSignal that follows it, made before or after the cancellation', () => {
    const before = new Cancellation();
    const signal = before.signal;
    expect(signal.aborted).toBe(false);
    before.cancel(new Error('now'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('now');
    const after = new Cancellation();
    after.cancel();
    expect(after.signal.aborted).toBe(true);
  });
});
