// A guard that cannot run is never a safety verdict on the wire: an outage is a refusal that says
// guard_unavailable (or a 503 with onGuardError 'throw'), a misconfigured guard a 500, driven with
// the official openai client through the proxy in front of a loopback NemoGuard.
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

let guardStatus = 503;
let upstream: FakeOpenAIServer;
let nemo: FakeOpenAIServer;
let proxy: GuardServer | undefined;
const errors: unknown[] = [];

beforeAll(async () => {
  upstream = await startOpenAIServer(() => ({ text: 'A fine answer.' }));
  nemo = await startOpenAIServer(() => ({ text: '', status: guardStatus, errorBody: { error: { message: `guard says ${guardStatus}` } } }));
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  errors.length = 0;
});
afterAll(() => Promise.all([upstream.close(), nemo.close()]));

async function start(onGuardError?: 'refuse' | 'throw', guardURL?: string) {
  proxy = await createGuardServer(
    {
      listen: { port: 0, accessLog: false },
      upstream: { baseURL: upstream.baseURL, model: 'm', maxRetries: 0 },
      guards: { g: { nemoguard: { baseURL: guardURL ?? nemo.baseURL, apiKey: 'guard-key' } } },
      pipeline: [{ safety: { guard: 'g', ...(onGuardError ? { onGuardError } : {}) } }],
    },
    { onError: (e) => errors.push(e) },
  );
  const { url } = await proxy.listen();
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
}

describe('guard failures through the proxy', () => {
  it('an outage (503 after retries) is a refusal whose report says guard_unavailable, not a safety block', async () => {
    guardStatus = 503;
    const client = await start();
    const before = upstream.requests.length;
    const answer = (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] })) as any;
    expect(answer.choices[0].finish_reason).toBe('content_filter');
    expect(JSON.stringify(answer.rewardgate.report)).toContain('guard_unavailable');
    expect(answer.rewardgate.report.verdicts[0].guardError).toMatchObject({ code: 'guard_unavailable' });
    expect(upstream.requests.length).toBe(before); // the input rail could not judge: nothing generated
  }, 20_000);

  it('the refusal of an unreachable guard names no internal address in the report', async () => {
    const client = await start('refuse', 'http://127.0.0.1:1/v1');
    const answer = (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] })) as any;
    const text = JSON.stringify(answer);
    expect(text).toContain('guard_unavailable');
    expect(text).not.toMatch(/127\.0\.0\.1|guard-key/);
  }, 20_000);

  it("with onGuardError 'throw' an outage is a 503 guard_unavailable", async () => {
    guardStatus = 503;
    const client = await start('throw');
    const error = (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e)) as any;
    expect(error.status).toBe(503);
    expect(error.error).toMatchObject({ code: 'guard_unavailable' });
  }, 20_000);

  it('a rejected guard key is a 500 guard_misconfigured, logged, whatever onGuardError says', async () => {
    guardStatus = 401;
    const client = await start('refuse');
    const error = (await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e)) as any;
    expect(error.status).toBe(500);
    expect(error.error).toMatchObject({ code: 'guard_misconfigured' });
    expect(JSON.stringify(error.error)).not.toContain('guard-key');
    expect(errors.map((e) => (e as Error).name)).toContain('GuardConfigurationError');
  }, 20_000);
});
