// Shared msw helpers for the remote NIM / OpenAI-compatible service in tests.
import { http, HttpResponse } from 'msw';
import { setupServer, type SetupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/** The base URL msw answers for. */
export const NIM = 'https://nim.test/v1';
export const KEY = 'nvapi-TEST-SECRET-KEY-0123456789';

const encoder = new TextEncoder();

/** One OpenAI stream chunk as an SSE `data:` event. */
export function chunk(content: string | null, finish: string | null = null, extra: Record<string, unknown> = {}): string {
  const delta = content === null ? {} : { content };
  return `data: ${JSON.stringify({ id: 'cmpl-1', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
}

export type Part = string | Uint8Array | { wait: number };

/**
 * A byte stream that sends `parts` in order (`{ wait }` pauses); it stays open at the end when
 * `hang` is set, sending `keepAlive` comments every `keepAliveMs` if given. Cancelling clears timers.
 */
export function sseStream(parts: Part[], options: { hang?: boolean; keepAliveMs?: number } = {}): ReadableStream<Uint8Array> {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let cancelled = false;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t);
        resolve();
      }, ms);
      timers.add(t);
    });
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const part of parts) {
        if (cancelled) return;
        if (typeof part === 'object' && 'wait' in part) await wait(part.wait);
        else controller.enqueue(typeof part === 'string' ? encoder.encode(part) : part);
      }
      if (cancelled) return;
      if (!options.hang) return controller.close();
      if (options.keepAliveMs) {
        const interval = setInterval(() => {
          if (!cancelled) controller.enqueue(encoder.encode(': keep-alive\n\n'));
        }, options.keepAliveMs);
        timers.add(interval);
      }
    },
    cancel() {
      cancelled = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  });
}

export function sseResponse(parts: Part[], options: { hang?: boolean; keepAliveMs?: number; status?: number } = {}): HttpResponse<any> {
  return new HttpResponse(sseStream(parts, options), { status: options.status ?? 200, headers: { 'content-type': 'text/event-stream' } });
}

/** A chat completion body. */
export function completion(text: string, finish = 'stop') {
  return {
    id: 'cmpl-1',
    object: 'chat.completion',
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: finish }],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  };
}

export const userTurn = [{ role: 'user' as const, content: 'Hello' }];

/**
 * msw for the remote service, installed for the current test file. Loopback requests go to the
 * real servers the tests start; any other unhandled request fails the test.
 */
export function remoteMock(): SetupServer {
  const server = setupServer();
  beforeAll(() =>
    server.listen({
      onUnhandledFrame: ({ frame, defaults }) => {
        const request = (frame as { data?: { request?: Request } }).data?.request;
        if (request && new URL(request.url).hostname === '127.0.0.1') return;
        return defaults.error();
      },
    }),
  );
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
  return server;
}

/**
 * The hosted NIM chat endpoint, mocked for guard models: every request is answered with
 * `mock.reply` as the assistant text, and its JSON body is recorded in `mock.bodies` (cleared per test).
 */
export function guardChatMock(base = 'https://integrate.api.nvidia.com/v1'): { reply: string; bodies: any[] } {
  const mock = { reply: '', bodies: [] as any[] };
  const server = remoteMock();
  beforeEach(() => {
    mock.bodies.length = 0;
    server.use(
      http.post(`${base}/chat/completions`, async ({ request }) => {
        mock.bodies.push(await request.json());
        return HttpResponse.json(completion(mock.reply));
      }),
    );
  });
  return mock;
}
