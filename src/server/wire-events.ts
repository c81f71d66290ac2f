import type { AnyChatModel } from '../integrations/openai-wire.js';

/**
 * The model with only `text-delta` and `finish` on its stream. A pipeline emits progress events
 * (candidate-start, score, verdict) before any text; the wire waits for the first event to choose
 * between an HTTP error status and a 200 stream, so progress events must not count as output.
 */
export function textEventsOnly(model: AnyChatModel): AnyChatModel {
  return {
    generate: (request, options) => model.generate(request, options),
    async *stream(request, options) {
      for await (const event of model.stream(request, options)) {
        if (event.type === 'text-delta' || event.type === 'finish') yield event;
      }
    },
  };
}
