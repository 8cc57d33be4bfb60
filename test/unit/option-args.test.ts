// Option argument parsers: a bad value is refused where it is given, with what was wrong.
import { describe, expect, it } from 'vitest';
import { wholeNumber, wholeNumberArg } from '../../cli/option-args.js';

describe('wholeNumber', () => {
  it('takes whole numbers within the bounds', () => {
    expect(wholeNumber('0', 0)).toBe(0);
    expect(wholeNumber('64', 0, 64)).toBe(64);
  });

  it('says the bounds it wanted', () => {
    expect(() => wholeNumber('0', 1)).toThrow('"0" is not a whole number >= 1');
    expect(() => wholeNumber('65', 0, 64)).toThrow('"65" is not a whole number from 0 to 64');
    expect(() => wholeNumber('1.5', 0, 64)).toThrow('"1.5" is not a whole number from 0 to 64');
    expect(() => wholeNumber(' ', 0)).toThrow('is not a whole number');
  });

  it('as a flag parser keeps the text as written', () => {
    expect(wholeNumberArg(0, 64)('12')).toBe('12');
    expect(() => wholeNumberArg(1, 64)('0')).toThrow('"0" is not a whole number from 1 to 64');
  });
});
