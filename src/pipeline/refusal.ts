import type { Completion } from '../types.js';

/**
 * The refusal text used when a middleware is given none.
 *
 * @example
 * safety({ guard, refusal: `${DEFAULT_REFUSAL} Please ask something else.` });
 */
export const DEFAULT_REFUSAL = "I'm sorry, but I can't help with that.";

/** A refusal as a normal completion (finish reason `refused`). */
export function refusalCompletion(text: string, model?: string): Completion {
  return model ? { model, text, finishReason: 'refused' } : { text, finishReason: 'refused' };
}
