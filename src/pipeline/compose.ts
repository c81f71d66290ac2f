// Internal: the onion. Runs layer i with a `next` that runs layer i + 1; past the last layer
// `next` calls the model and records the call as a candidate in the report.
import type { Span } from '@opentelemetry/api';
import { RewardgateError, StreamError } from '../errors.js';
import type { ChatModel } from '../interfaces.js';
import type { ChatRequest, Completion } from '../types.js';
import { collect, replay } from './layer-streams.js';
import type { ReportRecorder } from './report.js';
import { innerSeeds } from './seeds.js';
import { endSpan, startChatSpan } from './telemetry.js';
import type { GenerateNext, LayerEvent, Middleware, NextOptions, PipelineContext, PipelineEvent, StreamNext } from './types.js';

/** What one pipeline call shares across its layers. */
export interface CallState {
  readonly model: ChatModel;
  readonly layers: readonly Middleware[];
  readonly report: ReportRecorder;
  readonly emit: (event: PipelineEvent) => void;
  readonly modelName: string | undefined;
  readonly span: Span | undefined;
  /** Per layer, the seeds one call of its `next` spans (see seeds.ts). */
  readonly seedStrides: readonly number[];
  /** The random base seed of this call, for fan-outs of an unseeded request (drawn on first use). */
  readonly randomSeed: () => number;
}

interface Frame {
  request: ChatRequest;
  signal: AbortSignal | undefined;
  labels: Record<string, number>;
  /** How far the enclosing fan-outs have shifted the seed (see seeds.ts). */
  seedOffset: number;
}

function context(state: CallState, frame: Frame): PipelineContext {
  return { request: frame.request, signal: frame.signal, labels: frame.labels, report: state.report, emit: state.emit };
}

// The frame of one `next` call of layer i: the engine, not the layer, gives the call its seed.
function inner(state: CallState, i: number, frame: Frame, request: ChatRequest | undefined, options: NextOptions | undefined): Frame {
  if (!request && !options) return frame;
  const position = { offset: frame.seedOffset, stride: state.seedStrides[i]!, randomBase: state.randomSeed };
  const seeded = innerSeeds(state.layers[i]!, request ?? frame.request, options, position);
  return {
    request: seeded.request,
    signal: options?.signal ?? frame.signal,
    labels: options?.labels ? { ...frame.labels, ...options.labels } : frame.labels,
    seedOffset: seeded.offset,
  };
}

// Enforces the `calls` contract: a middleware that did not declare 'many' gets one `next`.
function counter(layer: Middleware): () => void {
  let calls = 0;
  return () => {
    if (++calls > 1 && layer.calls !== 'many') {
      throw new RewardgateError(`Middleware "${layer.name}" called next() more than once; declare calls: 'many' to fan out`);
    }
  };
}

export function runGenerate(state: CallState, i: number, frame: Frame): Promise<Completion> {
  const layer = state.layers[i];
  if (!layer) return generateModel(state, frame);
  const count = counter(layer);
  if (layer.generate) {
    const next: GenerateNext = (request, options) => {
      count();
      return runGenerate(state, i + 1, inner(state, i, frame, request, options));
    };
    return layer.generate(context(state, frame), next);
  }
  if (layer.stream) return collect(runStream(state, i, frame));
  return runGenerate(state, i + 1, frame);
}

export function runStream(state: CallState, i: number, frame: Frame): AsyncIterable<LayerEvent> {
  const layer = state.layers[i];
  if (!layer) return streamModel(state, frame);
  const count = counter(layer);
  if (layer.stream) {
    const next: StreamNext = (request, options) => {
      count();
      return runStream(state, i + 1, inner(state, i, frame, request, options));
    };
    return layer.stream(context(state, frame), next);
  }
  if (layer.generate) return replay(() => runGenerate(state, i, frame));
  return runStream(state, i + 1, frame);
}

async function generateModel(state: CallState, frame: Frame): Promise<Completion> {
  const entry = state.report.startCandidate(frame.labels);
  const startedAt = performance.now();
  const span = startChatSpan(frame.request.model ?? state.modelName, {}, state.span);
  try {
    const completion = await state.model.generate(frame.request, { signal: frame.signal });
    const tagged = state.report.finishCandidate(entry, startedAt, completion);
    endSpan(span, completion);
    return tagged;
  } catch (error) {
    state.report.finishCandidate(entry, startedAt, undefined, error, frame.signal?.aborted ?? false);
    endSpan(span, undefined, error);
    throw error;
  }
}

async function* streamModel(state: CallState, frame: Frame): AsyncGenerator<LayerEvent> {
  const entry = state.report.startCandidate(frame.labels);
  const startedAt = performance.now();
  const span = startChatSpan(frame.request.model ?? state.modelName, { 'gen_ai.request.stream': true }, state.span);
  let text = '';
  let finished: Completion | undefined;
  let failure: unknown;
  try {
    for await (const event of state.model.stream(frame.request, { signal: frame.signal })) {
      switch (event.type) {
        case 'text-delta':
          text += event.text;
          yield event;
          break;
        case 'reasoning-delta':
        case 'tool-call-delta':
        case 'tool-call':
          yield event;
          break;
        case 'finish':
          finished = state.report.finishCandidate(entry, startedAt, event.completion);
          endSpan(span, finished);
          yield { type: 'finish', completion: finished };
          break;
        // Event types a model adds beyond the stream contract are not passed on.
      }
    }
    if (!finished) throw new StreamError('truncated', 'The model stream ended without a finish event');
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    if (!finished) {
      // Ended early: the consumer stopped reading (cancelled) or the call failed.
      entry.text = text;
      const cancelled = failure === undefined || (frame.signal?.aborted ?? false);
      state.report.finishCandidate(entry, startedAt, undefined, failure, cancelled);
      endSpan(span, undefined, cancelled ? undefined : failure);
    }
  }
}
