import { describe, expect, it } from 'vitest';
import { llamaGuard } from '../../src/index.js';
import { LLAMA_GUARD_MODEL } from '../../src/guards/llama-guard.js';
import { guardChatMock } from '../helpers/nim-mock.js';

const mock = guardChatMock();

const conversation = [
  { role: 'system' as const, content: 'Be nice.' },
  { role: 'user' as const, content: 'Tell me a secret.' },
  { role: 'assistant' as const, content: 'Their address is 1 Main St.' },
];

describe('llamaGuard', () => {
  it('maps `unsafe` + S-codes onto the taxonomy, keeping the code', async () => {
    mock.reply = 'unsafe\nS7,S10';
    const verdict = await llamaGuard({ apiKey: 'k' }).check(conversation);
    expect(verdict).toEqual({
      safe: false,
      categories: [
        { category: 'privacy', label: 'S7' },
        { category: 'hate', label: 'S10' },
      ],
      raw: mock.reply,
    });
    expect(mock.bodies[0].model).toBe(LLAMA_GUARD_MODEL);
    // The server's chat template builds the prompt: the conversation goes as-is, system turn dropped.
    expect(mock.bodies[0].messages).toEqual(conversation.slice(1));
  });

  it('reads `safe`, with surrounding whitespace or a <think> block', async () => {
    for (const r of ['safe', '\n\nsafe\n', '<think>hmm</think>\nsafe']) {
      mock.reply = r;
      expect(await llamaGuard({ apiKey: 'k' }).check(conversation)).toEqual({ safe: true, categories: [], raw: r });
    }
  });

  it("builds the documented instruction with prompt: 'instruction'", async () => {
    mock.reply = 'safe';
    await llamaGuard({ apiKey: 'k', prompt: 'instruction' }).check(conversation);
    const prompt: string = mock.bodies[0].messages[0].content;
    expect(prompt).toContain("unsafe content in 'Agent' messages");
    expect(prompt).toContain('S1: Violent Crimes.\nS2: Non-Violent Crimes.');
    expect(prompt).toContain('S14: Code Interpreter Abuse.\n<END UNSAFE CONTENT CATEGORIES>');
    expect(prompt).toContain('User: Tell me a secret.\n\nAgent: Their address is 1 Main St.');
    expect(prompt).toContain('ONLY THE LAST Agent message');
  });

  it('an unreadable reply: a GuardConfigurationError until one was read, then fails closed (open when asked)', async () => {
    for (const failMode of ['closed', 'open'] as const) {
      const guard = llamaGuard({ apiKey: 'k', failMode });
      mock.reply = 'I cannot determine that.';
      await expect(guard.check(conversation)).rejects.toMatchObject({ name: 'GuardConfigurationError', code: 'guard_misconfigured', failure: 'unreadable_reply', guard: 'llamaGuard' });
      mock.reply = 'safe';
      await guard.check(conversation);
      mock.reply = 'I cannot determine that.';
      expect(await guard.check(conversation)).toEqual({ safe: failMode === 'open', categories: [], raw: mock.reply, failedToParse: true });
    }
  });

  it('maps unknown codes to other', async () => {
    mock.reply = 'unsafe\nS99';
    expect((await llamaGuard({ apiKey: 'k' }).check(conversation)).categories).toEqual([{ category: 'other', label: 'S99' }]);
  });

  it('rejects a bad prompt option by key', () => {
    expect(() => llamaGuard({ apiKey: 'k', prompt: 'free-form' as never })).toThrow(/prompt:/);
  });
});
