import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs with `--help` always known, and its errors turned into UsageErrors. */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
}

/** A flag that must be an integer of at least `min` (an empty value is not 0). */
export function intFlag(value: string | undefined, flag: string, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${flag} must be an integer of at least ${min}, got "${value}"`);
  return n;
}

const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;

/** `--device`: one of the devices local models run on. */
export function deviceFlag(value: string | undefined): (typeof DEVICES)[number] | undefined {
  if (value === undefined) return undefined;
  if (!(DEVICES as readonly string[]).includes(value)) throw new UsageError(`--device must be one of ${DEVICES.join(', ')}, got "${value}"`);
  return value as (typeof DEVICES)[number];
}
