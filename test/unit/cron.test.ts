import { describe, expect, it } from 'vitest';
import { checkCron, dueTick } from '../../scheduler/flow/cron.js';

const at = (iso: string) => Date.parse(iso);

describe('dueTick', () => {
  it.each([
    // every 2 s; created at 0 s, nothing fired yet, now 10.5 s: the 10 s tick is due.
    ['*/2 * * * * *', { createdAtMs: 0, lastTickMs: 0 }, 10_500, 10_000],
    // the 10 s tick already fired: nothing until 12 s.
    ['*/2 * * * * *', { createdAtMs: 0, lastTickMs: 10_000 }, 11_999, null],
    // missed 12, 14, 16 s while no leader ran: only the latest, 16 s, fires.
    ['*/2 * * * * *', { createdAtMs: 0, lastTickMs: 10_000 }, 17_000, 16_000],
    // a tick exactly now is due.
    ['*/2 * * * * *', { createdAtMs: 0, lastTickMs: 10_000 }, 12_000, 12_000],
    // ticks before the schedule existed never fire.
    ['0 3 * * *', { createdAtMs: at('2026-11-23T03:30:00Z'), lastTickMs: 0 }, at('2026-11-23T04:00:00Z'), null],
    // the next day's 03:00 does.
    ['0 3 * * *', { createdAtMs: at('2026-11-23T03:30:00Z'), lastTickMs: 0 }, at('2026-11-24T03:00:05Z'), at('2026-11-24T03:00:00Z')],
  ])('%s with %j at %d → %s', (cron, record, now, expected) => {
    expect(dueTick(cron, record, now)).toBe(expected);
  });
});

describe('checkCron', () => {
  it.each(['0 3 * * *', '*/5 * * * * *', '15 2 * * mon-fri'])('accepts %s', (cron) => expect(() => checkCron(cron)).not.toThrow());
  it.each(['nonsense', '* * *', '61 * * * *'])('refuses %s with the form expected', (cron) => {
    expect(() => checkCron(cron)).toThrow(/--cron/);
  });
});
