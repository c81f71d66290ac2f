import { RewardgateError, UserAbortError } from '../errors.js';
import type { CallOptions, ChatModel } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ChatRequestSchema, type ChatRequest, type Completion } from '../types.js';
import { linkAbortSignals } from '../internal/merge-abort-signals.js';
import { type CallState, runGenerate, runStream } from './compose.js';
import { EventChannel, WOKEN } from './event-channel.js';
import { ChatModelSchema, MiddlewareSchema, PipelineOptionsSchema } from './middleware-schema.js';
import { ReportRecorder, untagged } from './report.js';
import { seedStrides } from './seeds.js';
import { endSpan, loadTelemetry, startChatSpan } from './telemetry.js';
import type { GuardedCompletion, GuardedModel, Middleware, PipelineEvent, PipelineOptions } from './types.js';
import * as z from 'zod';

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
  const strides = seedStrides(layers);
  const names = layers.map((l) => l.name).join(',');
  const { onEvent, modelName } = options;

  const start = (request: ChatRequest, emit: (e: PipelineEvent) => void) => {
    const report = new ReportRecorder(emit);
    const span = startChatSpan(request.model ?? modelName, { 'rewardgate.pipeline': names });
    const state: CallState = { model, layers, report, emit, modelName, span, seedStrides: strides };
    return state;
  };

  return {
    async generate(request, callOptions: CallOptions = {}) {
      const req = validate(ChatRequestSchema, request, 'chat request');
      const signal = callOptions.signal;
      const state = start(req, onEvent ? (e) => safeCall(onEvent, e) : noop);
      try {
        const completion = await runGenerate(state, 0, { request: req, signal, labels: {}, seedOffset: 0 });
        const result = finalize(state, completion);
        state.emit({ type: 'finish', completion: result });
        return result;
      } catch (error) {
        endSpan(state.span, undefined, error);
        throw asAbort(error, signal);
      }
    },

    async *stream(request, callOptions: CallOptions = {}) {
      const req = validate(ChatRequestSchema, request, 'chat request');
      const scope = linkAbortSignals([callOptions.signal]);
      const side = new EventChannel<PipelineEvent>();
      const state = start(req, (e) => {
        side.push(e);
        if (onEvent) safeCall(onEvent, e);
      });
      const events = runStream(state, 0, { request: req, signal: scope.signal, labels: {}, seedOffset: 0 })[Symbol.asyncIterator]();
      let pending: Promise<IteratorResult<unknown>> | undefined;
      let settled = false;
      let exhausted = false;
      let failed = false;
      try {
        while (true) {
          while (side.size) yield side.shift()!;
          pending ??= events.next();
          // Side events (candidates, scores, verdicts) go out as they happen, between text deltas.
          const step = await Promise.race([pending, side.wait()]);
          if (step === WOKEN) continue;
          pending = undefined;
          const r = step as IteratorResult<PipelineEvent>;
          if (r.done) {
            exhausted = true;
            break;
          }
          if (r.value.type !== 'finish') {
            yield r.value;
            continue;
          }
          const result = finalize(state, r.value.completion);
          while (side.size) yield side.shift()!;
          settled = true;
          const finish: PipelineEvent = { type: 'finish', completion: result };
          if (onEvent) safeCall(onEvent, finish);
          yield finish;
        }
        if (!settled) throw new RewardgateError('The pipeline stream ended without a finish event');
      } catch (error) {
        failed = true;
        endSpan(state.span, undefined, error);
        throw asAbort(error, callOptions.signal);
      } finally {
        // A caller that stops reading before the finish still closes the call's span.
        if (!settled && !failed) endSpan(state.span, undefined);
        if (!exhausted) {
          // The caller stopped early or a layer failed: cancel everything upstream, then unwind.
          scope.abort(new UserAbortError('stream closed'));
          pending?.catch(noop);
          await events.return?.().catch(noop);
        }
        scope.dispose();
      }
    },
  };

  function finalize(state: CallState, completion: Completion): GuardedCompletion {
    // Only the answer returned decides `refused`: a candidate an inner rail blocked may have lost.
    const refused = state.report.settle(completion);
    const report = state.report.data;
    endSpan(state.span, { ...completion, attributes: { 'rewardgate.refused': refused, 'rewardgate.rejected': report.rejected, 'rewardgate.candidates': report.candidates.length } });
    return { ...untagged(completion), report, refused };
  }
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
