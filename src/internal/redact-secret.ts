const MASK = '[redacted]';

/**
 * Replaces every occurrence of `secret` inside `value` (strings, arrays, plain objects) with a
 * mask. Error bodies can echo request headers back; this keeps the API key out of them.
 */
export function redactSecret<T>(value: T, secret: string | undefined): T {
  if (!secret) return value;
  return walk(value, secret, 0) as T;
}

function walk(value: unknown, secret: string, depth: number): unknown {
  if (typeof value === 'string') return value.split(secret).join(MASK);
  if (depth > 20 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, secret, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = walk(v, secret, depth + 1);
  return out;
}
