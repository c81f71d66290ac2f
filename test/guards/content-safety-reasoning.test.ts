import { describe, expect, it } from 'vitest';
import { contentSafetyReasoning, GuardConfigurationError, pipeline, safety, type ChatModel } from '../../src/index.js';
import { CONTENT_SAFETY_REASONING_MODEL } from '../../src/guards/content-safety-reasoning.js';
import { guardChatMock } from '../helpers/nim-mock.js';

const mock = guardChatMock();
const KEY = 'nvapi-REASONING-KEY-2468';
const POLICY = 'S1: Discussing competitor products.\nS2: Giving medical dosage advice.';
const ask = [{ role: 'user' as const, content: 'Is BrandX better than you?' }];
const answered = [...ask, { role: 'assistant' as const, content: 'BrandX is terrible, buy ours.' }];

describe('contentSafetyReasoning', () => {
  it('puts the policy, the exchange, the answer format and /no_think in one user message', async () => {
    mock.reply = 'Prompt harm: harmful\nResponse harm: None';
    await contentSafetyReasoning({ apiKey: KEY, policy: POLICY }).check(ask);
    const body = mock.bodies[0];
    expect(body).toMatchObject({ model: CONTENT_SAFETY_REASONING_MODEL, max_tokens: 40, temperature: 0 });
    expect(body.messages).toHaveLength(1);
    const prompt: string = body.messages[0].content;
    expect(prompt).toMatch(/^You are a classifier for analyzing interactions between humans and LLMs\./);
    expect(prompt).toContain(`fall into.\n\n${POLICY}\n\nHuman user:\nIs BrandX better than you?\n\nAI assistant:\nNone\n\n`);
    expect(prompt).toContain('"Prompt harm: <harmful/unharmful>\nResponse harm: <harmful/unharmful>"');
    expect(prompt.endsWith('as None. /no_think')).toBe(true);
  });

  it('reasoning: /think and room for the trace; the output rail sends the answer; the default policy is the 22 categories', async () => {
    mock.reply = '<think>The answer disparages a competitor.</think>\nPrompt harm: unharmful\nResponse harm: harmful';
    const verdict = await contentSafetyReasoning({ apiKey: KEY, reasoning: true }).check(answered);
    const prompt: string = mock.bodies[0].messages[0].content;
    expect(prompt.endsWith('/think')).toBe(true);
    expect(mock.bodies[0].max_tokens).toBe(400);
    expect(prompt).toContain('AI assistant:\nBrandX is terrible, buy ours.\n');
    expect(prompt).toContain('S1: Violence.\nS2: Sexual.');
    expect(prompt).toContain('S22: Immoral/Unethical.\n\nHuman user:');
    expect(verdict).toEqual({ safe: false, categories: [{ category: 'other', label: 'Response harm' }], raw: mock.reply });
  });

  it('judges the prompt on the input rail and the response on the output rail', async () => {
    const guard = contentSafetyReasoning({ apiKey: KEY, policy: POLICY });
    mock.reply = 'Prompt harm: harmful\nResponse harm: unharmful';
    expect(await guard.check(ask)).toMatchObject({ safe: false, categories: [{ category: 'other', label: 'Prompt harm' }] });
    expect(await guard.check(answered)).toMatchObject({ safe: true, categories: [] });
  });

  it('reply variations: case, whitespace, quotes, fences, one line, a <think> that mentions the format', async () => {
    const guard = contentSafetyReasoning({ apiKey: KEY, policy: POLICY });
    const cases: Array<[string, boolean]> = [
      ['Prompt harm: unharmful\nResponse Harm: harmful', false],
      ['  prompt harm:   UNHARMFUL  \n\n  response harm: unharmful ', true],
      ['"Prompt harm: unharmful\nResponse harm: harmful"', false],
      ['```\nPrompt harm: unharmful\nResponse harm: unharmful\n```', true],
      ['Prompt harm: unharmful, Response harm: harmful', false],
      ['<think>\nIf I wrote "Response harm: unharmful" I would be wrong.\n</think>\nPrompt harm: unharmful\nResponse harm: harmful', false],
      ['**Prompt harm**: unharmful\n**Response harm**: harmful', false],
    ];
    for (const [reply, safe] of cases) {
      mock.reply = reply;
      expect((await guard.check(answered)).safe, reply).toBe(safe);
    }
  });

  it('the reasoning stays in raw: never in labels or the refusal reason', async () => {
    const thought = 'SECRET-CHAIN-OF-THOUGHT about the policy';
    const chat: ChatModel = {
      generate: async () => ({ text: `<think>${thought}</think>Prompt harm: harmful\nResponse harm: None`, finishReason: 'stop' }),
      stream: () => (async function* () {})(),
    };
    const llm: ChatModel = { generate: async () => ({ text: 'never', finishReason: 'stop' }), stream: () => (async function* () {})() };
    const out = await pipeline(llm, [safety({ guard: contentSafetyReasoning({ chat, reasoning: true }) })]).generate({ messages: ask });
    expect(out.refused).toBe(true);
    expect(out.text).not.toContain(thought);
    expect(JSON.stringify(out.report.reasons)).not.toContain(thought);
    expect(out.report.verdicts[0]!.verdict.categories).toEqual([{ category: 'other', label: 'Prompt harm' }]);
    expect(out.report.verdicts[0]!.verdict.raw).toContain(thought);
  });

  it('no rating for the rail judged: a configuration error first, failedToParse once the format was read', async () => {
    const guard = contentSafetyReasoning({ apiKey: KEY, policy: POLICY });
    mock.reply = 'This conversation seems fine to me.';
    await expect(guard.check(answered)).rejects.toBeInstanceOf(GuardConfigurationError);
    mock.reply = 'Prompt harm: unharmful\nResponse harm: None'; // in the format, but no response rating
    expect(await guard.check(answered)).toEqual({ safe: false, categories: [], raw: mock.reply, failedToParse: true });
    mock.reply = 'Prompt harm: maybe';
    expect(await guard.check(ask)).toMatchObject({ safe: false, failedToParse: true });
  });

  it('rejects bad options by key', () => {
    expect(() => contentSafetyReasoning({ policy: '' })).toThrow(/policy: give the policy text/);
    expect(() => contentSafetyReasoning({ reasoning: 'yes' as never })).toThrow(/reasoning/);
    expect(() => contentSafetyReasoning({ apiKey: KEY, chat: {} as never })).toThrow(/chat/);
  });
});
