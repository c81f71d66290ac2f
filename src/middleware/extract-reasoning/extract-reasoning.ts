import * as z from 'zod/mini';
import { validate } from '../../internal/validate.js';
import type { Completion } from '../../types.js';
import { splitThink, ThinkSplitter, type Split } from './think-splitter.js';
import type { LayerEvent, Middleware } from '../../pipeline/types.js';

/** The options of {@link extractReasoning}; the config file's `extractReasoning` step is made from it. */
export const ExtractReasoningOptionsSchema = z.strictObject({
  /** The tag name: `think` (default) reads `<think>...</think>`. */
  tag: z._default(z.string().check(z.regex(/^[A-Za-z][\w.:-]*$/, 'a tag name such as think')), 'think'),
  /**
   * The output starts inside the reasoning, with no opening tag: the chat template already wrote
   * it (DeepSeek-R1 and QwQ templates end the prompt with `<think>`), so the answer holds only
   * `</think>`. Everything up to the closing tag is then reasoning. Default false: only a block
   * that opens the answer is reasoning, and other text is left alone.
   */
  opened: z._default(z.boolean(), false),
});

/**
 * Options of {@link extractReasoning}.
 *
 * @example
 * const options: ExtractReasoningOptions = { tag: 'think', opened: true };
 * @interface
 */
export type ExtractReasoningOptions = z.input<typeof ExtractReasoningOptionsSchema>;

/**
 * Moves inline reasoning (`<think>...</think>` at the start of the answer, as Qwen3 and
 * DeepSeek-R1 write it when the server has no reasoning parser) out of the answer text into
 * `completion.reasoning`, after any reasoning the server already sent (on a new line). On a stream
 * the reasoning goes out as `reasoning-delta` events instead of text, also when a tag is cut
 * across chunks. The reasoning is trimmed; an unclosed block (cut off by `max_tokens`) is
 * reasoning to the end. Put it last (innermost), so that guards and scorers see the clean answer.
 *
 * @example
 * pipeline(model, [safety({ guard }), bestOfN({ n: 4, scorer }), extractReasoning()]);
 */
export function extractReasoning(options: ExtractReasoningOptions = {}): Middleware {
  const { tag, opened } = validate(ExtractReasoningOptionsSchema, options, 'extractReasoning options');
  const split = (completion: Completion): Completion => {
    // A refusal is not model output: there is nothing to extract.
    if (completion.finishReason === 'refused') return completion;
    const parts = splitThink(completion.text, tag, opened);
    const out: Completion = { ...completion, text: parts.text };
    if (parts.reasoning) out.reasoning = completion.reasoning ? `${completion.reasoning}\n${parts.reasoning}` : parts.reasoning;
    return out;
  };
  return {
    name: 'extractReasoning',
    generate: async function extractReasoningGenerate(_ctx, next) {
      return split(await next());
    },
    stream: async function* extractReasoningStream(_ctx, next) {
      const splitter = new ThinkSplitter(tag, opened);
      let serverReasoning = false;
      let extracted = false;
      function* emit(parts: Split): Generator<LayerEvent> {
        if (parts.reasoning) {
          // The same separator as the completion's: a new line after the server's own reasoning.
          yield { type: 'reasoning-delta', text: !extracted && serverReasoning ? `\n${parts.reasoning}` : parts.reasoning };
          extracted = true;
        }
        if (parts.text) yield { type: 'text-delta', text: parts.text };
      }
      for await (const event of next()) {
        if (event.type === 'text-delta') yield* emit(splitter.push(event.text));
        else if (event.type === 'finish') {
          yield* emit(splitter.end());
          yield { type: 'finish', completion: split(event.completion) };
        } else {
          if (event.type === 'reasoning-delta' && event.text) serverReasoning = true;
          yield event;
        }
      }
    },
  };
}
