import { http, HttpResponse } from 'msw';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APIConnectionError, BadRequestError, createClient, InternalServerError, RateLimitError } from '../../src/index.js';
import { completion, KEY, NIM, userTurn, remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();
afterEach(() => {
  vi.useRealTimers();
});

/** Answers with `statuses` in turn (then 200) and records each request's idempotency key. */
function scripted(statuses: Array<{ status: number; headers?: Record<string, string> }>) {
  const seen: Array<string | null> = [];
  server.use(
    http.post(`${NIM}/chat/completions`, ({ request }) => {
      seen.push(request.headers.get('idempotency-key'));
      const next = statuses[seen.length - 1];
      if (next) return HttpResponse.json({ status: next.status, title: 'nope' }, { status: next.status, headers: next.headers ?? {} });
      return HttpResponse.json(completion('ok'));
    }),
  );
  return seen;
}

const client = (maxRetries = 2) => createClient({ baseURL: NIM, apiKey: KEY, maxRetries });
const ask = (c = client()) => c.chat.create({ model: 'm', messages: userTurn });

/** Lets pending promises and zero-delay work run without moving the fake clock. */
const settle = () => vi.advanceTimersByTimeAsync(0);

/** Runs the call to its first attempt; no retry `quietMs` later, the retry (and success) `stepMs` after. */
async function expectRetryAt(seen: unknown[], result: Promise<unknown>, quietMs: number, stepMs: number) {
  for (let i = 0; i < 20 && seen.length < 1; i++) await settle();
  await vi.advanceTimersByTimeAsync(quietMs);
  expect(seen).toHaveLength(1);
  await vi.advanceTimersByTimeAsync(stepMs);
  await expect(result).resolves.toMatchObject({ text: 'ok' });
  expect(seen).toHaveLength(2);
}

describe('retries', () => {
  it('waits exactly Retry-After seconds after a 429, then succeeds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const seen = scripted([{ status: 429, headers: { 'retry-after': '3' } }]);
    const result = ask();
    for (let i = 0; i < 20 && seen.length < 1; i++) await settle();
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2_999);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ text: 'ok' });
    expect(seen).toHaveLength(2);
  });

  it('honours Retry-After as an HTTP date', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: Date.UTC(2026, 0, 1, 12, 0, 0) });
    const at = new Date(Date.UTC(2026, 0, 1, 12, 0, 5)).toUTCString();
    const seen = scripted([{ status: 503, headers: { 'retry-after': at } }]);
    await expectRetryAt(seen, ask(), 4_990, 10);
  });

  it('prefers retry-after-ms and caps a huge Retry-After at 60 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const seen = scripted([
      { status: 429, headers: { 'retry-after-ms': '250', 'retry-after': '30' } },
      { status: 429, headers: { 'retry-after': '3600' } },
    ]);
    const result = ask();
    for (let i = 0; i < 20 && seen.length < 1; i++) await settle();
    await vi.advanceTimersByTimeAsync(249);
    expect(seen).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(seen).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ text: 'ok' });
    expect(seen).toHaveLength(3);
  });

  it('retries 500 then succeeds, reusing one idempotency key for every attempt of the POST', async () => {
    const seen = scripted([{ status: 500 }, { status: 502 }]);
    await expect(ask()).resolves.toMatchObject({ text: 'ok', finishReason: 'stop' });
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatch(/^rewardgate-retry-/);
    expect(new Set(seen).size).toBe(1);
    // A new call gets a new key.
    scripted([]);
    const again = scripted([]);
    await ask();
    expect(again[0]).not.toBe(seen[0]);
  });

  it.each([408, 409, 429, 500, 501, 503, 520])('retries %i', async (status) => {
    const seen = scripted([{ status, headers: { 'retry-after-ms': '1' } }]);
    await expect(ask()).resolves.toMatchObject({ text: 'ok' });
    expect(seen).toHaveLength(2);
  });

  it('backs off 0.5 s minus up to 25% jitter before the first retry, for any 5xx (520 too)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    await expectRetryAt(scripted([{ status: 520 }]), ask(), 374, 126);
  });

  it('gives up after maxRetries with the typed error of the last answer', async () => {
    const always = Array.from({ length: 10 }, () => ({ status: 503, headers: { 'retry-after-ms': '1' } }));
    const seen = scripted(always);
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 503, isRetryable: true });
    expect(seen).toHaveLength(3);
    const byDefault = scripted(always);
    await expect(createClient({ baseURL: NIM, apiKey: KEY }).chat.create({ model: 'm', messages: userTurn })).rejects.toBeInstanceOf(InternalServerError);
    expect(byDefault).toHaveLength(3); // maxRetries defaults to 2
    const once = scripted(always);
    await expect(ask(client(0))).rejects.toBeInstanceOf(InternalServerError);
    expect(once).toHaveLength(1);
  });

  it('does not retry a 400 and exposes status, body and message', async () => {
    let count = 0;
    server.use(
      http.post(`${NIM}/chat/completions`, () => {
        count++;
        return HttpResponse.json({ object: 'error', message: 'max_tokens is too large', type: 'BadRequestError', code: 400 }, { status: 400, headers: { 'x-request-id': 'req-42' } });
      }),
    );
    const error = await ask().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, requestId: 'req-42', isRetryable: false, message: '400 max_tokens is too large' });
    expect(count).toBe(1);
  });

  it('maps a 429 to RateLimitError when retries run out', async () => {
    scripted([{ status: 429, headers: { 'retry-after-ms': '1' } }]);
    await expect(ask(client(0))).rejects.toBeInstanceOf(RateLimitError);
  });

  it('retries a refused connection and then throws APIConnectionError', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((r) => probe.close(() => r()));
    let attempts = 0;
    const countingFetch: typeof fetch = (input, init) => {
      attempts++;
      return fetch(input, init);
    };
    const c = createClient({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: KEY, maxRetries: 1, fetch: countingFetch });
    const error = await c.chat.create({ model: 'm', messages: userTurn }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect(attempts).toBe(2);
  });
});
