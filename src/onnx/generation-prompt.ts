import type { ChatTokenizer } from './tokenizer.js';

const PROBE = [{ role: 'user' as const, content: 'x' }];

/**
 * What to append after the rendered template to prompt an assistant answer. Templates with an
 * `add_generation_prompt` branch need nothing; templates without one (tiny-chat's) get the
 * assistant role tag when the tokenizer has it as one token.
 */
export function generationPromptSuffix(tokenizer: ChatTokenizer): string {
  const plain = tokenizer.render(PROBE, { addGenerationPrompt: false });
  const prompted = tokenizer.render(PROBE, { addGenerationPrompt: true });
  if (prompted !== plain) return '';
  const tag = tokenizer.encode('<|assistant|>');
  return tag.length === 1 && tokenizer.specialTokenIds.has(tag[0]!) ? '<|assistant|>\n' : '';
}
