// Internal: one inner call as a promise of its completion, for the generate and the stream path
// alike. On the stream path the deltas are kept so that the chosen answer streams as it came.
import type { ChatRequest, Completion } from '../types.js';
import { collect, replay } from './layer-streams.js';
import type { GenerateNext, LayerEvent, NextOptions, StreamNext } from './types.js';

export interface Buffered {
  completion: Completion;
  /** The text deltas as the model sent them (stream path only). */
  deltas?: string[];
}

export type BufferedNext = (request?: ChatRequest, options?: NextOptions) => Promise<Buffered>;

export function fromGenerateNext(next: GenerateNext): BufferedNext {
  return async (request, options) => ({ completion: await next(request, options) });
}

export function fromStreamNext(next: StreamNext): BufferedNext {
  return async (request, options) => {
    const deltas: string[] = [];
    const completion = await collect(tap(next(request, options), deltas));
    return { completion, deltas };
  };
}

async function* tap(events: AsyncIterable<LayerEvent>, deltas: string[]): AsyncGenerator<LayerEvent> {
  for await (const event of events) {
    if (event.type === 'text-delta') deltas.push(event.text);
    yield event;
  }
}

/** The layer stream of a decided result. */
export function replayBuffered(result: Buffered): AsyncGenerator<LayerEvent> {
  return replay(result.completion, result.deltas);
}
