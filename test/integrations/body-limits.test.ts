// Next.js and Express handlers stop reading at the body limit and count the bytes themselves: a
// Request built in app code can declare a false content-length.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/create-client.js';
import { createRouteHandler } from '../../src/integrations/next.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startOpenAIServer();
});
afterAll(async () => {
  await upstream?.close();
});

describe('web handler body limits', () => {
  it('refuses a body past the limit even when content-length claims it is small', async () => {
    const POST = createRouteHandler({ model: createClient({ baseURL: upstream.baseURL }).chatModel('fake-model'), maxBodyBytes: 1024 });
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const response = await POST(new Request('http://app.local/api/chat', { method: 'POST', body, headers: { 'content-type': 'application/json', 'content-length': '10' } }));
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('request_too_large');
  });

  it('stops reading an endless body at the limit and cancels it', async () => {
    const POST = createRouteHandler({ model: createClient({ baseURL: upstream.baseURL }).chatModel('fake-model'), maxBodyBytes: 4096 });
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024).fill(0x20));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await POST(new Request('http://app.local/api/chat', { method: 'POST', body: endless, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit));
    expect(response.status).toBe(413);
    expect(cancelled).toBe(true);
    expect(pulled).toBeLessThan(10);
  });
});
