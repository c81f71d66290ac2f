// Hardening found by an attack run on loopback: each test drives a real proxy over real sockets.
import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { redactCredentials } from '../../src/integrations/wire/report-error.js';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { JSON_HEADERS, openSocket, raw, upload } from './raw-http.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startOpenAIServer();
});
afterAll(async () => {
  await upstream?.close();
});

const body = JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content: 'hi' }] });

async function start(listen: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<{ proxy: GuardServer; url: string; port: number }> {
  const proxy = await createGuardServer({ listen: { port: 0, ...listen }, upstream: { baseURL: upstream.baseURL, model: 'fake-model', maxRetries: 0 }, ...extra }, { onError: () => {} });
  const { url, port } = await proxy.listen();
  return { proxy, url, port };
}

describe('token-less loopback mode refuses cross-site and DNS-rebinding requests', () => {
  it('answers foreign Host, foreign Origin and non-JSON posts with 4xx, without calling the upstream', async () => {
    const { proxy, url } = await start();
    try {
      const before = upstream.requests.length;
      const rebound = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, host: 'evil.example:8787' }, body });
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.text).error.code).toBe('forbidden_host');
      const models = await raw(`${url}/v1/models`, { headers: { host: 'evil.example' } });
      expect(models.status).toBe(403);
      const crossSite = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, origin: 'https://evil.example' }, body });
      expect(crossSite.status).toBe(403);
      expect(JSON.parse(crossSite.text).error.code).toBe('forbidden_origin');
      const simple = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
      expect(simple.status).toBe(415);
      expect(upstream.requests.length).toBe(before);
      // Loopback names and a local page still work.
      for (const host of ['localhost:1234', '127.0.0.1', '[::1]:8787']) {
        expect((await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, host, origin: 'http://localhost:3000' }, body })).status).toBe(200);
      }
    } finally {
      await proxy.close();
    }
  });

  it('lets allow-listed origins in with CORS headers and answers their preflight', async () => {
    const { proxy, url } = await start({ cors: { origins: ['https://app.example'] } });
    try {
      const preflight = await raw(`${url}/v1/chat/completions`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
      const allowed = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, origin: 'https://app.example' }, body });
      expect(allowed.status).toBe(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example');
      expect((await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, origin: 'https://other.example' }, body })).status).toBe(403);
    } finally {
      await proxy.close();
    }
  });
});

