// The direct path (a config with an empty pipeline before a remote upstream: node:http straight to
// the upstream) answers exactly as the full path (the pipeline around the client) does: the same
// wire bodies and statuses, the same upstream requests, the same metrics. And it keeps the
// client's transport contract: retries with one idempotency key, body deadlines, NVCF polling.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { recordingProvider, type Recorded } from '../helpers/span-recorder.js';
import { DirectUpstream } from '../../src/server/direct-upstream.js';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer, type FakeReply } from '../helpers/openai-server.js';
import { openAIChunks } from '../helpers/sse.js';
import { JSON_HEADERS, raw } from './raw-http.js';

const WEATHER = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
const REPLIES: Record<string, Partial<FakeReply>> = {
  text: { text: 'Hello there, friend.' },
  tools: { text: '', toolCalls: [WEATHER] },
  reasoning: { text: 'Forty-two.', reasoning: 'Thinking it over first.', logprobs: true },
  refused: { status: 400, errorBody: { error: { message: "Invalid 'max_tokens': too large", type: 'invalid_request_error', param: 'max_tokens', code: 'invalid_value' } } },
  broken: { status: 500, errorBody: { error: { message: 'worker crashed at http://10.0.0.5:8000/v1' } } },
};

let upstream: FakeOpenAIServer;
let direct: GuardServer;
let full: GuardServer;
const failures: Record<'direct' | 'full', string[]> = { direct: [], full: [] };

async function configured(which: 'direct' | 'full', model: string | null = 'fake-model'): Promise<GuardServer> {
  // RG_DIRECT=0 keeps the full path: the same config through the pipeline and the client.
  if (which === 'full') process.env.RG_DIRECT = '0';
  try {
    const upstreamConfig = { baseURL: upstream.baseURL, apiKey: 'upstream-key-1', maxRetries: 0, ...(model ? { model } : {}) };
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: upstreamConfig }, { onError: (e) => failures[which].push((e as Error).name) });
    await proxy.listen();
    return proxy;
  } finally {
    delete process.env.RG_DIRECT;
  }
}

beforeAll(async () => {
  upstream = await startOpenAIServer((body) => ({ text: '', ...REPLIES[body.messages.at(-1).content] }));
  direct = await configured('direct');
  full = await configured('full');
});

afterAll(async () => {
  await direct?.close();
  await full?.close();
  await upstream?.close();
});

// Per-answer identity (ids, timestamps, latencies) differs between any two answers; the rest must not.
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'latencyMs' || k === 'created' || k === 'rewardgate.request_id') out[k] = typeof v;
    else if (k === 'id' && typeof v === 'string' && v.startsWith('chatcmpl-')) out[k] = v.startsWith('chatcmpl-rg') ? 'chatcmpl-rg…' : 'chatcmpl-…';
    else if (k === 'message' && typeof v === 'string') out[k] = v.replace(/request id [\w.:-]+/, 'request id …');
    else out[k] = normalized(v);
  }
  return out;
}

