import { format } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import type { Scorer } from '../../src/interfaces.js';
import type { AnyChatModel } from '../../src/integrations/openai-wire.js';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';

// A hand-written model and scorer whose errors carry a key in the message, in a request
// property (with its headers) and in the cause, the way ad-hoc HTTP code fails.
const KEY = 'nvapi-Qw12TESTKEYnotreal9876';
const TOKEN = 'bare-token-without-prefix-55';
function keyedError(what: string): Error {
  const cause = Object.assign(new Error(`401 with Authorization: Bearer ${TOKEN}`), {
    request: new Request('https://upstream.example/v1', { headers: { authorization: `Bearer ${TOKEN}` } }),
  });
  return Object.assign(new Error(`${what} rejected ${KEY}`, { cause }), { apiKey: KEY });
}
const model: AnyChatModel = {
  generate: () => Promise.reject(keyedError('chat upstream')),
  async *stream() {
    throw keyedError('chat upstream');
  },
};
const scorer: Scorer = { score: () => Promise.reject(keyedError('reward upstream')) };

let proxy: GuardServer;
let url: string;
beforeAll(async () => {
  // No onError hook: the default log is what is under test.
  proxy = await createGuardServer({ model, scorers: { judge: scorer }, port: 0 });
  url = (await proxy.listen()).url;
});
afterAll(() => proxy?.close());

let errorLog: MockInstance<typeof console.error>;
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => errorLog.mockRestore());

const post = (body: unknown) => fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('guard proxy default error log', () => {
  it('prints chat and reward failures with console.error, never the key', async () => {
    const chat = await post({ messages: [{ role: 'user', content: 'hi' }] });
    expect(chat.status).toBe(500);
    const streamed = await post({ stream: true, messages: [{ role: 'user', content: 'hi' }] });
    expect(streamed.status).toBe(500);
    const reward = await post({ model: 'judge', messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] });
    expect(reward.status).toBe(500);
    // Nor does the answer say anything about internals.
    for (const res of [chat, streamed, reward]) expect(JSON.stringify(await res.json())).not.toContain('upstream rejected');

    const lines = errorLog.mock.calls.map((args) => format(...args));
    expect(lines).toHaveLength(3);
    expect(lines.filter((l) => l.includes('chat upstream rejected [redacted]'))).toHaveLength(2);
    expect(lines.filter((l) => l.includes('reward upstream rejected [redacted]'))).toHaveLength(1);
    for (const line of lines) {
      expect(line).not.toContain(KEY);
      expect(line).not.toContain(TOKEN);
      expect(line).toContain('Caused by: Error: 401 with Authorization: Bearer [redacted]');
    }
  });
});
