import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startGuardedUpstream } from '../helpers/guarded-upstream.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

// Upstream behaviour by prompt: `slow` holds the headers back, `trickle` streams slowly.
let upstream: FakeOpenAIServer;
let proxy: GuardServer;
let url: string;
let client: OpenAI;
const failures: unknown[] = [];

beforeAll(async () => {
  upstream = await startOpenAIServer((body) => {
    const prompt: string = body.messages.at(-1).content;
    if (prompt === 'slow') return { text: 'late', delayMs: 3_000 };
    if (prompt === 'trickle') return { text: 'word '.repeat(100), chunkDelayMs: 30 };
    return { text: 'fine' };
  });
  proxy = await createGuardServer(
    { listen: { port: 0, bodyLimit: 4096 }, upstream: { baseURL: upstream.baseURL, model: 'fake-model', maxRetries: 0, timeouts: { headersMs: 300 } } },
    { onError: (error) => failures.push(error) },
  );
  url = (await proxy.listen()).url;
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
});

afterAll(async () => {
  await proxy?.close({ timeoutMs: 0 });
  await upstream?.close();
});

const post = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

async function until(condition: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('guard proxy errors', () => {
  it('answers an invalid request with an OpenAI-style 400 naming the field', async () => {
    const error = await client.chat.completions.create({ model: 'fake-model', messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');
    const wrongType = await post(JSON.stringify({ messages: [{ role: 'user', content: 42 }] }));
    expect(wrongType.status).toBe(400);
    const body = (await wrongType.json()) as { error: { type: string; param: string; message: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', param: 'messages[0].content' });
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    const malformed = await post('{"messages": [');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const large = await post(JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(10_000) }] }));
    expect(large.status).toBe(413);
    expect(((await large.json()) as { error: { message: string } }).error.message).toContain('4096 bytes');
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    expect((await fetch(`${url}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    const wrong = await fetch(`${url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('maps an upstream timeout to 504', async () => {
    const error = await client.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'slow' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((error as Error).message).toContain('timed out');
    expect(failures.at(-1)).toMatchObject({ name: 'TimeoutError', phase: 'headers' });
  });

  it('maps an unreachable upstream to 502 with a clear message', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const seen: unknown[] = [];
    const down = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: `http://127.0.0.1:${port}/v1`, model: 'm', maxRetries: 0 } }, { onError: (e) => seen.push(e) });
    const downClient = new OpenAI({ baseURL: `${(await down.listen()).url}/v1`, apiKey: 'x', maxRetries: 0 });
    try {
      for (const stream of [false, true]) {
        const error = await downClient.chat.completions.create({ model: 'm', stream, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
        expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
        expect((error as Error).message).toContain('Upstream model unreachable');
      }
      expect(seen.map((e) => (e as Error).name)).toEqual(['APIConnectionError', 'APIConnectionError']);
    } finally {
      await down.close();
    }
  });

  it('answers 502 JSON, not a 200 stream, when a pipeline emits progress events before its upstream fails', async () => {
    // safety and bestOfN report verdicts and candidate starts before any candidate reaches the upstream.
    const guarded = await startGuardedUpstream({ n: 3 });
    await guarded.close();
    const seen: unknown[] = [];
    const down = await createGuardServer({ model: guarded.model, port: 0 }, { onError: (e) => seen.push(e) });
    try {
      const res = await fetch(`${(await down.listen()).url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      });
      expect(res.status).toBe(502);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
      expect(seen.map((e) => (e as Error).name)).toEqual(['APIConnectionError']);
    } finally {
      await down.close();
    }
  });

  it('cancels the upstream call when the client goes away mid-stream', async () => {
    const before = upstream.aborted;
    const stream = await client.chat.completions.create({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'trickle' }] });
    let seen = 0;
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) seen++;
      if (seen === 2) break; // leaving the loop aborts the HTTP request
    }
    await until(() => upstream.aborted === before + 1);
    await until(() => proxy.inFlight === 0);
  });

  it('cancels the upstream call when the client goes away before the answer', async () => {
    // No upstream deadline here: only the client leaving can end the call early.
    const patient = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: upstream.baseURL, model: 'fake-model', maxRetries: 0 } });
    const patientClient = new OpenAI({ baseURL: `${(await patient.listen()).url}/v1`, apiKey: 'x', maxRetries: 0 });
    try {
      const before = upstream.aborted;
      const sent = upstream.requests.length;
      const controller = new AbortController();
      const pending = patientClient.chat.completions.create({ model: 'fake-model', messages: [{ role: 'user', content: 'slow' }] }, { signal: controller.signal });
      await until(() => upstream.requests.length > sent);
      controller.abort();
      await expect(pending).rejects.toThrow();
      await until(() => upstream.aborted === before + 1);
      await until(() => patient.inFlight === 0);
    } finally {
      await patient.close();
    }
  });
});
