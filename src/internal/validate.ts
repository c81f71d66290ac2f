import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Parses `value` with `schema` or throws a ValidationError that names `where` and each bad path. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw ValidationError.fromZod(where, result.error);
  return result.data;
}
