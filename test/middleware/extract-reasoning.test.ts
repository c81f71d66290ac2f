import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClient, extractReasoning, pipeline, ValidationError, type ChatModel, type PipelineEvent, type StreamEvent } from '../../src/index.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { drain, scriptedModel, user } from '../pipeline/test-model.js';

const finishOf = (events: PipelineEvent[]) => (events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion;
const joined = (events: PipelineEvent[], type: 'text-delta' | 'reasoning-delta') =>
  events.filter((e) => e.type === type).map((e) => (e as { text: string }).text).join('');

async function viaGenerate(text: string, options?: Parameters<typeof extractReasoning>[0], reasoning?: string) {
  return pipeline(scriptedModel(() => ({ text, ...(reasoning ? { reasoning } : {}) })), [extractReasoning(options)]).generate(user('q'));
}
async function viaStream(chunks: string[], options?: Parameters<typeof extractReasoning>[0], reasoning?: string) {
  const model = scriptedModel(() => ({ text: chunks.join(''), chunks, ...(reasoning ? { reasoning } : {}) }));
  return drain(pipeline(model, [extractReasoning(options)]).stream(user('q')));
}

describe('extractReasoning', () => {
  it('moves a leading <think> block into reasoning (Qwen3 / DeepSeek-R1 output)', async () => {
    const out = await viaGenerate('<think>\nThe user greets me.\n</think>\n\nHello!');
    expect(out).toMatchObject({ text: 'Hello!', reasoning: 'The user greets me.', finishReason: 'stop' });
    expect(out.report.chosen).toBe(0);
  });

  it('handles the cases models produce', async () => {
    const cases: Array<[string, { text: string; reasoning?: string }, Parameters<typeof extractReasoning>[0]?]> = [
      ['Plain answer.', { text: 'Plain answer.' }],
      ['  <b>bold</b> answer', { text: '  <b>bold</b> answer' }],
      ['<think>\n\n</think>\n\nNo thinking.', { text: 'No thinking.' }], // Qwen3 with thinking off
      ['<think>cut off by max_tokens', { text: '', reasoning: 'cut off by max_tokens' }],
      ['Answer mentions </think> late.', { text: 'Answer mentions </think> late.' }], // no opening: left alone by default
      ['Reasoning here.\n</think>\n\nThe answer.', { text: 'The answer.', reasoning: 'Reasoning here.' }, { opened: true }],
      ['<think>Repeated tag.</think>Answer', { text: 'Answer', reasoning: 'Repeated tag.' }, { opened: true }],
      ['still thinking', { text: '', reasoning: 'still thinking' }, { opened: true }],
      ['<reasoning>r</reasoning> a', { text: 'a', reasoning: 'r' }, { tag: 'reasoning' }],
      ['<think>a </thi', { text: '', reasoning: 'a </thi' }],
    ];
    for (const [raw, expected, options] of cases) {
      const out = await viaGenerate(raw, options);
      expect({ text: out.text, reasoning: out.reasoning }, raw).toEqual({ text: expected.text, reasoning: expected.reasoning });
      const events = await viaStream([raw], options);
      expect({ text: joined(events, 'text-delta'), reasoning: joined(events, 'reasoning-delta') || undefined }, raw).toEqual({ text: expected.text, reasoning: expected.reasoning });
    }
  });

  it('appends to reasoning the server already sent, on a new line, in generate and stream', async () => {
    const out = await viaGenerate('<think>inline</think>answer', {}, 'from server');
    expect(out).toMatchObject({ text: 'answer', reasoning: 'from server\ninline' });
    const events = await viaStream(['<think>inl', 'ine</think>answer'], {}, 'from server');
    expect(joined(events, 'reasoning-delta')).toBe('from server\ninline');
    expect(finishOf(events).reasoning).toBe('from server\ninline');
  });

  it('gives the same split for the tag cut at every point across chunks (property)', async () => {
    const raw = fc.tuple(
      fc.constantFrom('', ' ', '\n'),
      fc.boolean(),
      fc.stringMatching(/^[a-z <\/>\n.]{0,24}$/),
      fc.boolean(),
      fc.stringMatching(/^[a-z <\/>\n.]{0,24}$/),
    ).map(([lead, open, reasoning, close, answer]) => `${lead}${open ? '<think>' : ''}${reasoning}${close ? '</think>' : ''}${answer}`);
    const withCuts = raw.chain((text) =>
      fc.tuple(fc.constant(text), fc.array(fc.integer({ min: 0, max: text.length }), { maxLength: 10 }), fc.boolean()),
    );
    await fc.assert(
      fc.asyncProperty(withCuts, async ([text, cuts, opened]) => {
        const points = [...new Set([0, ...cuts, text.length])].sort((a, b) => a - b);
        const chunks = points.slice(1).map((p, i) => text.slice(points[i], p));
        const whole = await viaGenerate(text, { opened });
        const events = await viaStream(chunks, { opened });
        expect(joined(events, 'text-delta')).toBe(whole.text);
        expect(joined(events, 'reasoning-delta')).toBe(whole.reasoning ?? '');
        expect(finishOf(events)).toMatchObject({ text: whole.text });
        expect(finishOf(events).reasoning).toBe(whole.reasoning);
        // Nothing is lost: the answer and the reasoning are in the raw text, in that order.
        if (!opened && !/^\s*<think>/.test(text)) expect(whole.text).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('splits at every single cut point of a typical answer', async () => {
    const text = '<think>\nweigh it up\n</think>\n\nThe answer.';
    for (let a = 0; a <= text.length; a++) {
      for (let b = a; b <= text.length; b += 3) {
        const events = await viaStream([text.slice(0, a), text.slice(a, b), text.slice(b)]);
        expect(joined(events, 'reasoning-delta')).toBe('weigh it up');
        expect(joined(events, 'text-delta')).toBe('The answer.');
        // Reasoning events all come before the first text event.
        const types = events.map((e) => e.type).filter((t) => t === 'text-delta' || t === 'reasoning-delta');
        expect(types.lastIndexOf('reasoning-delta')).toBeLessThan(types.indexOf('text-delta'));
      }
    }
  });

  it('passes tool-call events through', async () => {
    const toolCall = { id: 'c', type: 'function' as const, function: { name: 'f', arguments: '{}' } };
    const model: ChatModel = {
      generate: async () => ({ text: '<think>r</think>', toolCalls: [toolCall], finishReason: 'tool_calls' }),
      async *stream(): AsyncGenerator<StreamEvent> {
        yield { type: 'text-delta', text: '<think>r</think>' };
        yield { type: 'tool-call-delta', index: 0, id: 'c', name: 'f', argumentsDelta: '{}' };
        yield { type: 'tool-call', index: 0, toolCall };
        yield { type: 'finish', completion: { text: '<think>r</think>', toolCalls: [toolCall], finishReason: 'tool_calls' } };
      },
    };
    const guarded = pipeline(model, [extractReasoning()]);
    expect(await guarded.generate(user('q'))).toMatchObject({ text: '', reasoning: 'r', toolCalls: [toolCall] });
    const events = await drain(guarded.stream(user('q')));
    expect(events.filter((e) => e.type.startsWith('tool-call') || e.type.endsWith('delta')).map((e) => e.type)).toEqual(['reasoning-delta', 'tool-call-delta', 'tool-call']);
  });

  it('works on an OpenAI-compatible stream over HTTP, one word per chunk', async () => {
    const server = await startOpenAIServer(() => ({ text: '<think> The user says hi. </think> Hi there, friend.', chunks: 9 }));
    try {
      const llm = createClient({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 }).chatModel('fake-model');
      const events = await drain(pipeline(llm, [extractReasoning()]).stream(user('q')));
      expect(joined(events, 'reasoning-delta')).toBe('The user says hi.');
      expect(joined(events, 'text-delta')).toBe('Hi there, friend.');
      expect(finishOf(events)).toMatchObject({ text: 'Hi there, friend.', reasoning: 'The user says hi.', refused: false });
    } finally {
      await server.close();
    }
  });

  it('rejects a bad tag, naming it', () => {
    expect(() => extractReasoning({ tag: '<think>' })).toThrow(ValidationError);
    expect(() => extractReasoning({ tag: 'think', bogus: 1 } as never)).toThrow(/bogus/);
  });
});
