const MASK = '[redacted]';
// A secret this long is masked wherever it appears; a shorter one (a test key, a short token)
// only where it stands alone, so a one-letter key does not garble every word holding that letter.
const SUBSTRING_MIN = 12;

/**
 * Replaces every occurrence of `secret` inside `value` (strings, arrays, plain objects) with a
 * mask. Error bodies can echo request headers back; this keeps the API key out of them.
 */
export function redactSecret<T>(value: T, secret: string | undefined): T {
  if (!secret) return value;
  return walk(value, maskerOf(secret), 0) as T;
}

function maskerOf(secret: string): (text: string) => string {
  if (secret.length >= SUBSTRING_MIN) return (text) => text.split(secret).join(MASK);
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const standalone = new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, 'g');
  return (text) => text.replace(standalone, MASK);
}

function walk(value: unknown, mask: (text: string) => string, depth: number): unknown {
  if (typeof value === 'string') return mask(value);
  if (depth > 20 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => walk(v, mask, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[key] = walk(v, mask, depth + 1);
  return out;
}
