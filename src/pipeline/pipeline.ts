import { RewardgateError, UserAbortError } from '../errors.js';
import type { CallOptions, ChatModel } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ChatRequestSchema, type ChatRequest, type Completion } from '../types.js';
import { linkAbortSignals } from '../internal/merge-abort-signals.js';
import { type CallState, runGenerate, runStream } from './compose.js';
import { EventChannel, WOKEN } from './event-channel.js';
import { ChatModelSchema, MiddlewareSchema, PipelineOptionsSchema } from './middleware-schema.js';
import { ReportRecorder, untagged } from './report.js';
import { lazyRandomBase, seedStrides } from './seeds.js';
import { endSpan, loadTelemetry, startChatSpan } from './telemetry.js';
import type { GuardedCompletion, GuardedModel, LayerEvent, Middleware, PipelineEvent, PipelineOptions } from './types.js';
import * as z from 'zod/mini';

const ArgsSchema = z.object({ model: ChatModelSchema, middleware: z.array(MiddlewareSchema), options: PipelineOptionsSchema });

/**
 * Puts middleware around a model. The first middleware is outermost. The result is a ChatModel
 * whose completions carry a `report` and `refused`, and whose stream carries pipeline events.
 * Middleware and options are validated here, not at the first request.
 *
 * @example
 * const guarded = pipeline(model, [safety({ guard }), bestOfN({ n: 4, scorer })]);
 * const { text, refused, report } = await guarded.generate({ messages: [{ role: 'user', content: 'Hi' }] });
 */
export function pipeline(model: ChatModel, middleware: Middleware[], options: PipelineOptions = {}): GuardedModel {
  validate(ArgsSchema, { model, middleware, options }, 'pipeline');
  void loadTelemetry();
  const layers = [...middleware];
  const setup: Setup = { model, layers, strides: seedStrides(layers), names: layers.map((l) => l.name).join(','), onEvent: options.onEvent, modelName: options.modelName };
  return {
    generate: (request, callOptions) => generateGuarded(setup, request, callOptions),
    stream: (request, callOptions) => streamGuarded(setup, request, callOptions),
  };
}

/** What a pipeline fixes once, for all its calls. */
interface Setup {
  readonly model: ChatModel;
  readonly layers: readonly Middleware[];
  readonly strides: readonly number[];
  /** The layer names, for the call's span. */
  readonly names: string;
  readonly onEvent: PipelineOptions['onEvent'];
  readonly modelName: string | undefined;
}

function startCall(setup: Setup, request: ChatRequest, emit: (e: PipelineEvent) => void): CallState {
  const { model, layers, modelName, strides } = setup;
  const span = startChatSpan(request.model ?? modelName, { 'rewardgate.pipeline': setup.names });
  return { model, layers, report: new ReportRecorder(emit), emit, modelName, span, seedStrides: strides, randomSeed: lazyRandomBase() };
}

async function generateGuarded(setup: Setup, request: ChatRequest, callOptions: CallOptions = {}): Promise<GuardedCompletion> {
  const req = validate(ChatRequestSchema, request, 'chat request');
  const { onEvent } = setup;
  const signal = callOptions.signal;
  const state = startCall(setup, req, onEvent ? (e) => safeCall(onEvent, e) : noop);
  try {
    const completion = await runGenerate(state, 0, { request: req, signal, labels: {}, seedOffset: 0 });
    const result = finalize(state, completion);
    state.emit({ type: 'finish', completion: result });
    return result;
  } catch (error) {
    endSpan(state.span, undefined, error);
    throw asAbort(error, signal);
  }
}

/** How far the top-level stream got, for its cleanup. */
interface StreamProgress {
  /** A read of the layer stream not yet answered. */
  pending: Promise<IteratorResult<LayerEvent>> | undefined;
  /** The finish went out. */
  settled: boolean;
  /** The layer stream ended by itself. */
  exhausted: boolean;
}

async function* streamGuarded(setup: Setup, request: ChatRequest, callOptions: CallOptions = {}): AsyncGenerator<PipelineEvent> {
  const req = validate(ChatRequestSchema, request, 'chat request');
  const { onEvent } = setup;
  const scope = linkAbortSignals([callOptions.signal]);
  const side = new EventChannel<PipelineEvent>();
  const state = startCall(setup, req, (e) => {
    side.push(e);
    if (onEvent) safeCall(onEvent, e);
  });
  const events = runStream(state, 0, { request: req, signal: scope.signal, labels: {}, seedOffset: 0 })[Symbol.asyncIterator]();
  const progress: StreamProgress = { pending: undefined, settled: false, exhausted: false };
  let failed = false;
  try {
    yield* interleave(state, events, side, progress, onEvent);
    if (!progress.settled) throw new RewardgateError('The pipeline stream ended without a finish event');
  } catch (error) {
    failed = true;
    endSpan(state.span, undefined, error);
    throw asAbort(error, callOptions.signal);
  } finally {
    // A caller that stops reading before the finish still closes the call's span.
    if (!progress.settled && !failed) endSpan(state.span, undefined);
    if (!progress.exhausted) {
      // The caller stopped early or a layer failed: cancel everything upstream, then unwind.
      scope.abort(new UserAbortError('stream closed'));
      progress.pending?.catch(noop);
      await events.return?.().catch(noop);
    }
    scope.dispose();
  }
}

// Side events (candidates, scores, verdicts) go out as they happen, between the answer's events;
// the finish goes out last, with the report.
async function* interleave(
  state: CallState,
  events: AsyncIterator<LayerEvent>,
  side: EventChannel<PipelineEvent>,
  progress: StreamProgress,
  onEvent: PipelineOptions['onEvent'],
): AsyncGenerator<PipelineEvent> {
  while (true) {
    while (side.size) yield side.shift()!;
    progress.pending ??= events.next();
    const step = await Promise.race([progress.pending, side.wait()]);
    if (step === WOKEN) continue;
    progress.pending = undefined;
    if (step.done) {
      progress.exhausted = true;
      return;
    }
    if (step.value.type !== 'finish') {
      yield step.value;
      continue;
    }
    const result = finalize(state, step.value.completion);
    while (side.size) yield side.shift()!;
    progress.settled = true;
    const finish: PipelineEvent = { type: 'finish', completion: result };
    if (onEvent) safeCall(onEvent, finish);
    yield finish;
  }
}

function finalize(state: CallState, completion: Completion): GuardedCompletion {
  // Only the answer returned decides `refused`: a candidate an inner rail blocked may have lost.
  const refused = state.report.settle(completion);
  const report = state.report.data;
  endSpan(state.span, { ...completion, attributes: { 'rewardgate.refused': refused, 'rewardgate.rejected': report.rejected, 'rewardgate.candidates': report.candidates.length } });
  return { ...untagged(completion), report, refused };
}

const noop = () => {};

function safeCall(fn: (e: PipelineEvent) => void, event: PipelineEvent): void {
  try {
    fn(event);
  } catch {
    // A logging callback must not break the call it observes.
  }
}

// An abort by the caller surfaces as UserAbortError whatever the model threw for it.
function asAbort(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted && !RewardgateError.isInstance(error)) return new UserAbortError(signal.reason);
  return error;
}
