import { describe, expect, it } from 'vitest';
import { GuardConfigurationError, topicControl, ValidationError } from '../../src/index.js';
import { TOPIC_CONTROL_INSTRUCTION, TOPIC_CONTROL_MODEL } from '../../src/guards/topic-control.js';
import { guardChatMock } from '../helpers/nim-mock.js';

const mock = guardChatMock();
const KEY = 'nvapi-TOPIC-KEY-31337';
const RULES = 'You are a cooking assistant for Acme Kitchens.\nDo not talk about politics, finance or health.';
const ask = [
  { role: 'system' as const, content: 'You are Acme Chef.' },
  { role: 'user' as const, content: 'Who should I vote for?' },
];

describe('topicControl', () => {
  it('sends the rules plus the fixed instruction as system prompt, then the turns, at temperature 0.01 and max_tokens 10', async () => {
    mock.reply = 'off-topic';
    await topicControl({ apiKey: KEY, rules: `  ${RULES}\n` }).check(ask);
    expect(mock.bodies[0]).toEqual({
      model: TOPIC_CONTROL_MODEL,
      temperature: 0.01,
      max_tokens: 10,
      messages: [
        { role: 'system', content: `${RULES}\n\n${TOPIC_CONTROL_INSTRUCTION}` },
        { role: 'user', content: 'Who should I vote for?' },
      ],
    });
    expect(TOPIC_CONTROL_INSTRUCTION).toBe(
      'If any of the above conditions are violated, please respond with "off-topic". Otherwise, respond with "on-topic". You must respond with "on-topic" or "off-topic".',
    );
  });

  it('does not repeat the instruction when the rules already end with it', async () => {
    mock.reply = 'on-topic';
    await topicControl({ apiKey: KEY, rules: `${RULES}\n${TOPIC_CONTROL_INSTRUCTION}` }).check(ask);
    const system: string = mock.bodies[0].messages[0].content;
    expect(system.split(TOPIC_CONTROL_INSTRUCTION)).toHaveLength(2);
  });

  it('sends earlier turns as text (tool calls in their text form) and drops tool and system turns', async () => {
    mock.reply = 'on-topic';
    await topicControl({ apiKey: KEY, rules: RULES }).check([
      { role: 'user', content: [{ type: 'text', text: 'Find a soup recipe' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'search', arguments: '{"q":"soup"}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'Tomato soup: ...' },
      { role: 'user', content: 'And a dessert?' },
    ]);
    expect(mock.bodies[0].messages.slice(1)).toEqual([
      { role: 'user', content: 'Find a soup recipe' },
      { role: 'assistant', content: '<tool_call>\n{"name": "search", "arguments": {"q":"soup"}}\n</tool_call>' },
      { role: 'user', content: 'And a dessert?' },
    ]);
  });

  it('on-topic is safe, off-topic is category off_topic; replies in the variations models produce', async () => {
    const guard = topicControl({ apiKey: KEY, rules: RULES });
    const cases: Array<[string, boolean]> = [
      ['on-topic', true],
      ['off-topic', false],
      ['  Off-Topic\n', false],
      ['"on-topic"', true],
      ['```\noff-topic\n```', false],
      ['<think>The user asks about voting, which is politics.</think>\noff-topic', false],
      ['ON-TOPIC.', true],
      ['off topic', false],
      ['on_topic', true],
    ];
    for (const [reply, safe] of cases) {
      mock.reply = reply;
      const verdict = await guard.check(ask);
      expect(verdict, reply).toEqual({ safe, categories: safe ? [] : [{ category: 'off_topic', label: 'off-topic' }], raw: reply });
    }
  });

  it('a reply that never parsed is a GuardConfigurationError; later unreadable replies fail closed', async () => {
    mock.reply = 'I would love to help with your cooking question!';
    const guard = topicControl({ apiKey: KEY, rules: RULES });
    await expect(guard.check(ask)).rejects.toBeInstanceOf(GuardConfigurationError);
    await expect(guard.check(ask)).rejects.toMatchObject({ failure: 'unreadable_reply', guard: 'topicControl', message: expect.stringContaining('`on-topic` or `off-topic`') });
    mock.reply = 'on-topic';
    await guard.check(ask);
    for (const bad of ['topic?', '<think>unfinished', '']) {
      mock.reply = bad;
      expect(await guard.check(ask)).toEqual({ safe: false, categories: [], raw: bad, failedToParse: true });
    }
  });

  it('a reply cut at max_tokens says so', async () => {
    mock.reply = '<think>Let me consider';
    const guard = topicControl({ apiKey: KEY, rules: RULES, maxTokens: 3 });
    // The mock reports finish_reason 'stop'; a ChatModel reporting 'length' gets the hint.
    const chat = { generate: async () => ({ text: '<think>Let me', finishReason: 'length' as const }), stream: () => (async function* () {})() };
    await expect(topicControl({ chat, rules: RULES }).check(ask)).rejects.toThrow(/cut at max_tokens: raise maxTokens/);
    await expect(guard.check(ask)).rejects.not.toThrow(/cut at max_tokens/);
    expect(mock.bodies.at(-1).max_tokens).toBe(3);
  });

  it('needs rules, and rejects bad options by key', () => {
    expect(() => topicControl({} as never)).toThrow(ValidationError);
    expect(() => topicControl({ rules: '   ' })).toThrow(/rules: give the topic rules/);
    expect(() => topicControl({ rules: RULES, failMode: 'maybe' as never })).toThrow(/failMode/);
    expect(() => topicControl({ rules: RULES, baseURL: 'nope' })).toThrow(/baseURL/);
  });
});
