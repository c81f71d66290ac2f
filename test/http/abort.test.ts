import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient, UserAbortError, type StreamEvent } from '../../src/index.js';
import { chunk, completion, KEY, userTurn } from '../helpers/nim-mock.js';
import { startLoopbackSSE, writeSteps, type LoopbackSSE } from '../helpers/loopback-sse.js';

const request = { model: 'm', messages: userTurn };
let remote: LoopbackSSE;
afterEach(() => remote.close());

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 2));
};
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('abort', () => {
  beforeEach(async () => {
    remote = await startLoopbackSSE(async (res, req) => {
      const path = req.url ?? '';
      if (path.includes('hang')) return; // never answers
      if (path.includes('busy')) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '30' });
        return res.end('{"status":503}');
      }
      let body = '';
      for await (const c of req) body += c;
      if (JSON.parse(body).stream) return writeSteps(res, [chunk('one '), { wait: 20 }, chunk('two '), { wait: 20 }, chunk('three', 'stop'), 'data: [DONE]\n\n']);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(completion('done')));
    });
  });

  const client = (path = '') => createClient({ baseURL: remote.baseURL + path, apiKey: KEY });

  it('before the call: nothing is sent', async () => {
    const controller = new AbortController();
    controller.abort('changed my mind');
    const error = await client().chat.create(request, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserAbortError);
    expect((error as Error).cause).toBe('changed my mind');
    await expect(client().chat.stream(request, { signal: controller.signal })[Symbol.asyncIterator]().next()).rejects.toBeInstanceOf(UserAbortError);
    expect(remote.hits).toBe(0);
  });

  it('during backoff: the 30 s Retry-After wait ends at once', async () => {
    const controller = new AbortController();
    const pending = client('/busy').chat.create(request, { signal: controller.signal });
    await until(() => remote.hits === 1);
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(UserAbortError);
    expect(remote.hits).toBe(1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('while waiting for headers: the socket is closed', async () => {
    const controller = new AbortController();
    const pending = client('/hang').chat.create(request, { signal: controller.signal });
    await until(() => remote.hits === 1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(UserAbortError);
    await until(() => remote.closedEarly === 1);
  });

  it('mid-stream: the deltas so far arrive, then UserAbortError and the socket closes', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await (async () => {
      for await (const e of client().chat.stream(request, { signal: controller.signal })) {
        if (e.type === 'text-delta') seen.push(e.text);
        controller.abort();
      }
    })().catch((e: unknown) => e);
    expect(seen).toEqual(['one ']);
    expect(error).toBeInstanceOf(UserAbortError);
    await until(() => remote.closedEarly === 1);
  });

  it('breaking out of the loop aborts the HTTP request', async () => {
    for await (const e of client().chat.stream(request)) {
      expect(e).toEqual({ type: 'text-delta', text: 'one ' });
      break;
    }
    await until(() => remote.closedEarly === 1);
  });

  it('a signal reused over many calls keeps no listener, and no timer is left behind', async () => {
    const before = timers();
    const controller = new AbortController();
    const { signal } = controller;
    const c = client();
    const drain = async (events: AsyncIterable<StreamEvent>) => {
      const out: StreamEvent[] = [];
      for await (const e of events) out.push(e);
      return out;
    };
    for (let round = 0; round < 10; round++) {
      await Promise.all([
        c.chat.create(request, { signal }),
        drain(c.chat.stream(request, { signal })),
        (async () => {
          for await (const _ of c.chat.stream(request, { signal })) break;
        })(),
        client('/hang').chat.create(request, { signal: AbortSignal.any([signal, AbortSignal.timeout(5)]) }).catch(() => {}),
        createClient({ baseURL: remote.baseURL, apiKey: KEY, timeouts: { headersMs: 5 }, maxRetries: 0 }).chat.create(request, { signal }).catch(() => {}),
      ]);
    }
    const last = await drain(c.chat.stream(request, { signal }));
    expect(last.at(-1)).toMatchObject({ type: 'finish', completion: { text: 'one two three', finishReason: 'stop' } });
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    await until(() => timers() <= before);
    expect(timers()).toBeLessThanOrEqual(before);
  });
});