async function ask(proxy: GuardServer, body: Record<string, unknown>) {
  const sent = upstream.requests.length;
  const answer = await raw(`${proxy.address!.url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  const seen = upstream.requests.slice(sent).map((r) => {
    const { host: _host, 'idempotency-key': key, ...headers } = r.headers;
    expect(key).toMatch(/^rewardgate-retry-[\da-f-]{36}$/);
    return { path: r.path, body: r.body, headers };
  });
  const stream = String(answer.headers['content-type']).startsWith('text/event-stream');
  const parsed = stream ? openAIChunks(answer.text) : JSON.parse(answer.text);
  return { status: answer.status, type: answer.headers['content-type'], retryAfter: answer.headers['retry-after'], body: normalized(parsed), upstream: seen };
}

const CASES: Array<[string, Record<string, unknown>]> = [
  ['a plain answer', { model: 'fake-model', messages: [{ role: 'user', content: 'text' }] }],
  ['a streamed answer with usage', { stream: true, stream_options: { include_usage: true }, messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'text' }] }],
  ['a tool call', { tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }], messages: [{ role: 'user', content: 'tools' }], temperature: 0.2, nvext: { top_k: 3 } }],
  ['a streamed tool call', { stream: true, messages: [{ role: 'user', content: 'tools' }], max_completion_tokens: 50 }],
  ['reasoning and logprobs', { logprobs: true, messages: [{ role: 'user', content: 'reasoning' }] }],
  ['streamed reasoning and logprobs', { stream: true, logprobs: true, messages: [{ role: 'user', content: 'reasoning' }] }],
  ['an upstream 400', { messages: [{ role: 'user', content: 'refused' }], max_tokens: 9 }],
  ['an upstream 500, streamed', { stream: true, messages: [{ role: 'user', content: 'broken' }] }],
  ['an invalid request', { messages: [] }],
  ['n > 1', { n: 2, messages: [{ role: 'user', content: 'text' }] }],
];

describe('direct path parity', () => {
  it.each(CASES)('answers %s as the full path does, with the same upstream request', async (_name, body) => {
    // Counted (and called through) to tell the two paths apart: only the direct one opens calls itself.
    const opened = vi.spyOn(DirectUpstream.prototype, 'open');
    try {
      const a = await ask(direct, body);
      const calls = opened.mock.calls.length;
      const b = await ask(full, body);
      expect(opened.mock.calls.length).toBe(calls);
      expect(calls).toBe(a.upstream.length);
      expect(a).toEqual(b);
    } finally {
      opened.mockRestore();
    }
  });

  it('reports the same server-side failures and the same metrics', async () => {
    expect(failures.direct).toEqual(failures.full);
    expect(failures.direct).toContain('InternalServerError');
    const counts = async (proxy: GuardServer) =>
      (await raw(`${proxy.address!.url}/metrics`)).text
        .split('\n')
        .filter((l) => /^rewardgate_(requests_total|tokens_total|candidates_per_request_count|upstream_duration_seconds_count)/.test(l))
        .sort();
    const [a, b] = [await counts(direct), await counts(full)];
    expect(a).toEqual(b);
    expect(a.join('\n')).toContain('rewardgate_upstream_duration_seconds_count{status="200"}');
  });

  it('records the same spans: the server span, the pipeline chat span and its candidate call', async () => {
    const spans: Recorded[] = [];
    trace.setGlobalTracerProvider(recordingProvider(spans));
    try {
      await new Promise((r) => setTimeout(r, 20)); // the optional peer loads lazily
      const shape = async (proxy: GuardServer, stream: boolean) => {
        spans.length = 0;
        await ask(proxy, { stream, messages: [{ role: 'user', content: 'text' }] });
        return spans.map((s) => ({ name: s.name, parent: s.parent?.name, ended: s.ended, attributes: normalized(s.attributes) }));
      };
      for (const stream of [false, true]) {
        const a = await shape(direct, stream);
        // Without an SDK context manager the chat span is a root; its candidate call is its child.
        expect(a.map((s) => [s.name, s.parent])).toEqual([['POST /v1/chat/completions', undefined], ['chat fake-model', undefined], ['chat fake-model', 'chat fake-model']]);
        expect(a[1]!.attributes).toMatchObject({ 'rewardgate.candidates': 1, 'gen_ai.usage.output_tokens': 3 });
        expect(a).toEqual(await shape(full, stream));
      }
    } finally {
      trace.disable();
    }
  });

  it('asks for a model like the client does when neither the request nor the config names one', async () => {
    const [a, b] = [await configured('direct', null), await configured('full', null)];
    try {
      const body = { messages: [{ role: 'user', content: 'text' }] };
      const [x, y] = [await ask(a, body), await ask(b, body)];
      expect(x).toEqual(y);
      expect(x.status).toBe(400);
      expect((x.body as { error: { param: string } }).error.param).toBe('model');
    } finally {
      await a.close();
      await b.close();
    }
  });
});

// A loopback upstream whose answers a test scripts per request.
async function scripted(handle: (req: IncomingMessage, body: string, index: number, res: import('node:http').ServerResponse) => void): Promise<{ server: Server; baseURL: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      seen.push(req);
      handle(req, body, seen.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, seen };
}

const stop = (server: Server) => {
  server.closeAllConnections();
  return new Promise((r) => server.close(r));
};

const COMPLETION = JSON.stringify({ id: 'c1', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'third time lucky' }, finish_reason: 'stop' }] });
const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;

describe('direct path transport', () => {
  it('retries 503s after their Retry-After with one idempotency key, then answers', async () => {
    const up = await scripted((_req, _body, index, res) => {
      if (index % 3 < 2) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '0' });
        return res.end('{"error":{"message":"warming up"}}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(COMPLETION);
    });
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: up.baseURL, model: 'm', maxRetries: 2 } });
    const { url } = await proxy.listen();
    try {
      const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text).choices[0].message.content).toBe('third time lucky');
      expect(up.seen).toHaveLength(3);
      expect(new Set(up.seen.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    } finally {
      await proxy.close();
      await stop(up.server);
    }
  });

  it('ends a stream that goes quiet past idleMs with an upstream_timeout event and closes the upstream call', async () => {
    let closed = 0;
    const up = await scripted((_req, _body, _index, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk('first '));
      res.on('close', () => closed++); // then silence
    });
    const failures: unknown[] = [];
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: up.baseURL, model: 'm', maxRetries: 0, timeouts: { idleMs: 150 } } }, { onError: (e) => failures.push(e) });
    const { url } = await proxy.listen();
    try {
      const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: 'hi' }] }) });
      const { chunks, done } = openAIChunks(answer.text);
      expect(chunks[1].choices[0].delta.content).toBe('first ');
      expect(chunks.at(-1).error.code).toBe('upstream_timeout');
      expect(done).toBe(false);
      expect(failures).toMatchObject([{ name: 'TimeoutError', phase: 'idle' }]);
      for (let i = 0; i < 50 && closed === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(closed).toBe(1);
    } finally {
      await proxy.close();
      await stop(up.server);
    }
  });

  it('sends the Host header of the upstream URL, once, and a configured Host instead of it', async () => {
    const up = await scripted((_req, _body, _index, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(COMPLETION);
    });
    const host = new URL(up.baseURL).host;
    const ask = async (headers?: Record<string, string>) => {
      const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: up.baseURL, model: 'm', maxRetries: 0, ...(headers ? { headers } : {}) } });
      const { url } = await proxy.listen();
      try {
        const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
        expect(answer.status).toBe(200);
      } finally {
        await proxy.close();
      }
      const rawHeaders = up.seen.at(-1)!.rawHeaders;
      return Object.fromEntries(rawHeaders.flatMap((v, i) => (i % 2 ? [] : [[`${v.toLowerCase()}#${rawHeaders.slice(0, i).filter((k, j) => j % 2 === 0 && k.toLowerCase() === v.toLowerCase()).length}`, rawHeaders[i + 1]]])));
    };
    try {
      const plain = await ask();
      expect(plain['host#0']).toBe(host);
      expect(plain['host#1']).toBeUndefined();
      expect(plain).toMatchObject({ 'accept#0': 'application/json', 'content-type#0': 'application/json', 'content-length#0': expect.stringMatching(/^\d+$/), 'connection#0': 'keep-alive' });
      const configured = await ask({ Host: 'models.internal', 'X-Team': 'a', Accept: 'application/x-ndjson' });
      expect(configured['host#0']).toBe('models.internal');
      expect(configured['host#1']).toBeUndefined();
      expect(configured['x-team#0']).toBe('a');
      expect(configured['accept#0']).toBe('application/x-ndjson');
      expect(configured['accept#1']).toBeUndefined();
    } finally {
      await stop(up.server);
    }
  });

  it.each(['direct', 'full'] as const)('keeps one upstream connection for calls in turn, and leaves out configured framing headers (%s path)', async (which) => {
    const up = await scripted((_req, body, _index, res) => {
      if (!JSON.parse(body).stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(COMPLETION);
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`${chunk('streamed')}data: [DONE]\n\n`);
    });
    let connections = 0;
    up.server.on('connection', () => connections++);
    // The transports frame requests themselves: undici refuses these, and node:http would send a
    // Content-Length that cuts the body and a Connection that closes the socket after each call.
    const headers = { Connection: 'close', 'Keep-Alive': 'timeout=1', 'Transfer-Encoding': 'chunked', Upgrade: 'h2c', Expect: '100-continue', 'Content-Length': '3', 'X-Team': 'a' };
    if (which === 'full') process.env.RG_DIRECT = '0';
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: up.baseURL, model: 'm', maxRetries: 0, headers } }).finally(() => delete process.env.RG_DIRECT);
    const { url } = await proxy.listen();
    try {
      for (const stream of [false, true, false]) {
        const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ stream, messages: [{ role: 'user', content: 'hi' }] }) });
        expect(answer.status).toBe(200);
        expect(answer.text).toContain(stream ? '"content":"streamed"' : '"content":"third time lucky"');
      }
      expect(up.seen).toHaveLength(3);
      for (const req of up.seen) {
        expect(req.headers['x-team']).toBe('a');
        expect(req.headers.connection).toBe('keep-alive');
        expect(req.headers['transfer-encoding']).toBeUndefined();
        expect(req.headers.upgrade).toBeUndefined();
        expect(req.headers.expect).toBeUndefined();
        expect(Number(req.headers['content-length'])).toBeGreaterThan(3);
      }
      expect(connections).toBe(1);
    } finally {
      await proxy.close();
      await stop(up.server);
    }
  });

  it('polls a hosted NVCF 202 answer until the job is done', async () => {
    const up = await scripted((req, _body, index, res) => {
      if (index < 2) {
        expect(req.headers.authorization).toBe('Bearer nvcf-key');
        res.writeHead(202, { 'nvcf-reqid': 'job 7' });
        return res.end();
      }
      expect(req.method).toBe('GET');
      expect(req.url).toBe('/status/job%207');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(COMPLETION);
    });
    const statusBaseURL = up.baseURL.replace(/\/v1$/, '/status');
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: up.baseURL, apiKey: 'nvcf-key', model: 'm', maxRetries: 0, nvcf: { statusBaseURL, pollIntervalMs: 5 } } });
    const { url } = await proxy.listen();
    try {
      const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }) });
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text).choices[0].message.content).toBe('third time lucky');
      expect(up.seen.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
    } finally {
      await proxy.close();
      await stop(up.server);
    }
  });
});
