// The guard proxy's direct path (a config with an empty pipeline and a remote upstream): the
// same answers as runChat over pipeline(client, []) (the same wire checks, upstream body, report,
// spans, access record, bounds and errors) without the pipeline's and the client's per-call
// layers. See direct-upstream.ts for the transport.
import { parseCompletion, toWireBody } from '../client/chat-wire.js';
import { ResponseError, ValidationError } from '../errors.js';
import { toTransportError } from '../http/transport-error.js';
import { AnswerTooLargeError } from '../integrations/wire/answer-limit.js';
import { createResponseMeta, toChatCompletion } from '../integrations/wire/completion.js';
import { toChatRequest } from '../integrations/wire/request.js';
import { answerChars, errorResult, failureLine, reportOptions, type ChatResult, type ChatWireOptions } from '../integrations/wire/run-chat.js';
import { SSEFramer } from '../integrations/wire/sse-framer.js';
import { ReportRecorder } from '../pipeline/report.js';
import { endSpan, startChatSpan } from '../pipeline/telemetry.js';
import type { GuardedCompletion } from '../pipeline/types.js';
import type { Span } from '@opentelemetry/api';
import type { ChatRequest, Completion } from '../types.js';
import { directFrames, type DirectOutcome } from './direct-stream.js';
import type { DirectCall, DirectUpstream } from './direct-upstream.js';
import type { CallAbort } from './request-abort.js';
import { recordCompletion, recordError, recordRequest, type RequestRecord } from './request-record.js';
import { readText } from './upstream-attempt.js';

/** Options of {@link directChat}: the wire options, and where the access record goes. */
export interface DirectChatOptions extends ChatWireOptions {
  record: RequestRecord;
  /** Keep the request's messages in the record (the access log logs prompts). */
  prompts: boolean;
}

/**
 * Answers one chat-completions body straight from the upstream. Never throws: failures come
 * back as OpenAI-style errors, with the status they would have on the full path.
 *
 * @example
 * await writeNodeResult(res, await directChat(upstream, body, abort, { record, prompts: false }));
 */
export async function directChat(upstream: DirectUpstream, body: unknown, abort: CallAbort, options: DirectChatOptions): Promise<ChatResult> {
  let run: DirectRun | undefined;
  try {
    const wire = toChatRequest(body, { forwardUnknown: options.forwardUnknown });
    const request = options.prepare ? await options.prepare(wire.request) : wire.request;
    run = new DirectRun(options.record, request, wire.stream, options.prompts);
    if (request.model === undefined) {
      throw new ValidationError('chat request', [{ path: 'model', message: 'a model is required (in the request, or bound with client.chatModel(model))' }]);
    }
    const meta = createResponseMeta(request.model);
    const call = await upstream.open(JSON.stringify(toWireBody(request as ChatRequest & { model: string }, wire.stream)), wire.stream, abort);
    if (!wire.stream) {
      const completion = run.succeed(await readCompletion(upstream, call));
      if (options.maxAnswerChars !== undefined && answerChars(completion) > options.maxAnswerChars) throw new AnswerTooLargeError(options.maxAnswerChars, 'characters');
      return { kind: 'json', status: 200, body: toChatCompletion(completion, meta, reportOptions(options)) };
    }
    const framer = new SSEFramer(meta, wire.includeUsage, { ...reportOptions(options), maxChars: options.maxAnswerChars });
    const frames = directFrames({ upstream, call, framer, outcome: run, onFailure: (error) => failureLine(error, options) });
    // The first output (or a failure before it) decides the status, as on the full path.
    const first = await frames.next();
    return { kind: 'sse', chunks: startingWith(first.done ? '' : first.value, frames) };
  } catch (error) {
    run?.fail(error);
    return errorResult(error, options);
  }
}

// The body of a plain answer, bounded and under the idle deadline, as a completion.
async function readCompletion(upstream: DirectUpstream, call: DirectCall): Promise<Completion> {
  const { scope } = call;
  let text: string;
  try {
    scope.arm('idle', upstream.timeouts.idleMs);
    text = await readText(call.answer, upstream.maxAnswerBytes, scope.signal, () => new AnswerTooLargeError(upstream.maxAnswerBytes, 'bytes'));
  } catch (error) {
    throw toTransportError(error, scope.signal, upstream.url);
  } finally {
    call.close();
  }
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // No JSON.parse error as the cause: it quotes the body, cut where a masked key would show in part.
    throw new ResponseError('invalid-json', `The response from ${upstream.url} is not valid JSON: ${upstream.redact(text).slice(0, 80)}`);
  }
  return parseCompletion(body);
}

async function* startingWith(first: string, rest: AsyncGenerator<string, void, undefined>): AsyncGenerator<string, void, undefined> {
  if (first !== '') yield first;
  yield* rest;
}

const noop = () => {};

// One call's bookkeeping as the full path keeps it (pipeline, compose's model call and
// recordingModel): a one-candidate report, the `chat` span and its candidate's child span, and
// the access record.
class DirectRun implements DirectOutcome {
  readonly #record: RequestRecord;
  readonly #report = new ReportRecorder(noop);
  readonly #entry;
  readonly #startedAt = performance.now();
  readonly #span: Span | undefined;
  readonly #candidateSpan: Span | undefined;
  #settled = false;

  constructor(record: RequestRecord, request: ChatRequest, stream: boolean, prompts: boolean) {
    this.#record = record;
    recordRequest(record, request, prompts, stream);
    // A span that records nothing (no tracer provider, or not sampled) is ended at once: its
    // attributes and its child would record nothing either.
    const span = startChatSpan(request.model, { 'rewardgate.pipeline': '' });
    if (span?.isRecording()) this.#span = span;
    else span?.end();
    this.#entry = this.#report.startCandidate({});
    if (this.#span) this.#candidateSpan = startChatSpan(request.model, stream ? { 'gen_ai.request.stream': true } : {}, this.#span);
  }

  succeed(completion: Completion): GuardedCompletion {
    this.#settled = true;
    const tagged = this.#report.finishCandidate(this.#entry, this.#startedAt, completion);
    endSpan(this.#candidateSpan, tagged);
    const refused = this.#report.settle(tagged);
    const report = this.#report.data;
    if (this.#span) endSpan(this.#span, { ...tagged, attributes: { 'rewardgate.refused': refused, 'rewardgate.rejected': report.rejected, 'rewardgate.candidates': report.candidates.length } });
    // The tagged copy without its tag is the upstream's completion as it came (parseCompletion's, never tagged).
    const result: GuardedCompletion = { ...completion, report, refused };
    recordCompletion(this.#record, result);
    return result;
  }

  fail(error?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#report.finishCandidate(this.#entry, this.#startedAt, undefined, error, error === undefined);
    endSpan(this.#candidateSpan, undefined, error);
    endSpan(this.#span, undefined, error);
    if (error !== undefined) recordError(this.#record, error);
  }
}

