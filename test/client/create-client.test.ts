import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, ResponseError, StreamError, ValidationError, type ChatModel } from '../../src/index.js';
import { completion, KEY, NIM, userTurn, remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();
afterEach(() => {
  vi.unstubAllEnvs();
});

/** Records every chat request (headers and body) and answers with `text`. */
function chatEndpoint(base: string, text = 'ok') {
  const seen: Array<{ headers: Headers; body: any }> = [];
  server.use(
    http.post(`${base}/chat/completions`, async ({ request }) => {
      seen.push({ headers: request.headers, body: await request.json() });
      return HttpResponse.json(completion(text));
    }),
  );
  return seen;
}

describe('createClient', () => {
  it('defaults to the hosted NIM URL and the NVIDIA_API_KEY environment variable', async () => {
    vi.stubEnv('NVIDIA_API_KEY', 'nvapi-from-env');
    const seen = chatEndpoint('https://integrate.api.nvidia.com/v1');
    const client = createClient();
    expect(client.baseURL).toBe('https://integrate.api.nvidia.com/v1');
    await client.chat.create({ model: 'meta/llama-3.1-8b-instruct', messages: userTurn });
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer nvapi-from-env');
  });

  it('never sends NVIDIA_API_KEY to a server that is not NVIDIA\'s, unless passed explicitly', async () => {
    vi.stubEnv('NVIDIA_API_KEY', 'nvapi-from-env');
    const seen = chatEndpoint('https://llm.example.com/v1');
    await createClient({ baseURL: 'https://llm.example.com/v1' }).chat.create({ model: 'm', messages: userTurn });
    expect(seen[0]!.headers.get('authorization')).toBeNull();
    await createClient({ baseURL: 'https://llm.example.com/v1', apiKey: 'sk-explicit' }).chat.create({ model: 'm', messages: userTurn });
    expect(seen[1]!.headers.get('authorization')).toBe('Bearer sk-explicit');
  });

  it('sends the request body in the OpenAI shape with extra fields merged and custom headers', async () => {
    const seen = chatEndpoint(NIM);
    const client = createClient({ baseURL: NIM, apiKey: KEY, headers: { 'x-team': 'blue' } });
    const result = await client.chat.create({ model: 'm', messages: userTurn, temperature: 0.2, max_tokens: 9, seed: 3, extra: { nvext: { top_k: 5 } } });
    expect(result).toEqual({ id: 'cmpl-1', model: 'm', text: 'ok', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } });
    expect(seen[0]!.body).toEqual({ model: 'm', messages: userTurn, temperature: 0.2, max_tokens: 9, seed: 3, nvext: { top_k: 5 } });
    expect(seen[0]!.headers.get('x-team')).toBe('blue');
    expect(seen[0]!.headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('a custom Authorization or Accept header in any case replaces ours instead of being sent twice', async () => {
    const seen = chatEndpoint(NIM);
    await createClient({ baseURL: NIM, headers: { Authorization: 'Bearer from-header', Accept: 'application/x-custom' } }).chat.create({ model: 'm', messages: userTurn });
    expect(seen[0]!.headers.get('authorization')).toBe('Bearer from-header');
    expect(seen[0]!.headers.get('accept')).toBe('application/x-custom');
  });

  it('validates options at construction and names the bad key', () => {
    const bad = (options: unknown) => {
      try {
        createClient(options as never);
      } catch (error) {
        return error;
      }
      return undefined;
    };
    expect(bad({ baseURL: 'not a url' })).toBeInstanceOf(ValidationError);
    expect((bad({ maxRetries: -1 }) as ValidationError).issues[0]!.path).toBe('maxRetries');
    expect((bad({ timeouts: { idleMs: 0 } }) as ValidationError).issues[0]!.path).toBe('timeouts.idleMs');
    expect((bad({ timeouts: { idle: 5 } }) as ValidationError).message).toContain('timeouts');
    expect((bad({ fetch: 'nope' }) as ValidationError).issues[0]!.path).toBe('fetch');
    expect((bad({ retries: 3 }) as ValidationError).message).toContain('retries');
  });

  it('an undefined option never wipes a default', async () => {
    const seen = chatEndpoint(NIM);
    const client = createClient({ baseURL: NIM, apiKey: KEY, timeouts: { headersMs: undefined, idleMs: 5_000 }, maxRetries: undefined });
    await expect(client.chat.create({ model: 'm', messages: userTurn })).resolves.toMatchObject({ text: 'ok' });
    expect(seen).toHaveLength(1);
  });

  it('rejects a bad request with the zod path, before any network call', async () => {
    const seen = chatEndpoint(NIM);
    const client = createClient({ baseURL: NIM, apiKey: KEY });
    const error = await client.chat.create({ model: 'm', messages: [{ role: 'robot', content: 'x' }] } as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe('messages[0].role');
    expect(() => client.chat.stream({ model: 'm', messages: [], temperature: 9 })).toThrow(ValidationError);
    await expect(client.chat.create({ messages: userTurn })).rejects.toMatchObject({ issues: [{ path: 'model' }] });
    expect(seen).toHaveLength(0);
  });

  it('a non-JSON or wrongly shaped success body is a ResponseError, not a StreamError', async () => {
    server.use(http.post(`${NIM}/chat/completions`, () => HttpResponse.text('<html>proxy</html>')));
    const client = createClient({ baseURL: NIM, apiKey: KEY });
    await expect(client.chat.create({ model: 'm', messages: userTurn })).rejects.toMatchObject({ name: 'ResponseError', kind: 'invalid-json' });
    server.use(http.post(`${NIM}/chat/completions`, () => HttpResponse.json({ choices: [] })));
    const error = await client.chat.create({ model: 'm', messages: userTurn }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error).toMatchObject({ kind: 'unexpected-shape' });
    expect(StreamError.isInstance(error)).toBe(false);
  });

  it('lists models and checks readiness (503 = not ready, not retried)', async () => {
    let readyHits = 0;
    let ready = false;
    server.use(
      http.get(`${NIM}/models`, () => HttpResponse.json({ object: 'list', data: [{ id: 'meta/llama-3.1-8b-instruct', owned_by: 'meta', created: 1 }, { id: 'nvidia/x' }] })),
      http.get(`${NIM}/health/ready`, () => {
        readyHits++;
        return ready ? HttpResponse.json({ object: 'health.response', message: 'Service is ready.' }) : new HttpResponse(null, { status: 503 });
      }),
    );
    const client = createClient({ baseURL: NIM, apiKey: KEY });
    expect(await client.models.list()).toEqual([{ id: 'meta/llama-3.1-8b-instruct', ownedBy: 'meta', created: 1 }, { id: 'nvidia/x' }]);
    expect(await client.health.ready()).toBe(false);
    expect(readyHits).toBe(1);
    ready = true;
    expect(await client.health.ready()).toBe(true);
  });

  it('chatModel(model) is a ChatModel bound to a default model', async () => {
    const seen = chatEndpoint(NIM, 'bound');
    const client = createClient({ baseURL: NIM, apiKey: KEY });
    const llm: ChatModel = client.chatModel('meta/llama-3.1-8b-instruct');
    await expect(llm.generate({ messages: userTurn })).resolves.toMatchObject({ text: 'bound' });
    await llm.generate({ messages: userTurn, model: 'override' });
    expect(seen.map((s) => s.body.model)).toEqual(['meta/llama-3.1-8b-instruct', 'override']);
    await expect(client.chatModel().generate({ messages: userTurn })).rejects.toBeInstanceOf(ValidationError);
  });
});
