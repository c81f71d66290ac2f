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

/**
 * A stream of one finished completion: the events given (as they came), or else its reasoning and
 * its text as one delta each (when not empty) and its tool calls, then `finish`.
 */
export async function* replay(source: Completion | (() => Promise<Completion>), events?: readonly LayerEvent[]): AsyncGenerator<LayerEvent> {
  const done = typeof source === 'function' ? await source() : source;
  if (events) yield* events;
  else yield* answerEvents(done);
  yield { type: 'finish', completion: done };
}

/** The events of a whole answer, in a model stream's order: reasoning, text, then each tool call. */
export function answerEvents(completion: Completion): LayerEvent[] {
  const events: LayerEvent[] = [];
  if (completion.reasoning) events.push({ type: 'reasoning-delta', text: completion.reasoning });
  if (completion.text) events.push({ type: 'text-delta', text: completion.text });
  completion.toolCalls?.forEach((toolCall, index) => {
    // One piece per call, as a model stream's first piece: id and name, here with all the arguments.
    events.push({ type: 'tool-call-delta', index, id: toolCall.id, name: toolCall.function.name, argumentsDelta: toolCall.function.arguments });
    events.push({ type: 'tool-call', index, toolCall });
  });
  return events;
}
