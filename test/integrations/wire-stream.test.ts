import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { APIConnectionError, APIError, GuardrailError, StreamError, TimeoutError, UserAbortError, ValidationError } from '../../src/errors.js';
import { createResponseMeta, toChatCompletion, toSSE, toWireError } from '../../src/integrations/openai-wire.js';
import type { StreamEvent } from '../../src/interfaces.js';
import { sseData } from '../helpers/sse.js';


async function collect(events: StreamEvent[], includeUsage = false): Promise<string> {
  async function* source() {
    yield* events;
  }
  let text = '';
  for await (const line of toSSE(source(), createResponseMeta('m', 0), includeUsage)) text += line;
  return text;
}

describe('toSSE', () => {
  it('streams deltas that add up to the completion text, then finish, usage and [DONE]', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 8 }), fc.nat({ max: 8 }), async (pieces, cut) => {
        const text = pieces.join('');
        // Only a prefix is streamed; the rest must come before the finish chunk.
        const streamed = pieces.slice(0, cut);
        const events: StreamEvent[] = [...streamed.map((t) => ({ type: 'text-delta' as const, text: t })), { type: 'finish', completion: { text, finishReason: 'stop', usage: { promptTokens: 1, completionTokens: 2, totalTokens: 3 } } }];
        const data = sseData(await collect(events, true));
        expect(data.at(-1)).toBe('[DONE]');
        const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
        expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
        const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
        expect(content).toBe(text);
        expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
        expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } });
        expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
      }),
      { numRuns: 60 },
    );
  });

  it('carries the pipeline report on the last chunk and maps a refusal to content_filter', async () => {
    const report = { chosen: null, refused: true };
    const data = sseData(await collect([{ type: 'finish', completion: { text: 'No.', finishReason: 'refused', report, refused: true } as never }]));
    const last = JSON.parse(data.at(-2)!);
    expect(last.choices[0].finish_reason).toBe('content_filter');
    expect(last.rewardgate).toEqual({ refused: true, report });
    expect(data.some((d) => d.includes('usage'))).toBe(false);
  });

  it('ends a stream that fails midway with the onFailure line, and closes the source', async () => {
    let closed = false;
    async function* failing() {
      try {
        yield { type: 'text-delta', text: 'partial ' };
        throw new StreamError('malformed', 'bad chunk');
      } finally {
        closed = true;
      }
    }
    const lines: string[] = [];
    const onFailure = (e: unknown) => `data: ${JSON.stringify(toWireError(e).body)}\n\n`;
    for await (const line of toSSE(failing(), createResponseMeta('m'), false, { onFailure })) lines.push(line);
    const data = sseData(lines.join(''));
    expect(JSON.parse(data[1]!).choices[0].delta.content).toBe('partial ');
    expect(JSON.parse(data.at(-1)!).error.code).toBe('upstream_stream_malformed');
    expect(data).not.toContain('[DONE]');
    expect(closed).toBe(true);

    // A consumer that stops early closes the source too.
    let released = false;
    async function* endless() {
      try {
        for (;;) yield { type: 'text-delta', text: 'x' };
      } finally {
        released = true;
      }
    }
    for await (const _ of toSSE(endless(), createResponseMeta('m'), false)) if (_.includes('"x"')) break;
    expect(released).toBe(true);
  });

  it('throws a truncated StreamError when the stream ends without finish', async () => {
    await expect(collect([{ type: 'text-delta', text: 'half' }])).rejects.toMatchObject({ name: 'StreamError', kind: 'truncated' });
  });
});

describe('toChatCompletion', () => {
  it('builds a chat.completion with usage and the rewardgate field only for pipeline results', () => {
    const meta = createResponseMeta('asked-model', 1_700_000_000_000);
    const plain = toChatCompletion({ text: 'Hi', finishReason: 'length' }, meta);
    expect(plain).toEqual({ id: meta.id, object: 'chat.completion', created: 1_700_000_000, model: 'asked-model', choices: [{ index: 0, message: { role: 'assistant', content: 'Hi', refusal: null }, finish_reason: 'length', logprobs: null }] });
    const guarded = toChatCompletion({ id: 'up-1', model: 'up', text: 'No.', finishReason: 'refused', refused: true, report: { x: 1 }, usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 } }, meta);
    expect(guarded).toMatchObject({ id: 'up-1', model: 'up', choices: [{ message: { content: 'No.', refusal: null }, finish_reason: 'content_filter' }], usage: { total_tokens: 2 }, rewardgate: { refused: true, report: { x: 1 } } });
  });
});

describe('toWireError', () => {
  it('maps each error class to an OpenAI-style status and body', () => {
    const v = toWireError(new ValidationError('chat completion request', [{ path: 'messages[0].role', message: 'bad' }]));
    expect(v).toEqual({ status: 400, body: { error: { message: expect.stringContaining('messages[0].role'), type: 'invalid_request_error', param: 'messages[0].role', code: 'invalid_value' } } });
    expect(toWireError(APIError.generate(503, { message: 'overloaded at 10.0.0.9' }))).toMatchObject({ status: 502, body: { error: { code: 'upstream_503', message: expect.stringContaining('status 503') } } });
    expect(toWireError(APIError.generate(503, { message: 'overloaded at 10.0.0.9' })).body.error.message).not.toMatch(/overloaded|10\.0\.0\.9/);
    expect(toWireError(APIError.generate(429, {}))).toMatchObject({ status: 429, body: { error: { type: 'rate_limit_error' } } });
    expect(toWireError(new APIConnectionError('ECONNREFUSED'))).toMatchObject({ status: 502, body: { error: { code: 'upstream_unreachable' } } });
    expect(toWireError(new StreamError('malformed', 'bad chunk'))).toMatchObject({ status: 502, body: { error: { code: 'upstream_stream_malformed' } } });
    expect(toWireError(new TimeoutError('first-chunk', 100))).toMatchObject({ status: 504, body: { error: { code: 'upstream_timeout' } } });
    expect(toWireError(new GuardrailError('refused', 'blocked', { candidates: [], verdicts: [], chosen: null, refused: true, rejected: false, reasons: [] }))).toMatchObject({ status: 400, body: { error: { code: 'content_policy_violation' } } });
    expect(toWireError(new UserAbortError())).toMatchObject({ status: 499 });
    // Anything unknown says nothing about internals.
    const secret = toWireError(new Error('db password hunter2'));
    expect(secret.status).toBe(500);
    expect(JSON.stringify(secret)).not.toContain('hunter2');
  });
});
