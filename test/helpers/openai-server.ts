// A real OpenAI-compatible HTTP server on loopback for tests and benchmarks: chat completions
// (plain and SSE), /v1/models, /v1/health/ready. Behaviour per request comes from `reply`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeReply {
  /** The answer text. */
  text: string;
  /** Delay before the response headers, ms. */
  delayMs?: number;
  /** Delay between stream chunks, ms. */
  chunkDelayMs?: number;
  /** How many stream chunks the text is split into (default: one per word). */
  chunks?: number;
  /** Send this HTTP status and JSON body instead of an answer. */
  status?: number;
  errorBody?: unknown;
  /** Tool calls of the answer (finish reason `tool_calls`); streamed the way OpenAI streams them. */
  toolCalls?: Array<{ id: string; name: string; arguments: string; /** Extra fields of the call (e.g. `extra_content`). */ extra?: Record<string, unknown> }>;
  /** `reasoning_content` of the answer, streamed before the text. */
  reasoning?: string;
  /** Send `logprobs.content` for each text piece (logprob -0.5 each). */
  logprobs?: boolean;
  /** Pieces each streamed tool call's arguments are cut into (default 3). */
  argumentChunks?: number;
}

export interface FakeOpenAIServer {
  url: string;
  /** Base URL for clients: `${url}/v1`. */
  baseURL: string;
  /** Requests received per path. */
  requests: Array<{ path: string; body: any; headers: IncomingMessage['headers'] }>;
  /** Requests whose client went away before the answer was complete. */
  aborted: number;
  close(): Promise<void>;
}

export async function startOpenAIServer(
  reply: (body: any, index: number) => FakeReply | Promise<FakeReply> = () => ({ text: 'Hello from the fake server.' }),
): Promise<FakeOpenAIServer> {
  const state: FakeOpenAIServer = { url: '', baseURL: '', requests: [], aborted: 0, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const raw = await readBody(req);
    const body: any = raw ? safeJson(raw) : undefined;
    const path = (req.url ?? '').split('?')[0]!;
    state.requests.push({ path, body, headers: req.headers });
    if (req.method === 'GET' && path === '/v1/models') return json(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'test' }] });
    if (req.method === 'GET' && path === '/v1/health/ready') return json(res, 200, { status: 'ready' });
    if (req.method !== 'POST' || path !== '/v1/chat/completions') return json(res, 404, { error: { message: 'not found' } });
    const r = await reply(body, state.requests.length - 1);
    let done = false;
    res.on('close', () => {
      if (!done) state.aborted++;
    });
    if (r.delayMs) await sleep(r.delayMs);
    if (r.status && r.status >= 400) {
      done = true;
      return json(res, r.status, r.errorBody ?? { error: { message: `status ${r.status}` } });
    }
    const id = `chatcmpl-${state.requests.length}`;
    const model = body?.model ?? 'fake-model';
    const usage = { prompt_tokens: 5, completion_tokens: r.text.split(' ').length, total_tokens: 5 + r.text.split(' ').length };
    if (!body?.stream) {
      done = true;
      return json(res, 200, {
        id, object: 'chat.completion', created: 0, model,
        choices: [{ index: 0, message: wholeMessage(r), finish_reason: r.toolCalls?.length ? 'tool_calls' : 'stop', logprobs: r.logprobs ? { content: tokenLogprobs(r.text) } : null }],
        usage,
      });
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const delta of streamDeltas(r)) {
      if (res.destroyed) return;
      if (r.chunkDelayMs) await sleep(r.chunkDelayMs);
      const logprobs = r.logprobs && typeof delta.content === 'string' ? { content: tokenLogprobs(delta.content) } : null;
      res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: null, logprobs }] })}\n\n`);
    }
    if (res.destroyed) return;
    const finish = r.toolCalls?.length ? 'tool_calls' : 'stop';
    res.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta: {}, finish_reason: finish }], usage })}\n\n`);
    done = true;
    res.end('data: [DONE]\n\n');
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.baseURL = `${state.url}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

function wholeMessage(r: FakeReply): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: r.toolCalls?.length && r.text === '' ? null : r.text };
  if (r.reasoning) message.reasoning_content = r.reasoning;
  if (r.toolCalls?.length) message.tool_calls = r.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments }, ...c.extra }));
  return message;
}

// OpenAI's order: reasoning, text, then each call by index (id, type and name first, arguments in pieces).
function streamDeltas(r: FakeReply): Array<Record<string, unknown>> {
  const deltas: Array<Record<string, unknown>> = [];
  if (r.reasoning) for (const piece of split(r.reasoning)) deltas.push({ reasoning_content: piece });
  if (r.text !== '') for (const piece of split(r.text, r.chunks)) deltas.push({ content: piece });
  (r.toolCalls ?? []).forEach((call, index) => {
    deltas.push({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' }, ...call.extra }] });
    for (const piece of split(call.arguments, r.argumentChunks ?? 3)) deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
  });
  return deltas;
}

function tokenLogprobs(text: string): Array<{ token: string; logprob: number; bytes: number[]; top_logprobs: [] }> {
  return split(text).map((token) => ({ token, logprob: -0.5, bytes: [...Buffer.from(token)], top_logprobs: [] }));
}

function split(text: string, chunks?: number): string[] {
  if (!chunks) return text.match(/\S+\s*|\s+/g) ?? [text];
  const size = Math.ceil(text.length / chunks) || 1;
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function json(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
