import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, type ChatTokenizer } from '../../src/onnx/index.js';
import { TextStreamer } from '../../src/onnx/text-streamer.js';
import { CHAT } from './fixtures.js';

let tok: ChatTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer({ path: CHAT });
});

// Streams `text`'s ids one token at a time, as generation does.
function stream(text: string, stops: string[] = []) {
  const ids = tok.encode(text);
  const streamer = new TextStreamer((x) => tok.decode(x, { skipSpecialTokens: true }), stops);
  const deltas: string[] = [];
  for (let i = 1; i <= ids.length && !streamer.stopped; i++) deltas.push(streamer.push(ids.slice(0, i)));
  deltas.push(streamer.flush());
  return { ids, deltas: deltas.filter((d) => d !== ''), streamer };
}

describe('TextStreamer with the byte-level tokenizer', () => {
  it('holds back split UTF-8 characters until they are whole', () => {
    const text = 'héllo wörld 🙂 日本語 naïve 👩‍👩‍👧';
    const { ids, deltas } = stream(text);
    // The vocabulary is tiny: multibyte characters span several tokens.
    expect(ids.length).toBeGreaterThan([...text].length);
    expect(deltas.join('')).toBe(text);
    for (const d of deltas) expect(d).not.toContain('\uFFFD');
  });

  it('is exact for any text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (text) => {
        const { ids, deltas } = stream(text);
        expect(deltas.join('')).toBe(ids.length ? tok.decode(ids, { skipSpecialTokens: true }) : '');
        // A U+FFFD the text really holds is shown; one from a split character never is.
        if (!text.includes('\uFFFD')) for (const d of deltas) expect(d).not.toContain('\uFFFD');
      }),
      { numRuns: 300 },
    );
  });

  it("never shows text that the decoder's space clean-up rewrites later", () => {
    for (const text of ['Hello , world .', "I do n't know", "it 's fine", "we 're here", "a ' b", 'Why ? Yes !']) {
      const { ids, deltas } = stream(text);
      expect(deltas.join('')).toBe(tok.decode(ids, { skipSpecialTokens: true }));
    }
  });

  it('cuts the text before a stop string and never emits a partial one', () => {
    const { deltas, streamer } = stream('one two three four', ['thr', 'zz']);
    expect(streamer.stopped).toBe(true);
    expect(streamer.text).toBe('one two ');
    expect(deltas.join('')).toBe('one two ');
    for (const d of deltas) expect(d).not.toContain('th');
  });

  it('releases a held-back stop prefix when the stop string does not follow', () => {
    const { deltas, streamer } = stream('a tho b', ['thr']);
    expect(streamer.stopped).toBe(false);
    expect(deltas.join('')).toBe('a tho b');
  });
});
