import { format } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { StreamError } from '../../src/errors.js';
import { describeError } from '../../src/integrations/openai-wire.js';
import { createRouteHandler } from '../../src/integrations/next.js';
import type { AnyChatModel } from '../../src/integrations/next.js';

// Keys in every place an error may carry one: the message, a property holding the request (and
// its headers), a client config, a query string, and the cause chain.
const NIM_KEY = 'nvapi-Zx81TESTKEYnotreal0042';
const BEARER = 'plain-token-without-prefix-77';
const QUERY_KEY = 'query-secret-31337';
function keyedError(): Error {
  const cause = Object.assign(new Error(`401 from upstream; sent Authorization: Bearer ${BEARER}`), {
    request: new Request(`https://upstream.example/v1/chat?api_key=${QUERY_KEY}`, { headers: { authorization: `Bearer ${BEARER}` } }),
    status: 401,
  });
  return Object.assign(new Error(`The upstream rejected ${NIM_KEY} at https://upstream.example/v1?key=${QUERY_KEY}`, { cause }), { config: { apiKey: NIM_KEY } });
}
const leaks = (text: string) => [NIM_KEY, BEARER, QUERY_KEY].filter((k) => text.includes(k));

/** A user's hand-written model that fails the way ad-hoc HTTP code does. */
const failing: AnyChatModel = {
  generate: () => Promise.reject(keyedError()),
  async *stream() {
    yield { type: 'text-delta', text: 'partial' };
    throw keyedError();
  },
};

let errorLog: MockInstance<typeof console.error>;
beforeEach(() => {
  errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterEach(() => errorLog.mockRestore());
const logged = () => errorLog.mock.calls.map((args) => format(...args));

const post = (body: unknown) => new Request('http://localhost/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const hello = { messages: [{ role: 'user', content: 'Hello' }] };

describe('the default error log (no onError)', () => {
  it('prints a 500 and a broken stream with console.error, keys masked, causes kept', async () => {
    const POST = createRouteHandler({ model: failing });
    const plain = await POST(post(hello));
    expect(plain.status).toBe(500);
    const streamed = await POST(post({ ...hello, stream: true }));
    expect(streamed.status).toBe(200);
    expect(await streamed.text()).toContain('internal_error');

    const lines = logged();
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(leaks(line)).toEqual([]);
      expect(line).toContain('rewardgate: chat request failed');
      // Still useful: what failed, where, and why.
      expect(line).toContain('The upstream rejected [redacted]');
      expect(line).toContain('Caused by: Error: 401 from upstream; sent Authorization: Bearer [redacted]');
      expect(line).toContain('status=401');
      expect(line).toMatch(/at .*error-logging\.test\.ts/);
    }
  });

  it('reports to onError instead, with the error itself', async () => {
    const seen: unknown[] = [];
    const POST = createRouteHandler({ model: failing, onError: (e) => seen.push(e) });
    expect((await POST(post(hello))).status).toBe(500);
    expect(seen).toHaveLength(1);
    expect((seen[0] as Error).message).toContain(NIM_KEY); // the app's own hook sees everything
    expect(errorLog).not.toHaveBeenCalled();
  });
});

describe('describeError', () => {
  it('masks credentials wherever a message may hold them', () => {
    const text = describeError(new Error('headers {"x-api-key":"abc123secret","authorization":"Bearer tok-1"} url ?token=t0k&access_token=a1 sk-proj-ABCDEFGHIJ123 hf_ABCDEFGHIJKL'));
    for (const secret of ['abc123secret', 'tok-1', 't0k', 'a1 ', 'sk-proj-ABCDEFGHIJ123', 'hf_ABCDEFGHIJKL']) expect(text).not.toContain(secret);
    // Words that only look like the field names stay.
    expect(describeError(new Error('max_tokens: 512, tokens: 3, task-abcdefghijk'))).toContain('max_tokens: 512, tokens: 3, task-abcdefghijk');
  });

  it('names scalar fields, follows causes, and describes non-errors without printing them', () => {
    const text = describeError(new StreamError('truncated', 'ended early', { cause: new TypeError('socket hang up') }));
    expect(text).toMatch(/^StreamError: ended early/);
    expect(text).toContain('kind=truncated');
    expect(text).toContain('Caused by: TypeError: socket hang up');
    expect(describeError({ apiKey: NIM_KEY })).toBe('a thrown object (not an Error)');
    expect(describeError(`bad Bearer ${BEARER}`)).toBe('bad Bearer [redacted]');
  });
});
