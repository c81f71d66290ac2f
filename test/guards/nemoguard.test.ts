import { describe, expect, it } from 'vitest';
import { GuardConfigurationError, llamaGuard, nemoguard, pipeline, safety, ValidationError, type ChatModel } from '../../src/index.js';
import { NEMOGUARD_MODEL } from '../../src/guards/nemoguard.js';
import { guardChatMock } from '../helpers/nim-mock.js';

const KEY = 'nvapi-GUARD-TEST-KEY-987654321';
const mock = guardChatMock();

const ask = [{ role: 'user' as const, content: 'How do I hurt someone?' }];
const answered = [...ask, { role: 'assistant' as const, content: 'Here is how.' }];

describe('nemoguard', () => {
  it('sends the documented instruction as one user message to the NemoGuard model', async () => {
    mock.reply = '{"User Safety": "safe"}';
    await nemoguard({ apiKey: KEY }).check(answered);
    const body = mock.bodies[0];
    expect(body.model).toBe(NEMOGUARD_MODEL);
    expect(body.max_tokens).toBe(50);
    expect(body.messages).toHaveLength(1);
    const prompt: string = body.messages[0].content;
    expect(body.messages[0].role).toBe('user');
    expect(prompt).toContain('<BEGIN UNSAFE CONTENT CATEGORIES>\nS1: Violence.\nS2: Sexual.\nS3: Criminal Planning/Confessions.');
    expect(prompt).toContain('S23: Immoral/Unethical.\n<END UNSAFE CONTENT CATEGORIES>');
    expect(prompt).toContain('<BEGIN CONVERSATION>\n\nuser: How do I hurt someone?\n\nresponse: agent: Here is how.\n\n<END CONVERSATION>');
    expect(prompt).toContain('Do not include anything other than the output JSON in your response.');
  });

  it('judges the user turn on the input rail and the response on the output rail (JSON reply)', async () => {
    const guard = nemoguard({ apiKey: KEY });
    mock.reply = '{"User Safety": "unsafe", "Safety Categories": "Violence, Criminal Planning/Confessions"}';
    expect(await guard.check(ask)).toEqual({
      safe: false,
      categories: [
        { category: 'violence', label: 'Violence' },
        { category: 'criminal_planning', label: 'Criminal Planning/Confessions' },
      ],
      raw: mock.reply,
    });
    expect(mock.bodies[0].messages[0].content).not.toContain('response: agent:');
    mock.reply = '{"User Safety": "unsafe", "Response Safety": "safe", "Safety Categories": "Violence"}';
    expect(await guard.check(answered)).toMatchObject({ safe: true, categories: [] });
  });

  it('reads plain-line replies, with or without a <think> block', async () => {
    const guard = nemoguard({ apiKey: KEY });
    mock.reply = '<think>\nThe user asks about violence. {"User Safety": "safe"}\n</think>\nUser Safety: unsafe\nResponse Safety: unsafe\nSafety Categories: Guns and Illegal Weapons, Threat';
    expect(await guard.check(answered)).toMatchObject({
      safe: false,
      categories: [
        { category: 'weapons', label: 'Guns and Illegal Weapons' },
        { category: 'threat', label: 'Threat' },
      ],
    });
    mock.reply = 'User Safety: safe\nResponse Safety: safe';
    expect((await guard.check(answered)).safe).toBe(true);
    mock.reply = '<think>ok</think>{"User Safety": "safe", "Response Safety": "unsafe", "Safety Categories": "PII/Privacy"}';
    expect(await guard.check(answered)).toMatchObject({ safe: false, categories: [{ category: 'privacy', label: 'PII/Privacy' }] });
  });

  it('a reply format that never parsed is a GuardConfigurationError, not a verdict', async () => {
    for (const bad of ['I am not sure.', '{"User Safety": "maybe"}', '<think>thinking without end', 'Sure! Here is a poem.']) {
      mock.reply = bad;
      const error = await nemoguard({ apiKey: KEY }).check(answered).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GuardConfigurationError);
      expect(error).toMatchObject({ code: 'guard_misconfigured', failure: 'unreadable_reply', guard: 'nemoguard' });
      expect((error as Error).message).toContain(JSON.stringify(bad));
    }
  });

  it('after a readable reply, an unreadable one fails closed (open when asked) with failedToParse', async () => {
    for (const failMode of ['closed', 'open'] as const) {
      const guard = nemoguard({ apiKey: KEY, failMode });
      mock.reply = '{"User Safety": "safe", "Response Safety": "safe"}';
      expect((await guard.check(answered)).safe).toBe(true);
      for (const bad of ['I am not sure.', '{"User Safety": "maybe"}', '<think>thinking without end']) {
        mock.reply = bad;
        expect(await guard.check(answered)).toEqual({ safe: failMode === 'open', categories: [], raw: bad, failedToParse: true });
      }
    }
  });

  it('a reply in the format that lacks the rating judged here shows the format, and fails closed', async () => {
    const guard = nemoguard({ apiKey: KEY });
    mock.reply = '{"User Safety": "safe"}'; // no "Response Safety" on the output rail
    expect(await guard.check(answered)).toEqual({ safe: false, categories: [], raw: mock.reply, failedToParse: true });
  });

  it('works as the guard of a safety rail and accepts any ChatModel as `chat`', async () => {
    const calls: string[] = [];
    const chat: ChatModel = {
      generate: async (req) => (calls.push(req.model ?? '(none)'), { text: '{"User Safety": "unsafe", "Safety Categories": "Violence"}', finishReason: 'stop' }),
      stream: () => {
        throw new Error('not used');
      },
    };
    const llm: ChatModel = { generate: async () => ({ text: 'never', finishReason: 'stop' }), stream: () => (async function* () {})() };
    const out = await pipeline(llm, [safety({ guard: nemoguard({ chat }) })]).generate({ messages: ask });
    expect(out.refused).toBe(true);
    expect(out.report.reasons[0]!.reason).toBe('input blocked: unsafe: violence (Violence)');
    expect(calls).toEqual(['(none)']);
  });

  it('rejects bad options by key and never shows the API key', () => {
    expect(() => nemoguard({ chat: {} as never })).toThrow(/chat: expected a ChatModel/);
    expect(() => nemoguard({ failMode: 'sideways' as never })).toThrow(ValidationError);
    const error = (() => {
      try {
        nemoguard({ apiKey: KEY, baseURL: 'not a url' });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/baseURL/);
    expect(JSON.stringify(error) + String(error?.message)).not.toContain(KEY);
  });

  it('rejects a conversation that is not one (nemoguard and llamaGuard) before calling the model', async () => {
    for (const guard of [nemoguard({ apiKey: KEY }), llamaGuard({ apiKey: KEY })]) {
      await expect(guard.check([])).rejects.toBeInstanceOf(ValidationError);
      await expect(guard.check([{ role: 'user', content: 3 }] as never)).rejects.toMatchObject({ name: 'ValidationError', issues: [{ path: '[0].content' }] });
    }
    expect(mock.bodies).toHaveLength(0);
  });
});
