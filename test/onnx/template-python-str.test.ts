// Properties of the Python string and JSON helpers behind the chat template fixes (the exact
// outputs are pinned against Python in template-python.test.ts; these cover the input space).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pyJsonDumps } from '../../src/onnx/template/python-json.js';
import { isPyWhitespace, pyLen, pyRsplit, pySplit, pyStrip } from '../../src/onnx/template/python-str.js';
import { toRuntime } from '../../src/onnx/template/runtime-values.js';
import { applyPythonWhitespace } from '../../src/onnx/template/whitespace.js';

// Strings heavy in the characters where JavaScript and Python disagree.
const tricky = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', '\n', '\t', '\x1c', '\x85', '\ufeff', '\u3000', '😀', 'é', ',', '\u2028'),
  maxLength: 20,
});

const firstPoint = (s: string) => String.fromCodePoint(s.codePointAt(0)!);
const lastPoint = (s: string) => Array.from(s).at(-1)!;

describe('python-str', () => {
  it('strip leaves no Python whitespace at either end and keeps the middle', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const out = pyStrip(s, null);
        expect(s.includes(out)).toBe(true);
        if (out !== '') {
          expect(isPyWhitespace(firstPoint(out))).toBe(false);
          expect(isPyWhitespace(lastPoint(out))).toBe(false);
        }
        expect(pyStrip(out, null)).toBe(out);
      }),
    );
  });

  it('strip(chars) removes exactly the given code points, astral ones whole', () => {
    expect(pyStrip('😀a😀', '😀')).toBe('a');
    expect(pyStrip('\ufeffa\ufeff', null)).toBe('\ufeffa\ufeff'); // BOM is not Python whitespace
    fc.assert(
      fc.property(tricky, (s) => {
        expect(pyStrip(s, 'ab,')).toBe(pyStrip(pyStrip(s, 'ab,', 'left'), 'ab,', 'right'));
      }),
    );
  });

  it('split with a separator joins back to the input; maxsplit bounds the parts', () => {
    fc.assert(
      fc.property(tricky, fc.constantFrom(',', ' ', 'a', '😀'), fc.integer({ min: -1, max: 4 }), (s, sep, max) => {
        for (const parts of [pySplit(s, sep, max), pyRsplit(s, sep, max)]) {
          expect(parts.join(sep)).toBe(s);
          if (max >= 0) expect(parts.length).toBeLessThanOrEqual(max + 1);
        }
      }),
    );
  });

  it('split on whitespace yields non-empty parts free of Python whitespace', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        const parts = pySplit(s, null);
        for (const part of parts) {
          expect(part).not.toBe('');
          expect(Array.from(part).some(isPyWhitespace)).toBe(false);
        }
        expect(pyRsplit(s, null)).toEqual(parts);
      }),
    );
  });

  it('len counts code points, not UTF-16 units', () => {
    expect(pyLen('😀é')).toBe(2);
    fc.assert(
      fc.property(tricky, (s) => {
        expect(pyLen(s)).toBe(s.length - (s.match(/[\uD800-\uDBFF]/g)?.length ?? 0));
      }),
    );
  });
});

describe('python-json', () => {
  // -0 has no int counterpart in Python: a JSON round trip turns it into 0 first.
  const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

  it('dumps what JSON.parse reads back, with or without ensure_ascii and indent', () => {
    fc.assert(
      fc.property(json, fc.boolean(), fc.constantFrom(null, 0, 2, '\t'), (value, ensureAscii, indent) => {
        const text = pyJsonDumps(toRuntime(value), { ensureAscii, indent });
        expect(JSON.parse(text)).toEqual(value);
        if (ensureAscii) expect(/^[\x20-\x7e\n\t]*$/.test(text)).toBe(true);
      }),
    );
  });
});

describe('whitespace', () => {
  it('leaves text without tags alone apart from newline normalization', () => {
    const text = fc.string({ unit: fc.constantFrom('a', ' ', '\n', '\r', '\t', '%', '}', '#'), maxLength: 30 });
    fc.assert(
      fc.property(text, (s) => {
        const normalized = s.replace(/\r\n|\r/g, '\n').replace(/\n$/, '');
        expect(applyPythonWhitespace(s)).toBe(normalized);
      }),
    );
  });
});
