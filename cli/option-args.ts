/**
 * Argument parsers for daemon options. Each checks a value with the parser the command later
 * converts it with and keeps the text as written, so a bad value is refused where it was given
 * (flag, CLUSTERD_* variable or config file, which all go through the option's parser) instead
 * of deep inside start-up.
 */
import { InvalidArgumentError } from 'commander';
import { errorMessage, invalid } from '../core/errors.js';
import { parseBytes, parseCpuMilli, parseDurationMs } from '../core/units.js';
import { addrList } from './context.js';

/** Wraps `parse` as a commander argument parser that names the option (or variable) on failure. */
function checkedBy(parse: (text: string) => unknown): (text: string) => string {
  return (text) => {
    try {
      parse(text);
    } catch (err) {
      throw new InvalidArgumentError(errorMessage(err));
    }
    return text;
  };
}

export const durationArg = checkedBy(parseDurationMs);
export const sizeArg = checkedBy(parseBytes);
export const cpuArg = checkedBy(parseCpuMilli);
export const addrListArg = checkedBy(addrList);
export const hostPortArg = checkedBy((text) => {
  if (addrList(text, 0).length !== 1) throw invalid(`"${text}" is not one host:port`);
});

export function wholeNumber(text: string, min: number, max = Infinity): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(`"${text}" is not a whole number ${max === Infinity ? `>= ${min}` : `from ${min} to ${max}`}`);
  }
  return n;
}

export const wholeNumberArg = (min: number, max?: number) => checkedBy((text) => wholeNumber(text, min, max));

/** "zone=a" → ["zone", "a"]; the key must not be empty, the value may be. */
export function parseKeyValue(text: string): [string, string] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw invalid(`"${text}" is not key=value`);
  return [text.slice(0, eq), text.slice(eq + 1)];
}

/** A repeatable key=value option: each occurrence is checked and appended. */
export function keyValueListArg(text: string, previous: string[]): string[] {
  return [...previous, checkedBy(parseKeyValue)(text)];
}

export const authModeArg = checkedBy((text) => {
  if (text !== 'tokens' && text !== 'none') throw invalid(`"${text}": use tokens or none`);
});
