import { describe, expect, it } from 'vitest';
import { redactSecret } from '../../src/internal/redact-secret.js';

describe('redactSecret', () => {
  it('masks a long key wherever it appears, also inside other text, in nested values', () => {
    const key = 'nvapi-0123456789abcdef';
    const body = { error: { message: `bad header Bearer ${key}; url ?key=${key}&x=1 and x${key}y`, list: [key] } };
    expect(redactSecret(body, key)).toEqual({ error: { message: 'bad header Bearer [redacted]; url ?key=[redacted]&x=1 and x[redacted]y', list: ['[redacted]'] } });
  });

  it('masks a short key only where it stands alone, so messages stay readable', () => {
    expect(redactSecret('maximum exceeded for key x (Bearer x)', 'x')).toBe('maximum exceeded for key [redacted] (Bearer [redacted])');
    expect(redactSecret('token sk-1 is invalid; sk-12 is another', 'sk-1')).toBe('token [redacted] is invalid; sk-12 is another');
    // Regex characters in a key are literal.
    expect(redactSecret('key a.b+c rejected, axb+c kept', 'a.b+c')).toBe('key [redacted] rejected, axb+c kept');
  });

  it('leaves values alone without a secret', () => {
    const value = { a: 'x' };
    expect(redactSecret(value, undefined)).toBe(value);
    expect(redactSecret(value, '')).toBe(value);
  });
});
