import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { createGuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startOpenAIServer();
});
afterAll(async () => {
  await upstream?.close();
});

describe('guard proxy access', () => {
  it('refuses to start off loopback without a token, naming listen.token', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
      const error = await createGuardServer({ listen: { host, port: 0 }, upstream: { baseURL: upstream.baseURL } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toBe('listen.token');
    }
  });

  it('requires the bearer token on every API route when one is set, but not on /health', async () => {
    const token = 'proxy-token-7f3a';
    // Bound to every interface, reached over loopback.
    const proxy = await createGuardServer({ listen: { host: '0.0.0.0', port: 0, token }, upstream: { baseURL: upstream.baseURL, model: 'fake-model' } });
    const { port } = await proxy.listen();
    const base = `http://127.0.0.1:${port}`;
    try {
      const messages = [{ role: 'user' as const, content: 'hi' }];
      for (const apiKey of ['wrong-token', `${token}x`]) {
        const wrong = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0 });
        await expect(wrong.chat.completions.create({ model: 'fake-model', messages })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
        await expect(wrong.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
      }
      const none = await fetch(`${base}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ messages }) });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect(JSON.stringify(await none.json())).not.toContain(token);

      const right = new OpenAI({ baseURL: `${base}/v1`, apiKey: token, maxRetries: 0 });
      const completion = await right.chat.completions.create({ model: 'fake-model', messages });
      expect(completion.choices[0]!.message.content).toBe('Hello from the fake server.');
      expect((await fetch(`${base}/health`)).status).toBe(200);
      // The client's token is the proxy's, never forwarded upstream.
      expect(upstream.requests.at(-1)!.headers.authorization ?? '').not.toContain(token);
    } finally {
      await proxy.close();
    }
  });
});
