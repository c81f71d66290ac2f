// Internal: converting between a layer's stream and a completion.
import { StreamError } from '../errors.js';
import type { Completion } from '../types.js';
import type { LayerEvent } from './types.js';

/** Reads a layer stream to its end and returns the completion of its `finish` event. */
export async function collect(events: AsyncIterable<LayerEvent>): Promise<Completion> {
  let completion: Completion | undefined;
  for await (const event of events) if (event.type === 'finish') completion = event.completion;
  if (!completion) throw new StreamError('truncated', 'The stream ended without a finish event');
  return completion;
}

/** A stream of one finished completion: its text as one delta (when not empty), then `finish`. */
export async function* replay(source: Completion | (() => Promise<Completion>), deltas?: readonly string[]): AsyncGenerator<LayerEvent> {
  const done = typeof source === 'function' ? await source() : source;
  if (deltas) for (const text of deltas) yield { type: 'text-delta', text };
  else if (done.text) yield { type: 'text-delta', text: done.text };
  yield { type: 'finish', completion: done };
}
