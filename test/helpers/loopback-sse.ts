// A scripted HTTP server on loopback for stream tests: each request is answered by `handler`,
// which writes raw bytes (SSE, comments, stalls). Aborts reach a real socket here, so the tests
// can see the client go away (`closedEarly`).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackSSE {
  baseURL: string;
  /** Requests received. */
  hits: number;
  /** Responses whose client disconnected before the handler ended them. */
  closedEarly: number;
  /** Resolves when the next early close happens. */
  nextClose(): Promise<void>;
  close(): Promise<void>;
}

export type Step = string | { wait: number };

export async function startLoopbackSSE(handler: (res: ServerResponse, req: IncomingMessage, index: number) => unknown): Promise<LoopbackSSE> {
  const waiters: Array<() => void> = [];
  const state: LoopbackSSE = {
    baseURL: '',
    hits: 0,
    closedEarly: 0,
    nextClose: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const index = state.hits++;
    req.resume();
    res.on('close', () => {
      if (!res.writableEnded) {
        state.closedEarly++;
        for (const w of waiters.splice(0)) w();
      }
    });
    void handler(res, req, index);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.baseURL = `http://127.0.0.1:${port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** Sends SSE headers, then the steps; ends the response unless `hang`. Stops when the client leaves. */
export async function writeSteps(res: ServerResponse, steps: Step[], hang = false): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.flushHeaders();
  for (const step of steps) {
    if (res.destroyed) return;
    if (typeof step === 'string') res.write(step);
    else await new Promise((r) => setTimeout(r, step.wait));
  }
  if (!hang && !res.destroyed) res.end();
}

/** Writes a keep-alive comment every `ms` until the client leaves. */
export function keepAlive(res: ServerResponse, ms: number): void {
  const timer = setInterval(() => (res.destroyed ? clearInterval(timer) : res.write(': keep-alive\n\n')), ms);
  res.on('close', () => clearInterval(timer));
}
