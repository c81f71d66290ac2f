// transformers' `continue_final_message` (render_jinja_template, transformers 5): a tag is appended
// to the final message's text (its last text part when it has parts), the chat is rendered, and
// the text is cut where the tag is, so the model continues that message instead of a new turn.
import { ValidationError } from '../../errors.js';
import { pyStrip } from './python-str.js';

const TAG = 'CONTINUE_FINAL_MESSAGE_TAG ';
const TAG_STRIPPED = TAG.trim();

type Plain = Record<string, unknown>;

/**
 * Appends the tag to the final message of `chat` (a copy the caller owns) and returns the text it
 * continues. Throws a ValidationError where transformers raises.
 */
export function markFinalMessage(chat: Plain[], templateSource: string): string {
  const at = chat.length - 1;
  const last = chat[at]!;
  const content = last.content;
  const fail = (path: string, message: string) => new ValidationError('messages', [{ path, message }]);
  if (content === null || content === undefined) throw fail(`[${at}].content`, 'continueFinalMessage is set but the final message has no content to continue');
  if (!templateSource.includes('content')) throw fail('', 'continueFinalMessage is set but the chat template never reads "content"');
  if (Array.isArray(content)) {
    // The last part with a text, as transformers picks it.
    for (let i = content.length - 1; i >= 0; i--) {
      const part = content[i] as Plain;
      if (part !== null && typeof part === 'object' && 'text' in part) {
        if (typeof part.text !== 'string') throw fail(`[${at}].content[${i}].text`, 'must be a string to be continued');
        const text = part.text;
        part.text = text + TAG;
        return text;
      }
    }
    throw fail(`[${at}].content`, 'continueFinalMessage is set but the final message has no text part to continue');
  }
  if (typeof content !== 'string') throw fail(`[${at}].content`, 'must be a string or content parts to be continued');
  last.content = content + TAG;
  return content;
}

/** The rendered chat cut where the final message ends (before the template's end-of-turn text). */
export function cutAtFinalMessage(rendered: string, finalMessage: string): string {
  if (!rendered.includes(pyStrip(finalMessage, null)) || !rendered.includes(TAG_STRIPPED)) {
    throw new ValidationError('messages', [{ path: '', message: 'continueFinalMessage is set but the final message does not appear in the rendered chat' }]);
  }
  const at = rendered.lastIndexOf(TAG_STRIPPED);
  // The template kept the text as it is: cut at the tag. It trimmed the text: cut and strip the end.
  if (rendered.slice(at, at + TAG.length) === TAG) return rendered.slice(0, at);
  return pyStrip(rendered.slice(0, at), null, 'right');
}
