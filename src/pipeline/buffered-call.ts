// Internal: one inner call as a promise of its completion, for the generate and the stream path
// alike. On the stream path the events are kept so that the chosen answer streams as it came.
import type { ChatRequest, Completion } from '../types.js';
import { collect, replay } from './layer-streams.js';
import type { GenerateNext, LayerEvent, Middleware, NextOptions, PipelineContext, StreamNext } from './types.js';

export interface Buffered {
  completion: Completion;
  /** The answer's events (text, reasoning, tool calls) as the inner layers sent them (stream path only). */
  events?: LayerEvent[];
}

export type BufferedNext = (request?: ChatRequest, options?: NextOptions) => Promise<Buffered>;

export function fromGenerateNext(next: GenerateNext): BufferedNext {
  return async (request, options) => ({ completion: await next(request, options) });
}

export function fromStreamNext(next: StreamNext): BufferedNext {
  return async (request, options) => {
    const events: LayerEvent[] = [];
    const completion = await collect(tap(next(request, options), events));
    return { completion, events };
  };
}

async function* tap(events: AsyncIterable<LayerEvent>, kept: LayerEvent[]): AsyncGenerator<LayerEvent> {
  for await (const event of events) {
    if (event.type !== 'finish') kept.push(event);
    yield event;
  }
}

/** The layer stream of a decided result. */
export function replayBuffered(result: Buffered): AsyncGenerator<LayerEvent> {
  return replay(result.completion, result.events);
}

/**
 * A middleware that decides on whole answers (best-of-n, retries, policies): `decide` runs once
 * for either path on buffered inner calls, and the stream path replays the decided answer.
 */
export function bufferedLayer(
  layer: Pick<Middleware, 'name' | 'calls' | 'fanOut'>,
  decide: (ctx: PipelineContext, call: BufferedNext) => Promise<Buffered>,
): Middleware {
  return {
    ...layer,
    generate: async (ctx, next) => (await decide(ctx, fromGenerateNext(next))).completion,
    stream: async function* (ctx, next) {
      yield* replayBuffered(await decide(ctx, fromStreamNext(next)));
    },
  };
}