describe('client deadlines and shutdown', () => {
  it('closes connections that never send a byte, bodies sent a byte at a time, and idle keep-alive sockets', { timeout: 5000 }, async () => {
    const { proxy, port, url } = await start({ timeouts: { headersMs: 150, bodyMs: 300, idleMs: 150 } });
    try {
      const silent = await openSocket(port);
      await silent.closed;

      const slow = await openSocket(port);
      slow.socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
      const drip = setInterval(() => slow.socket.write('{'), 50);
      const answer = await slow.closed;
      clearInterval(drip);
      expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);

      const idle = await openSocket(port);
      idle.socket.write(`GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
      const served = await idle.closed; // answered, then closed by the idle timeout (the client never closes it)
      expect(served).toContain('HTTP/1.1 200');
      expect((await raw(`${url}/health`)).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('shuts down at once when the only connections are idle or silent, not after its deadline', { timeout: 3000 }, async () => {
    const { proxy, port } = await start({ shutdownTimeoutMs: 60_000 });
    const silent = await openSocket(port);
    const half = await openSocket(port);
    half.socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    const idle = await openSocket(port);
    idle.socket.write(`GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    await proxy.close();
    await Promise.all([silent.closed, half.closed, idle.closed]);
  });
});

describe('request bodies past the limit', () => {
  it('answers a 5 MB upload against a 1 MiB limit with a 413 the client reads, then keeps serving', async () => {
    const { proxy, url } = await start({ bodyLimit: 1024 * 1024 });
    try {
      const size = 5 * 1024 * 1024;
      const answer = await upload(`${url}/v1/chat/completions`, { ...JSON_HEADERS, 'content-length': String(size) }, size);
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text).error.code).toBe('request_too_large');
      const chunked = await upload(`${url}/v1/chat/completions`, { ...JSON_HEADERS, 'transfer-encoding': 'chunked' }, size);
      expect(chunked.status).toBe(413);
      expect((await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body })).status).toBe(200);
    } finally {
      await proxy.close();
    }
  });

  it('sends no 100 Continue for a declared body past the limit', async () => {
    const { proxy, port } = await start({ bodyLimit: 1024 });
    try {
      const client = await openSocket(port);
      client.socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 4096\r\nexpect: 100-continue\r\n\r\n');
      const answer = await client.closed;
      expect(answer).not.toContain('100 Continue');
      expect(answer.startsWith('HTTP/1.1 413')).toBe(true);
    } finally {
      await proxy.close();
    }
  });

  it('answers a deeply nested body with a 400, not a 500', async () => {
    const errors: unknown[] = [];
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: upstream.baseURL, model: 'fake-model' } }, { onError: (e) => errors.push(e) });
    const { url } = await proxy.listen();
    try {
      const deep = `{"messages":[{"role":"user","content":"hi"}],"metadata":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: deep });
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.text).error.code).toBe('invalid_json');
      expect(errors).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe('no internals to clients', () => {
  it('answers an unreachable upstream with a generic 502 naming the request id; the log has the masked detail', async () => {
    const logged: unknown[] = [];
    const proxy = await createGuardServer(
      { listen: { port: 0 }, upstream: { baseURL: 'http://operator:pa55word-9@127.0.0.1:9/v1?key=sekrit-123', model: 'fake-model', maxRetries: 0 } },
      { onError: (e) => logged.push(e) },
    );
    const { url } = await proxy.listen();
    try {
      const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, 'x-request-id': 'req-42' }, body });
      expect(answer.status).toBe(502);
      expect(answer.headers['x-request-id']).toBe('req-42');
      const message: string = JSON.parse(answer.text).error.message;
      expect(message).toContain('req-42');
      for (const secret of ['pa55word', 'sekrit', 'operator', '127.0.0.1']) expect(message).not.toContain(secret);
      expect(logged).toHaveLength(1);
      const line = redactCredentials(String((logged[0] as Error).message));
      expect(line).not.toContain('pa55word');
      expect(line).not.toContain('sekrit-123');
    } finally {
      await proxy.close();
    }
  });

  it("keeps rewardgate's own messages readable when masking credentials", async () => {
    const error = await createGuardServer({ listen: { host: '0.0.0.0', port: 0 }, upstream: { baseURL: upstream.baseURL } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(redactCredentials((error as Error).message)).toContain('listen.token: a bearer token is required');
    expect(redactCredentials('Authorization: Bearer abc123def456')).toBe('Authorization: Bearer [redacted]');
  });

  it('refuses a padded token at start (it could never match)', async () => {
    for (const token of [' tok-123', 'tok-123 ', ' ']) {
      const error = await createGuardServer({ listen: { port: 0, token }, upstream: { baseURL: upstream.baseURL } }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toBe('listen.token');
    }
  });
});

describe('upstream Retry-After', () => {
  it('answers a 429 whose Retry-After is past the retry cap at once, with its retry-after header', { timeout: 3000 }, async () => {
    const limited = await startOpenAIServer(() => ({ text: '', status: 429, errorBody: { error: { message: 'rate limited', type: 'rate_limit_error' } } }));
    // The fake server cannot set headers on errors: put one in front that adds Retry-After: 120.
    const front = createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const c of req) parts.push(c as Buffer);
      const answer = await fetch(`${limited.url}${req.url}`, { method: req.method, headers: { 'content-type': 'application/json' }, body: Buffer.concat(parts) });
      res.writeHead(answer.status, { 'content-type': 'application/json', 'retry-after': '120' });
      res.end(await answer.text());
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const port = (front.address() as { port: number }).port;
    const proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: `http://127.0.0.1:${port}/v1`, model: 'fake-model', maxRetries: 2 } }, { onError: () => {} });
    const { url } = await proxy.listen();
    try {
      for (const stream of [false, true]) {
        const answer = await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ model: 'fake-model', stream, messages: [{ role: 'user', content: 'hi' }] }) });
        expect(answer.status).toBe(429);
        expect(answer.headers['retry-after']).toBe('120');
        expect(JSON.parse(answer.text).error.code).toBe('upstream_rate_limit');
      }
      // Not retried: one upstream call per request.
      expect(limited.requests.filter((r) => r.path === '/v1/chat/completions')).toHaveLength(2);
    } finally {
      await proxy.close();
      front.closeAllConnections();
      await new Promise((r) => front.close(r));
      await limited.close();
    }
  });
});
