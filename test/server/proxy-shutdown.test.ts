import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startOpenAIServer((body) => (body.messages.at(-1).content === 'endless' ? { text: 'tick '.repeat(500), chunkDelayMs: 20 } : { text: 'one two three four five six seven eight', chunkDelayMs: 40 }));
});
afterAll(async () => {
  await upstream?.close();
});

async function start(shutdownTimeoutMs: number) {
  const proxy = await createGuardServer({ listen: { port: 0, shutdownTimeoutMs }, upstream: { baseURL: upstream.baseURL, model: 'fake-model' } });
  const { url } = await proxy.listen();
  return { proxy, url, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: 'x', maxRetries: 0 }) };
}

describe('guard proxy shutdown', () => {
  it('lets an in-flight stream finish, then refuses new connections', async () => {
    const { proxy, url, client } = await start(10_000);
    const stream = await client.chat.completions.create({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'count' }] });
    const iterator = stream[Symbol.asyncIterator]();
    let text = (await iterator.next()).value?.choices[0]?.delta.content ?? '';
    let closed = false;
    const closing = proxy.close().then(() => (closed = true));
    for (let r = await iterator.next(); !r.done; r = await iterator.next()) text += r.value.choices[0]?.delta.content ?? '';
    expect(text).toBe('one two three four five six seven eight');
    await closing;
    expect(closed).toBe(true);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('cuts streams that outlive the deadline and cancels their upstream calls', async () => {
    const { proxy, client } = await start(200);
    const before = upstream.aborted;
    const stream = await client.chat.completions.create({ model: 'fake-model', stream: true, messages: [{ role: 'user', content: 'endless' }] });
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    await proxy.close();
    // The client learns that the answer was cut: an error event, not a clean end.
    const error = await (async () => {
      for (let r = await iterator.next(); !r.done; r = await iterator.next());
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain('shut down');
    expect(proxy.inFlight).toBe(0);
    for (let i = 0; i < 100 && upstream.aborted === before; i++) await new Promise((r) => setTimeout(r, 20));
    expect(upstream.aborted).toBe(before + 1);
  });
});
