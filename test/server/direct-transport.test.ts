// The direct path's transport (undici's dispatcher, UpstreamAnswer): answers that come in pieces
// the reader has to wait for or hold back, informational answers before the real one, and a body
// larger than what is taken in before a reader takes the answer; each compared with the full path.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { JSON_HEADERS, raw } from './raw-http.js';

// 1 MiB of text: far past the 64 KiB an answer takes in before its reader comes.
const LONG = 'abcdefghij'.repeat(100 * 1024 + 3);
const completion = (content: string) => JSON.stringify({ id: 'c1', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

let upstream: Server;
let baseURL: string;
const proxies: Partial<Record<'direct' | 'full', GuardServer>> = {};
const urls: Partial<Record<'direct' | 'full', string>> = {};

// The upstream's answer to `ask`: a short or a 1 MiB completion, or a stream of 2,000 chunks.
function reply(res: ServerResponse, ask: string, stream: boolean | undefined): void {
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    // The long body in 1 KiB writes, so it arrives over many socket reads.
    const text = completion(ask === 'long' ? LONG : 'short');
    if (ask !== 'long') return void res.end(text);
    for (let i = 0; i < text.length; i += 1024) res.write(text.slice(i, i + 1024));
    return void res.end();
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  // 2,000 chunks, in bursts of 50 with pauses between.
  let i = 0;
  const next = () => {
    for (let burst = 0; burst < 50 && i < 2000; burst++, i++) res.write(chunk(`w${i} `));
    if (i < 2000) setTimeout(next, i % 400 === 0 ? 5 : 0);
    else res.end('data: [DONE]\n\n');
  };
  next();
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const { stream, messages } = JSON.parse(body) as { stream?: boolean; messages: Array<{ content: string }> };
      const ask = messages.at(-1)!.content;
      if (ask !== 'hints') return reply(res, ask, stream);
      // 103 Early Hints first, in a socket read of its own: informational, the answer still to come.
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      setTimeout(() => reply(res, ask, stream), 30);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  for (const which of ['direct', 'full'] as const) {
    // RG_DIRECT=0 keeps the full path: the same config through the pipeline and the client.
    if (which === 'full') process.env.RG_DIRECT = '0';
    try {
      const server = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL, model: 'm', maxRetries: 0 }, limits: { maxAnswerBytes: 4 * 1024 * 1024 } });
      proxies[which] = server;
      urls[which] = (await server.listen()).url;
    } finally {
      delete process.env.RG_DIRECT;
    }
  }
});

afterAll(async () => {
  for (const p of Object.values(proxies)) await p?.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

async function ask(which: 'direct' | 'full', content: string, stream = false) {
  return raw(`${urls[which]}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ stream, messages: [{ role: 'user', content }] }) });
}

describe.each(['direct', 'full'] as const)('upstream transport (%s path)', (which) => {
  it('answers a 1 MiB body whole, though it arrives in many reads past what is taken in early', async () => {
    const answer = await ask(which, 'long');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).choices[0].message.content).toBe(LONG);
  });

  it('skips an informational 103 before the answer', async () => {
    const plain = await ask(which, 'hints');
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.text).choices[0].message.content).toBe('short');
    const streamed = await ask(which, 'hints', true);
    expect(streamed.status).toBe(200);
    expect(streamed.text).toContain('"content":"w1999 "');
  });

  it('streams 2,000 chunks in order, in bursts with pauses between', async () => {
    const answer = await ask(which, 'stream', true);
    expect(answer.status).toBe(200);
    const text = answer.text
      .split('\n\n')
      .filter((e) => e.startsWith('data: {'))
      .map((e) => JSON.parse(e.slice(6)).choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(text).toBe(Array.from({ length: 2000 }, (_, i) => `w${i} `).join(''));
    expect(answer.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });
});
