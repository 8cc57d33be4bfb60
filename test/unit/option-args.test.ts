// Option argument parsers: a bad value is refused where it is given, with what was wrong.
import { describe, expect, it } from 'vitest';
import { addrList } from '../../cli/context.js';
import { hostPortArg, wholeNumber, wholeNumberArg } from '../../cli/option-args.js';

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

describe('addresses', () => {
  it('listens on port 0 (any free port) but connects only to ports 1–65535', () => {
    expect(hostPortArg('127.0.0.1:0')).toBe('127.0.0.1:0');
    expect(addrList('a:7700, [::1]:7701')).toEqual(['a:7700', '[::1]:7701']);
    expect(() => addrList('127.0.0.1:0')).toThrow('a port from 1 to 65535');
    expect(() => addrList('localhost:99999')).toThrow('"localhost:99999" is not host:port');
    expect(() => addrList('')).toThrow('no scheduler address given');
  });
});
