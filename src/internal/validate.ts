import * as z from 'zod/mini';
import { ValidationError } from '../errors.js';
import { issueMessage } from './issue-message.js';

// One parse context for every call: English messages (zod/mini loads no locale).
const ENGLISH = { error: issueMessage };

/** `schema.safeParse(value)` with English issue messages, for callers that map a failure themselves. */
export function tryParse<S extends z.core.$ZodType>(schema: S, value: unknown): z.util.SafeParseResult<z.output<S>> {
  return z.safeParse(schema, value, ENGLISH);
}

/** Parses `value` with `schema` or throws a ValidationError that names `where` and each bad path. */
export function validate<S extends z.core.$ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = tryParse(schema, value);
  if (!result.success) throw ValidationError.fromZod(where, result.error);
  return result.data;
}
