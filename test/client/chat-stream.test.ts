import { afterEach, describe, expect, it } from 'vitest';
import { APIError, createClient, InternalServerError, RateLimitError, StreamError, type StreamEvent } from '../../src/index.js';
import { chunk, KEY, userTurn } from '../helpers/nim-mock.js';
import { startLoopbackSSE, type LoopbackSSE } from '../helpers/loopback-sse.js';

const request = { model: 'm', messages: userTurn };
let remote: LoopbackSSE | undefined;
afterEach(async () => {
  await remote?.close();
  remote = undefined;
});

/** Streams from a loopback server that writes `steps` (strings or raw byte buffers) in turn. */
async function streamFrom(steps: Array<string | Buffer>, options: { maxStreamBufferSize?: number } = {}) {
  remote = await startLoopbackSSE(async (res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    // A pause between writes keeps them separate network chunks.
    for (const step of steps) {
      res.write(step);
      await new Promise((r) => setTimeout(r, 2));
    }
    res.end();
  });
  const client = createClient({ baseURL: remote.baseURL, apiKey: KEY, ...options });
  const events: StreamEvent[] = [];
  const error = await (async () => {
    for await (const e of client.chat.stream(request)) events.push(e);
  })().catch((e: unknown) => e);
  return { events, error, deltas: events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])) };
}

describe('chat.stream', () => {
  it('yields text deltas, then a finish event with the whole completion and usage', async () => {
    const { events, error } = await streamFrom([
      `data: ${JSON.stringify({ id: 'c9', model: 'm', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: null }] })}\n\n`,
      chunk('Hello'),
      chunk(', world'),
      chunk(null, 'length'),
      `data: ${JSON.stringify({ id: 'c9', choices: [], usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 } })}\n\n`,
      'data: [DONE]\n\n',
    ]);
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: ', world' },
      { type: 'finish', completion: { id: 'c9', model: 'm', text: 'Hello, world', finishReason: 'length', usage: { promptTokens: 4, completionTokens: 2, totalTokens: 6 } } },
    ]);
  });

  it('EOF without [DONE] and without a finish reason is StreamError(truncated), never a success', async () => {
    const { deltas, events, error } = await streamFrom([chunk('Hel'), chunk('lo')]);
    expect(deltas).toEqual(['Hel', 'lo']);
    expect(events.some((e) => e.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ kind: 'truncated' });
  });

  it('EOF with a finish reason but no [DONE] is accepted', async () => {
    const { events, error } = await streamFrom([chunk('Hi'), chunk(null, 'stop')]);
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ type: 'finish', completion: { text: 'Hi', finishReason: 'stop' } });
  });

  it('malformed data is StreamError(malformed)', async () => {
    const { deltas, error } = await streamFrom([chunk('ok'), 'data: {"choices": [ nope\n\n', chunk(null, 'stop')]);
    expect(deltas).toEqual(['ok']);
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ kind: 'malformed' });
  });

  it('an error event mid-stream is an APIError of the status it names', async () => {
    const { deltas, error } = await streamFrom([chunk('par'), `event: error\ndata: ${JSON.stringify({ error: { message: 'rate limited', code: 429 } })}\n\n`]);
    expect(deltas).toEqual(['par']);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, message: '429 rate limited' });
  });

  it('an OpenAI-style {error} data chunk mid-stream is an APIError too', async () => {
    const { error } = await streamFrom([chunk('x'), `data: ${JSON.stringify({ error: { message: 'engine crashed', type: 'server_error' } })}\n\n`]);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(APIError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('engine crashed');
  });

  it('a chunk carrying "error": null is an ordinary chunk, not an error', async () => {
    const { events, error } = await streamFrom([chunk('ok', null, { error: null }), chunk(null, 'stop'), 'data: [DONE]\n\n']);
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ completion: { text: 'ok', finishReason: 'stop' } });
  });

  it('multibyte UTF-8 split across network chunks comes out whole', async () => {
    const wire = Buffer.from(chunk('naïve €5 😀 汉字') + chunk(null, 'stop') + 'data: [DONE]\n\n');
    const pieces = Array.from({ length: Math.ceil(wire.length / 3) }, (_, i) => wire.subarray(i * 3, i * 3 + 3));
    const { events, error } = await streamFrom(pieces);
    expect(error).toBeUndefined();
    expect(events.at(-1)).toMatchObject({ completion: { text: 'naïve €5 😀 汉字' } });
  });

  it('an over-long SSE line is StreamError(buffer-exceeded)', async () => {
    const { error } = await streamFrom([chunk('a'), `data: ${'x'.repeat(20_000)}`], { maxStreamBufferSize: 4_096 });
    expect(error).toBeInstanceOf(StreamError);
    expect(error).toMatchObject({ kind: 'buffer-exceeded' });
  });
});
