// Upstream answers are bounded: a runaway stream or a huge body ends with a clear error code and
// cancels the upstream call instead of filling memory.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer } from '../../src/server/index.js';
import { JSON_HEADERS, raw } from './raw-http.js';

// An upstream that misbehaves on purpose: `endless` streams chunks until the client leaves,
// `huge` sends a large JSON body with content-length, `huge-chunked` without.
let server: Server;
let baseURL = '';
let cancelled = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { stream?: boolean; messages: Array<{ content: string }> };
      const ask = body.messages.at(-1)!.content;
      if (body.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.on('close', () => {
          if (!res.writableEnded) cancelled++;
        });
        const chunk = `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content: 'word '.repeat(200) }, finish_reason: null }] })}\n\n`;
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
        return;
      }
      const content = 'x'.repeat(ask.startsWith('huge') ? 2 * 1024 * 1024 : 10);
      const payload = JSON.stringify({ id: 'x', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
      if (ask === 'huge') res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      else res.writeHead(200, { 'content-type': 'application/json' });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function start(limits: Record<string, number>) {
  const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL, model: 'm', maxRetries: 0 }, limits }, { onError: () => {} });
  const { url } = await proxy.listen();
  return { proxy, url };
}

describe('bounded upstream answers', () => {
  it('ends a runaway stream at maxAnswerBytes with upstream_answer_too_large and cancels the upstream call', async () => {
    const { proxy, url } = await start({ maxAnswerBytes: 256 * 1024 });
    const before = cancelled;
    try {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 });
      const stream = await client.chat.completions.create({ model: 'm', stream: true, messages: [{ role: 'user', content: 'endless' }] });
      const error = await (async () => {
        for await (const _ of stream);
      })().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as { code?: string }).code ?? (error as { error?: { code?: string } }).error?.code).toBe('upstream_answer_too_large');
      for (let i = 0; i < 100 && cancelled === before; i++) await new Promise((r) => setTimeout(r, 10));
      expect(cancelled).toBe(before + 1);
    } finally {
      await proxy.close();
    }
  });

  it('ends a runaway stream at maxAnswerChars of text', async () => {
    const { proxy, url } = await start({ maxAnswerChars: 20_000 });
    try {
      const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'endless' }] }) });
      expect(answer.status).toBe(200);
      const events = answer.text.split('\n\n').filter((e) => e.startsWith('data: '));
      const last = JSON.parse(events.at(-1)!.slice(6));
      expect(last.error.code).toBe('upstream_answer_too_large');
      const text = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)).choices[0].delta.content ?? '').join('');
      expect(text.length).toBeLessThanOrEqual(20_000);
    } finally {
      await proxy.close();
    }
  });

  it('refuses a non-streamed body past maxAnswerBytes, declared or chunked', async () => {
    const { proxy, url } = await start({ maxAnswerBytes: 1024 * 1024 });
    try {
      const ask = JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'huge' }] });
      const declared = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: ask });
      expect(declared.status).toBe(502);
      expect(JSON.parse(declared.text).error.code).toBe('upstream_answer_too_large');
      const chunked = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'huge-chunked' }] }) });
      expect(chunked.status).toBe(502);
      expect(JSON.parse(chunked.text).error.code).toBe('upstream_answer_too_large');
      const small = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }) });
      expect(small.status).toBe(200);
    } finally {
      await proxy.close();
    }
  });
});
