import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, TimeoutError, ValidationError, type StreamEvent } from '../../src/index.js';
import { chunk, completion, KEY, NIM, userTurn, remoteMock } from '../helpers/nim-mock.js';
import { keepAlive, startLoopbackSSE, writeSteps } from '../helpers/loopback-sse.js';

const server = remoteMock();

const request = { model: 'm', messages: userTurn };

async function drain(events: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

describe('deadlines', () => {
  it('a deadline longer than a timer can wait is rejected at construction, naming the key', () => {
    const error = (() => {
      try {
        createClient({ baseURL: NIM, apiKey: KEY, timeouts: { headersMs: 3_000_000_000 } });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe('timeouts.headersMs');
    expect(() => createClient({ baseURL: NIM, apiKey: KEY, timeouts: { headersMs: Infinity, totalMs: 2_147_483_647 } })).not.toThrow();
  });

  it('headers never arrive: TimeoutError(headers) on every attempt, then thrown', async () => {
    let attempts = 0;
    server.use(
      http.post(`${NIM}/chat/completions`, async () => {
        attempts++;
        await delay('infinite');
        return HttpResponse.json(completion('late'));
      }),
    );
    const client = createClient({ baseURL: NIM, apiKey: KEY, maxRetries: 1, timeouts: { headersMs: 40 } });
    const error = await client.chat.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ phase: 'headers', timeoutMs: 40, isRetryable: true });
    expect(attempts).toBe(2);
  });

  it('a JSON answer whose body stalls after the headers: TimeoutError(idle), not a wait for the total deadline', async () => {
    const remote = await startLoopbackSSE((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"id":"x",');
    });
    const client = createClient({ baseURL: remote.baseURL, apiKey: KEY, maxRetries: 0, timeouts: { idleMs: 60 } });
    await expect(client.chat.create(request)).rejects.toMatchObject({ name: 'TimeoutError', phase: 'idle', timeoutMs: 60 });
    await remote.close();
  });

  it('headers then silence: TimeoutError(first-chunk)', async () => {
    const remote = await startLoopbackSSE((res) => writeSteps(res, [], true));
    const client = createClient({ baseURL: remote.baseURL, apiKey: KEY, timeouts: { firstChunkMs: 60 } });
    await expect(drain(client.chat.stream(request))).rejects.toMatchObject({ name: 'TimeoutError', phase: 'first-chunk', timeoutMs: 60 });
    await remote.close();
  });

  it('keep-alive comments only: the first-chunk deadline still fires', async () => {
    const remote = await startLoopbackSSE((res) => {
      void writeSteps(res, [': hello\n\n'], true);
      keepAlive(res, 10);
    });
    const client = createClient({ baseURL: remote.baseURL, apiKey: KEY, timeouts: { firstChunkMs: 80 } });
    await expect(drain(client.chat.stream(request))).rejects.toMatchObject({ phase: 'first-chunk' });
    await remote.close();
  });

  it('a stall after some data: TimeoutError(idle), after the deltas already delivered', async () => {
    const remote = await startLoopbackSSE((res) => {
      void writeSteps(res, [chunk('Hel'), chunk('lo')], true);
      keepAlive(res, 10);
    });
    const client = createClient({ baseURL: remote.baseURL, apiKey: KEY, timeouts: { idleMs: 80 } });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const e of client.chat.stream(request)) if (e.type === 'text-delta') seen.push(e.text);
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['Hel', 'lo']);
    expect(error).toMatchObject({ name: 'TimeoutError', phase: 'idle', timeoutMs: 80 });
    await remote.close();
  });

  it('a slow consumer does not trip the idle deadline', async () => {
    const remote = await startLoopbackSSE((res) => writeSteps(res, [chunk('a'), chunk('b'), chunk(null, 'stop'), 'data: [DONE]\n\n']));
    const client = createClient({ baseURL: remote.baseURL, apiKey: KEY, timeouts: { idleMs: 150 } });
    let text = '';
    for await (const e of client.chat.stream(request)) {
      // The consumer dawdles longer than the idle deadline after the first delta.
      if (text === '') await new Promise((r) => setTimeout(r, 400));
      if (e.type === 'text-delta') text += e.text;
    }
    expect(text).toBe('ab');
    await remote.close();
  });

  it('the total deadline covers retries and backoff', async () => {
    let attempts = 0;
    server.use(
      http.post(`${NIM}/chat/completions`, () => {
        attempts++;
        return HttpResponse.json({ status: 503 }, { status: 503, headers: { 'retry-after': '10' } });
      }),
    );
    const client = createClient({ baseURL: NIM, apiKey: KEY, maxRetries: 5, timeouts: { totalMs: 100 } });
    await expect(client.chat.create(request)).rejects.toMatchObject({ name: 'TimeoutError', phase: 'total', timeoutMs: 100 });
    expect(attempts).toBe(1);
  });

  it('the total deadline covers a stream that keeps sending', async () => {
    const steps = Array.from({ length: 100 }, (_, i) => [chunk(`${i} `), { wait: 5 }]).flat();
    const remote = await startLoopbackSSE((res) => writeSteps(res, steps));
    const client = createClient({ baseURL: remote.baseURL, apiKey: KEY, timeouts: { totalMs: 120, idleMs: 1_000 } });
    await expect(drain(client.chat.stream(request))).rejects.toMatchObject({ phase: 'total' });
    await remote.nextClose();
    expect(remote.closedEarly).toBe(1);
    await remote.close();
  });
});
