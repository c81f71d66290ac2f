import { StreamError } from '../../errors.js';
import type { ChatModel, ReasoningDeltaEvent, TextDeltaEvent } from '../../interfaces.js';
import type { ChatRequest, Completion } from '../../types.js';
import { AnswerTooLargeError } from './answer-limit.js';
import { createResponseMeta, toChatCompletion, type WireCompletion, type WireReportOptions } from './completion.js';
import { sseData } from './chunks.js';
import { toSSE } from './to-sse.js';
import { toWireError } from './errors.js';
import { reportError } from './report-error.js';
import { toChatRequest } from './request.js';

/** Any ChatModel: a plain model, or a pipeline whose completions carry `report` and `refused`. */
export type AnyChatModel = ChatModel<Completion, { type: string }>;

/** A ChatModel, or a function that makes one on first use (e.g. loads a local model lazily). */
export type ModelSource = AnyChatModel | (() => AnyChatModel | Promise<AnyChatModel>);

/** Options shared by every OpenAI-wire handler (the web handler, Next.js, Express, the proxy). */
export interface ChatWireOptions {
  /** Largest accepted request body in bytes (default 1 MiB); larger bodies get a 413. */
  maxBodyBytes?: number;
  /** Forward unknown body fields (`nvext`, `top_k`...) to the model in `extra` (default true). */
  forwardUnknown?: boolean;
  /** Adjusts each request before the model sees it (add a system turn, pin the model name...). */
  prepare?: (request: ChatRequest) => ChatRequest | Promise<ChatRequest>;
  /**
   * Called with every error that became a 5xx answer or broke a stream. Default: `console.error`
   * prints the error's stack and causes with credentials masked (never its other properties).
   */
  onError?: (error: unknown) => void;
  /**
   * Send every candidate's text in the report (default false: end users must not receive answers
   * a guard blocked or never judged). Turn on only for trusted clients, e.g. to debug a pipeline.
   */
  reportCandidateText?: boolean;
  /** `'slim'` (default): reports without raw guard outputs; `'full'`: with them (see WireReportOptions). */
  report?: 'slim' | 'full';
  /**
   * Longest answer text (content, reasoning and tool arguments together) passed on, characters;
   * a longer one ends with a 502 `upstream_answer_too_large` (an SSE error event once streaming).
   */
  maxAnswerChars?: number;
  /** This request's id, named in 5xx messages (the server's log line carries the same id). */
  requestId?: string;
}

/** The outcome of one chat call: a JSON answer, or SSE text whose first output (text or finish) is already in. */
export type ChatResult =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'sse'; chunks: AsyncGenerator<string, void, undefined> };

/** Resolves a ModelSource once and remembers it (a failed load is retried on the next call). */
export function modelResolver(source: ModelSource): () => Promise<AnyChatModel> {
  if (typeof source !== 'function') return () => Promise.resolve(source);
  let pending: Promise<AnyChatModel> | undefined;
  return () => {
    pending ??= Promise.resolve(source()).catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * Runs one OpenAI chat-completions body through `model`. Never throws: a bad body, a failed
 * upstream or a broken stream come back as OpenAI-style errors. A streaming answer waits for the
 * model's first output (text, reasoning, a tool call, or its finish), past any progress events,
 * so failures before any output still get a proper HTTP status; a failure after that ends the
 * stream with an `{ error }` event
 * (what OpenAI does). `signal` cancels the model call.
 *
 * @example
 * const result = await runChat(await getModel(), body, controller.signal);
 */
export async function runChat(model: AnyChatModel, body: unknown, signal: AbortSignal, options: ChatWireOptions = {}): Promise<ChatResult> {
  try {
    const wire = toChatRequest(body, { forwardUnknown: options.forwardUnknown });
    const request = options.prepare ? await options.prepare(wire.request) : wire.request;
    const meta = createResponseMeta(request.model);
    if (!wire.stream) {
      const completion = (await model.generate(request, { signal })) as WireCompletion;
      if (options.maxAnswerChars !== undefined && answerChars(completion) > options.maxAnswerChars) throw new AnswerTooLargeError(options.maxAnswerChars, 'characters');
      return { kind: 'json', status: 200, body: toChatCompletion(completion, meta, reportOptions(options)) };
    }
    const iterator = model.stream(request, { signal })[Symbol.asyncIterator]();
    // Progress events (candidate-start, score, verdict...) are not output and toSSE drops them:
    // the answer becomes a 200 stream only at the first output or the finish, so a failure before
    // that still gets its real status.
    let first = await iterator.next();
    while (!first.done && !isOutput(first.value)) first = await iterator.next();
    if (first.done) throw new StreamError('truncated', 'The model stream ended before any output');
    const events = { [Symbol.asyncIterator]: () => iterator };
    return { kind: 'sse', chunks: toSSE(events, meta, wire.includeUsage, { ...reportOptions(options), first, maxChars: options.maxAnswerChars, onFailure: (error) => failureLine(error, options) }) };
  } catch (error) {
    return errorResult(error, options);
  }
}

// Only these reach the client; an empty delta adds nothing, so it does not commit the answer either.
function isOutput(event: { type: string }): boolean {
  switch (event.type) {
    case 'finish':
    case 'tool-call-delta':
    case 'tool-call':
      return true;
    case 'text-delta':
    case 'reasoning-delta':
      return (event as TextDeltaEvent | ReasoningDeltaEvent).text !== '';
    default:
      return false;
  }
}

/** An error as a JSON result (reported to `onError` when it is a server-side failure). */
export function errorResult(error: unknown, options: ChatWireOptions = {}): ChatResult {
  const wire = toWireError(error, { requestId: options.requestId });
  if (wire.status >= 500) reportError(error, options.onError);
  const result: Extract<ChatResult, { kind: 'json' }> = { kind: 'json', status: wire.status, body: wire.body };
  if (wire.headers) result.headers = wire.headers;
  return result;
}

/** @internal How much of the report the wire options ask for. */
export function reportOptions(options: ChatWireOptions): WireReportOptions {
  return { candidateText: options.reportCandidateText, report: options.report };
}

/** @internal The answer's text length against `maxAnswerChars`: content, reasoning and tool arguments. */
export function answerChars(completion: WireCompletion): number {
  let n = completion.text.length + (completion.reasoning?.length ?? 0);
  for (const call of completion.toolCalls ?? []) n += call.function.arguments.length;
  return n;
}

/** @internal A failure mid-stream as an OpenAI error event instead of a torn connection (5xx reported to `onError`). */
export function failureLine(error: unknown, options: ChatWireOptions): string {
  const wire = toWireError(error, { requestId: options.requestId });
  if (wire.status >= 500) reportError(error, options.onError);
  return sseData(wire.body);
}
