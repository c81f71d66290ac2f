import { http, HttpResponse } from 'msw';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { AuthenticationError, createClient, RewardgateError } from '../../src/index.js';
import { chunk, KEY, NIM, userTurn, remoteMock } from '../helpers/nim-mock.js';
import { startLoopbackSSE } from '../helpers/loopback-sse.js';

const server = remoteMock();

const everywhere = (value: unknown) => [String(value), JSON.stringify(value), inspect(value, { depth: Infinity, showHidden: true })].join('\n');

describe('the API key never shows', () => {
  it('not in JSON.stringify or util.inspect of the client', () => {
    const client = createClient({ baseURL: NIM, apiKey: KEY });
    expect(everywhere(client)).not.toContain(KEY);
    expect(everywhere(client.chat)).not.toContain(KEY);
    expect(everywhere(client.chatModel('m'))).not.toContain(KEY);
  });

  it('not in an error whose body echoes the request headers', async () => {
    server.use(
      http.post(`${NIM}/chat/completions`, ({ request }) =>
        HttpResponse.json({ error: { message: `bad key ${request.headers.get('authorization')}`, headers: Object.fromEntries(request.headers) } }, { status: 401 }),
      ),
    );
    const client = createClient({ baseURL: NIM, apiKey: KEY });
    const error = await client.chat.create({ model: 'm', messages: userTurn }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as Error).message).toBe('401 bad key Bearer [redacted]');
    expect(everywhere(error)).not.toContain(KEY);
    expect(JSON.stringify((error as AuthenticationError).body)).toContain('[redacted]');
  });

  it('not in an error event mid-stream that echoes it', async () => {
    const remote = await startLoopbackSSE((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(chunk('a') + `event: error\ndata: ${JSON.stringify({ error: { message: `denied for ${KEY}`, code: 403 } })}\n\n`);
    });
    const client = createClient({ baseURL: remote.baseURL, apiKey: KEY });
    const error = await (async () => {
      for await (const _ of client.chat.stream({ model: 'm', messages: userTurn }));
    })().catch((e: unknown) => e);
    expect(RewardgateError.isInstance(error)).toBe(true);
    expect((error as { status: number }).status).toBe(403);
    expect(everywhere(error)).not.toContain(KEY);
    await remote.close();
  });

  it('not in a malformed stream chunk or an unreadable reward answer that echoes it', async () => {
    const remote = await startLoopbackSSE((res, req) => {
      if (req.url?.includes('text')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(`${KEY} oops`);
      }
      if (req.url?.includes('reward')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ choices: [{ message: { content: `no score, ${KEY}` } }] }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // The key sits across the 80th character, where an error message would cut the data.
      const pad = 'x'.repeat(50);
      res.end(req.url?.includes('shape') ? `data: {"choices": "${pad}${KEY}"}\n\n` : `data: not json ${pad}${KEY}\n\n`);
    });
    for (const base of [remote.baseURL, `${remote.baseURL}/shape`]) {
      const client = createClient({ baseURL: base, apiKey: KEY });
      const error = await (async () => {
        for await (const _ of client.chat.stream({ model: 'm', messages: userTurn }));
      })().catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'StreamError', kind: 'malformed' });
      expect(everywhere(error)).not.toContain(KEY.slice(0, 12));
    }
    const reward = createClient({ baseURL: `${remote.baseURL}/reward`, apiKey: KEY });
    const error = await reward.reward.score({ model: 'r', messages: [...userTurn, { role: 'assistant', content: 'a' }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResponseError', kind: 'unexpected-shape' });
    expect(everywhere(error)).not.toContain(KEY);
    const text = createClient({ baseURL: `${remote.baseURL}/text`, apiKey: KEY });
    const notJson = await text.chat.create({ model: 'm', messages: userTurn }).catch((e: unknown) => e);
    expect(notJson).toMatchObject({ name: 'ResponseError', kind: 'invalid-json' });
    expect(everywhere(notJson)).not.toContain(KEY.slice(0, 8));
    await remote.close();
  });

  it('not in a connection error', async () => {
    server.use(http.post(`${NIM}/chat/completions`, () => HttpResponse.error()));
    const client = createClient({ baseURL: NIM, apiKey: KEY, maxRetries: 0 });
    const error = await client.chat.create({ model: 'm', messages: userTurn }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'APIConnectionError' });
    expect(everywhere(error)).not.toContain(KEY);
    expect(everywhere(error)).toContain('fetch failed');
  });
});
