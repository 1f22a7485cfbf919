// Integer option parsing for commander flags, strict where JavaScript's Number() is lenient. Depends on src/errors.ts only.
import { usageError, type AppError } from '../errors.js';

export interface IntRange {
  /** Smallest accepted value (inclusive). */
  readonly min: number;
  /** Largest accepted value (inclusive); no upper bound other than Number.MAX_SAFE_INTEGER when left out. */
  readonly max?: number;
}

/** Only plain decimal digits: Number() would also take `1e3`, `0x10`, `1.0`, ` 7 ` and `''`, none of which an admin means. */
const DECIMAL_INTEGER = /^[+-]?[0-9]+$/;

function rangeText(range: IntRange): string {
  return range.max === undefined ? `an integer of at least ${range.min}` : `an integer from ${range.min} to ${range.max}`;
}

function invalid(name: string, text: string, range: IntRange): AppError {
  return usageError('PROFILE_INTEGER', `${name} must be ${rangeText(range)} (got ${JSON.stringify(text).slice(1, -1) || '""'})`, {
    details: { option: name, value: text, min: range.min, ...(range.max === undefined ? {} : { max: range.max }) },
  });
}

/**
 * Parses the text of an integer option: `parseIntOption('--max-retries-per-node', '3', { min: 0, max: 64 })`.
 * Rejects signs that leave the range, fractions, exponents, hex and words with a message naming the option and
 * the range, e.g. `--max-retries-per-node must be an integer from 0 to 64 (got -1)`. Throws AppError
 * `PROFILE_INTEGER` (exit 2).
 */
export function parseIntOption(name: string, text: string, range: IntRange): number {
  const trimmed = text.trim();
  if (!DECIMAL_INTEGER.test(trimmed)) throw invalid(name, text, range);
  const value = Number(trimmed);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(value) || value < range.min || value > max) throw invalid(name, text, range);
  // Number('-0') is -0; a profile that is echoed as JSON should not carry it.
  return value === 0 ? 0 : value;
}

/** The same check as a commander argument parser: `.argParser(intOption('--max-failed-nodes', { min: 0 }))`. */
export function intOption(name: string, range: IntRange): (text: string) => number {
  return (text: string) => parseIntOption(name, text, range);
}
