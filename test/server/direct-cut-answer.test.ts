// A plain answer whose upstream connection closes before the end of its body: the direct path's
// body read (readText) fails it as the full path does, while the close that follows every complete
// answer (on which readText makes no error any more) fails nothing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { JSON_HEADERS, raw } from './raw-http.js';

const WHOLE = JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', created: 0, model: 'fake-model', choices: [{ index: 0, message: { role: 'assistant', content: 'Whole.' }, finish_reason: 'stop' }] });

let upstream: Server;
let baseURL: string;
const proxies: GuardServer[] = [];

async function proxy(direct: boolean): Promise<GuardServer> {
  // RG_DIRECT=0 keeps the full path: the same config through the pipeline and the client.
  if (!direct) process.env.RG_DIRECT = '0';
  try {
    const server = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL, apiKey: 'k', model: 'fake-model', maxRetries: 0 } }, { onError: () => {} });
    await server.listen();
    proxies.push(server);
    return server;
  } finally {
    delete process.env.RG_DIRECT;
  }
}

beforeAll(async () => {
  // `cut` in the prompt: headers promising the whole body, part of it, then the socket closes.
  upstream = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const cut = body.includes('cut');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(WHOLE) });
      if (!cut) return res.end(WHOLE);
      res.write(WHOLE.slice(0, 20), () => res.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  for (const p of proxies) await p.close();
  await new Promise((resolve) => upstream.close(resolve));
});

async function ask(server: GuardServer, content: string) {
  const answer = await raw(`${server.address!.url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ messages: [{ role: 'user', content }] }) });
  const body = JSON.parse(answer.text);
  if (body.error) body.error.message = String(body.error.message).replace(/request id [\w.:-]+/, 'request id …');
  return { status: answer.status, body };
}

describe('a plain answer cut before its end', () => {
  it('fails on the direct path as on the full path, and a whole answer after it still comes through', async () => {
    const [direct, full] = [await proxy(true), await proxy(false)];
    const cut = await ask(direct, 'cut');
    expect(cut.status).toBeGreaterThanOrEqual(500);
    expect(cut.body.error.code).toMatch(/^upstream_/);
    expect(cut).toEqual(await ask(full, 'cut'));
    const whole = await ask(direct, 'whole');
    expect(whole.status).toBe(200);
    expect(whole.body.choices[0].message.content).toBe('Whole.');
  });
});
