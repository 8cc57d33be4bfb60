// STEP[/INDEX] as the commands take it.
import { invalid } from '../core/errors.js';

export function parseTaskSelector(value: string | undefined, defaultIndex: number): { step: string; index: number } {
  if (!value) return { step: '', index: -1 };
  const [step, index, extra] = value.split('/');
  if (!step || extra !== undefined || (index !== undefined && !/^\d+$/.test(index))) throw invalid(`"${value}": give STEP or STEP/INDEX, e.g. train/3`);
  return { step, index: index === undefined ? defaultIndex : Number(index) };
}
