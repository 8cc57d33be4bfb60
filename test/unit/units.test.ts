import { describe, expect, it } from 'vitest';
import { formatBytes, parseBytes, parseCpuMilli, parseDurationMs } from '../../core/units.js';

describe('units', () => {
  it.each([
    ['512Mi', 512 * 2 ** 20], ['2Gi', 2 * 2 ** 30], ['1.5GiB', 1.5 * 2 ** 30], ['2G', 2e9], ['100', 100], [4096, 4096], ['64k', 64_000],
  ])('parseBytes(%j) = %d', (input, bytes) => expect(parseBytes(input)).toBe(bytes));

  it.each(['lots', '12Qi', '-1', '', 'Mi'])('parseBytes(%j) names the value and the form', (input) => {
    expect(() => parseBytes(input)).toThrow(/is not a size/);
  });

  it.each([[1, 1000], [0.5, 500], ['250m', 250], ['2', 2000], ['1.25', 1250]])('parseCpuMilli(%j) = %d', (input, milli) => {
    expect(parseCpuMilli(input)).toBe(milli);
  });

  it.each([['1s', 1000], ['250ms', 250], ['1m30s', 90_000], ['2h', 7_200_000], [60, 60_000], ['45', 45_000]])('parseDurationMs(%j) = %d', (input, ms) => {
    expect(parseDurationMs(input)).toBe(ms);
  });

  it.each(['soon', '1x', '5 minutes', 's'])('parseDurationMs(%j) is refused', (input) => {
    expect(() => parseDurationMs(input)).toThrow(/is not a duration/);
  });

  it('formats bytes for people', () => {
    expect(formatBytes(512)).toBe('512B');
    expect(formatBytes(256 * 2 ** 20)).toBe('256MiB');
    expect(formatBytes(1.5 * 2 ** 30)).toBe('1.5GiB');
  });
});
