import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { isTimeZone } from '../time/dates.js';

/** A commander argument parser accepting one of `choices`. */
export function oneOf<T extends string>(choices: readonly T[]): (value: string) => T {
  return (value: string) => {
    if ((choices as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of ${choices.join(', ')}`);
  };
}

/** A commander argument parser for a positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

/** Collects a repeatable option's values: `--scenario a --scenario b`. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Checks a `--tz` value up front, so a typo is a usage error (exit 2), not a failure halfway through. */
export function checkTimeZoneOption(timeZone: string, flag = '--tz'): void {
  if (!isTimeZone(timeZone)) throw new UsageError(`${flag}: unknown time zone '${timeZone}' (expected an IANA name such as UTC or Europe/Berlin)`);
}
