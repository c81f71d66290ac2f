import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { fitConversation } from '../../src/onnx/conversation-fit.js';
import { loadTokenizer, type ChatTokenizer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { REWARD } from './fixtures.js';

let tok: ChatTokenizer;
beforeAll(async () => {
  tok = await loadTokenizer({ path: REWARD });
});

const system: Message = { role: 'system', content: 'Be brief.' };
const turns: Message[] = [
  { role: 'user', content: 'First question about gardens?' },
  { role: 'assistant', content: 'First answer about gardens.' },
  { role: 'user', content: 'Second question about bread?' },
  { role: 'assistant', content: 'Second answer about bread.' },
  { role: 'user', content: 'Last question?' },
  { role: 'assistant', content: 'Last answer.' },
];

describe("fitConversation with truncation 'oldest-turns'", () => {
  it('keeps the system turn and the last exchange, dropping whole old exchanges first', () => {
    const all = [system, ...turns];
    const keepTwo = tok.encodeChat([system, ...turns.slice(2)]).length;
    const fitted = fitConversation(tok, all, keepTwo, 'oldest-turns', '[0]');
    expect(fitted.dropped).toBe(2);
    expect(fitted.ids).toEqual(tok.encodeChat([system, ...turns.slice(2)]));
    const tight = fitConversation(tok, all, keepTwo - 1, 'oldest-turns', '[0]');
    expect(tight.ids).toEqual(tok.encodeChat([system, ...turns.slice(4)]));
  });

  it('returns the conversation untouched when it fits, and errors by default when it does not', () => {
    const ids = tok.encodeChat(turns);
    expect(fitConversation(tok, turns, ids.length, 'error', '[0]')).toEqual({ ids, dropped: 0 });
    const error = (() => {
      try {
        fitConversation(tok, turns, ids.length - 1, 'error', '[3]');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe('[3]');
  });

  it('never cuts the judged exchange', () => {
    const last = tok.encodeChat(turns.slice(4)).length;
    expect(() => fitConversation(tok, turns, last - 1, 'oldest-turns', '[0]')).toThrow(/only the last exchange left/);
  });
});
