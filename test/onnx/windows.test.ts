import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.js';
import { textFrame } from '../../src/onnx/text-frame.js';
import { windowCount, windowSequences, windowStarts } from '../../src/onnx/windows.js';

describe('windowStarts / windowSequences', () => {
  it('steps by size - overlap and ends the last window at the end of the body', () => {
    expect(windowStarts(1000, 510, 64)).toEqual([0, 446, 490]);
    expect(windowStarts(510, 510, 64)).toEqual([0]);
    expect(windowStarts(511, 510, 64)).toEqual([0, 1]);
    expect(windowStarts(10, 4, 0)).toEqual([0, 4, 6]);
    expect(() => windowStarts(10, 4, 4)).toThrow(RangeError);
  });

  it('frames every window, covers every token, keeps the overlap and never exceeds maxLength (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 3, max: 40 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.nat(), (length, maxLength, pre, suf, o) => {
        const frame = { prefix: Array.from({ length: pre }, (_, i) => -1 - i), suffix: Array.from({ length: suf }, () => -9) };
        const size = maxLength - pre - suf;
        if (size < 1) return;
        const overlap = o % size;
        const body = Array.from({ length }, (_, i) => i);
        const windows = windowSequences(body, frame, maxLength, overlap);
        expect(windows.length).toBe(windowCount(length, size, overlap));
        const seen = new Set<number>();
        let previousEnd = -1;
        windows.forEach((w, k) => {
          expect(w.length).toBeLessThanOrEqual(maxLength);
          expect(w.slice(0, pre)).toEqual(frame.prefix);
          expect(w.slice(w.length - suf)).toEqual(frame.suffix);
          const text = w.slice(pre, w.length - suf);
          // Consecutive token runs of the body, full size unless the body is shorter.
          expect(text).toEqual(body.slice(text[0] ?? 0, (text[0] ?? 0) + text.length));
          expect(text.length).toBe(Math.min(size, length));
          if (k > 0) expect(previousEnd - text[0]! + 1).toBeGreaterThanOrEqual(overlap);
          previousEnd = text[text.length - 1] ?? -1;
          text.forEach((t) => seen.add(t));
        });
        expect(seen.size).toBe(length);
      }),
    );
  });
});

describe('textFrame (tokenizer.json post_processor)', () => {
  const dir = '/models/m';

  it('reads TemplateProcessing, Bert/RobertaProcessing, Sequence and no processor as transformers applies them', () => {
    const template = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [101], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [102], tokens: ['[SEP]'] } },
    };
    expect(textFrame(template, dir)).toEqual({ prefix: [101], suffix: [102] });
    expect(textFrame({ type: 'BertProcessing', sep: ['[SEP]', 3], cls: ['[CLS]', 2] }, dir)).toEqual({ prefix: [2], suffix: [3] });
    expect(textFrame({ type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true }, dir)).toEqual({ prefix: [0], suffix: [2] });
    expect(textFrame({ type: 'Sequence', processors: [{ type: 'ByteLevel' }, { type: 'TemplateProcessing', single: [{ SpecialToken: { id: '<s>' } }, { Sequence: { id: 'A' } }], special_tokens: { '<s>': { ids: [1] } } }] }, dir)).toEqual({ prefix: [1], suffix: [] });
    expect(textFrame(null, dir)).toEqual({ prefix: [], suffix: [] });
  });

  it('an unknown or broken processor is a ModelLoadError naming tokenizer.json', () => {
    const error = (() => {
      try {
        textFrame({ type: 'FancyProcessing' }, dir);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as ModelLoadError).file).toBe('/models/m/tokenizer.json');
    expect((error as Error).message).toMatch(/"FancyProcessing"/);
    expect(() => textFrame({ type: 'TemplateProcessing', single: [{ SpecialToken: { id: '[X]' } }, { Sequence: { id: 'A' } }], special_tokens: {} }, dir)).toThrow(/names no special token/);
    expect(() => textFrame({ type: 'TemplateProcessing', single: [], special_tokens: {} }, dir)).toThrow(/no \$A/);
    expect(() => textFrame({ type: 'BertProcessing', sep: '[SEP]', cls: ['[CLS]', 2] }, dir)).toThrow(/sep must be/);
  });
});
