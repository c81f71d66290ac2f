// The request body's nesting bound (parseJsonBody): strings are skipped with indexOf rather than
// walked character by character, so these pin where a string ends (escaped quotes, runs of
// backslashes, no end at all) and that brackets inside strings never count.
import { describe, expect, it } from 'vitest';
import { BodyError, MAX_JSON_DEPTH, parseJsonBody } from '../../src/integrations/wire/read-body.js';

const TOO_DEEP = `The request body nests deeper than ${MAX_JSON_DEPTH} levels`;

// What parseJsonBody says about `text`: 'ok', 'too deep', or 'not json'.
function verdict(text: string): 'ok' | 'too deep' | 'not json' {
  try {
    parseJsonBody(text);
    return 'ok';
  } catch (error) {
    expect(error).toBeInstanceOf(BodyError);
    const { wire } = error as BodyError;
    expect(wire.status).toBe(400);
    expect(wire.body.error.code).toBe('invalid_json');
    return wire.body.error.message === TOO_DEEP ? 'too deep' : 'not json';
  }
}

const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;

// The walk over every character that the indexOf skip replaced: the reference for the fuzz below.
function referenceTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === ']' || c === '}') depth--;
  }
  return false;
}

describe('parseJsonBody nesting bound', () => {
  it('takes the bound and refuses one level more', () => {
    expect(verdict(nested(MAX_JSON_DEPTH))).toBe('ok');
    expect(verdict(nested(MAX_JSON_DEPTH + 1))).toBe('too deep');
    expect(verdict(`{"messages":${nested(MAX_JSON_DEPTH)}}`)).toBe('too deep');
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(verdict(`{"content":"${'['.repeat(500)}"}`)).toBe('ok');
    // \" does not end the string: the brackets after it are still text.
    expect(verdict(`{"content":"say \\"${'{'.repeat(500)}\\" twice"}`)).toBe('ok');
    // \\\" is an escaped backslash, then an escaped quote: still inside.
    expect(verdict(`{"content":"\\\\\\"${'['.repeat(500)}"}`)).toBe('ok');
  });

  it('ends a string at a quote after an even run of backslashes', () => {
    // "\\" is one backslash: the string ends there and the arrays after it count.
    expect(verdict(`{"a":"\\\\","b":${nested(MAX_JSON_DEPTH)}}`)).toBe('too deep');
    expect(verdict(`{"a":"x\\\\\\\\","b":${nested(MAX_JSON_DEPTH)}}`)).toBe('too deep');
    expect(verdict(`{"a":"\\\\","b":${nested(MAX_JSON_DEPTH - 1)}}`)).toBe('ok');
  });

  it('treats an unterminated string as text to the end (a JSON error, not a depth one)', () => {
    expect(verdict(`{"a":"${'['.repeat(500)}`)).toBe('not json');
    expect(verdict(`{"a":"\\`)).toBe('not json');
  });

  it('agrees with a character-by-character walk on random texts', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const alphabet = ['"', '\\', '[', ']', '{', '}', 'a'];
    for (let k = 0; k < 3000; k++) {
      let text = random() < 0.5 ? '['.repeat(MAX_JSON_DEPTH - 2) : '';
      const length = Math.floor(random() * 30);
      for (let j = 0; j < length; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(verdict(text) === 'too deep', text).toBe(referenceTooDeep(text));
    }
  });
});
