// transformers' `continue_final_message`: cut the rendered chat right after the final message's
// text, so that the model continues that message instead of starting a new turn.
import { ValidationError } from '../../errors.js';
import { pyStrip } from './python-str.js';

/** The rendered text cut after `finalMessage`, exactly as transformers' apply_chat_template does. */
export function continueFinalMessage(rendered: string, finalMessage: string): string {
  const stripped = pyStrip(finalMessage, null);
  const at = rendered.lastIndexOf(stripped);
  if (at < 0) {
    throw new ValidationError('messages', [
      { path: '', message: 'continueFinalMessage is set but the final message does not appear in the rendered chat' },
    ]);
  }
  const leftStripped = pyStrip(finalMessage, null, 'left');
  // The template kept the message as is (or it has no trailing space): keep it whole; else the
  // template trimmed it and the cut goes after the stripped text.
  const end = rendered.slice(at, at + leftStripped.length) === finalMessage ? leftStripped.length : stripped.length;
  return rendered.slice(0, at + end);
}
