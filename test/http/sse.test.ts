import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readSSE } from '../../src/http/sse.js';
import { StreamError } from '../../src/index.js';

const encoder = new TextEncoder();

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
}

async function collect(chunks: Uint8Array[], maxBufferSize?: number) {
  const out: Array<{ event?: string | undefined; data: string }> = [];
  for await (const m of readSSE(streamOf(chunks), maxBufferSize ? { maxBufferSize } : {})) out.push({ event: m.event, data: m.data });
  return out;
}

/** Splits `bytes` at the given cut points. */
function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(bytes.slice(prev, p));
    prev = p;
  }
  return out;
}

const text = fc.string({ unit: fc.constantFrom('a', 'b', ' ', 'é', '€', '😀', '汉', '{', '"', ':') });
const event = fc.record({
  name: fc.option(fc.constantFrom('message', 'error', 'ping'), { nil: undefined }),
  lines: fc.array(text, { minLength: 1, maxLength: 3 }),
  comment: fc.boolean(),
  eol: fc.constantFrom('\n', '\r\n'),
});

describe('readSSE', () => {
  it('any split of the byte stream yields the same events (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), async (events, cuts) => {
        const wire = events
          .map((e) => (e.comment ? `: keep-alive${e.eol}` : '') + (e.name ? `event: ${e.name}${e.eol}` : '') + e.lines.map((l) => `data: ${l}${e.eol}`).join('') + e.eol)
          .join('');
        const bytes = encoder.encode(wire);
        const whole = await collect([bytes]);
        const split = await collect(splitAt(bytes, cuts));
        expect(split).toEqual(whole);
        expect(whole.map((e) => e.data)).toEqual(events.map((e) => e.lines.join('\n')));
        expect(whole.map((e) => e.event)).toEqual(events.map((e) => e.name));
      }),
      { numRuns: 200 },
    );
  });

  it('joins a multibyte character split across chunks (one byte per chunk)', async () => {
    const bytes = encoder.encode('data: héllo €uro 😀 汉字\n\n');
    const oneByEach = Array.from(bytes, (b) => Uint8Array.of(b));
    expect(await collect(oneByEach)).toEqual([{ event: undefined, data: 'héllo €uro 😀 汉字' }]);
  });

  it('drops comments and keep-alives', async () => {
    expect(await collect([encoder.encode(': ping\n\n: ping\n\ndata: x\n\n: ping\n\n')])).toEqual([{ event: undefined, data: 'x' }]);
  });

  it('an over-long line is StreamError(buffer-exceeded)', async () => {
    const error = await collect([encoder.encode(`data: ${'x'.repeat(5_000)}`)], 1_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ kind: 'buffer-exceeded' });
  });

  it('cancels the body when the consumer stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(encoder.encode('data: again\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const m of readSSE(body)) {
      expect(m.data).toBe('again');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
