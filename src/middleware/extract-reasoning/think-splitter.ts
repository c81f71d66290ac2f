// Internal: splits a model's raw output into reasoning and answer text at inline `<think>` tags,
// piece by piece as a stream brings it, so that a tag cut across chunks is still found. Fed the
// whole text as one piece it gives the same result, so generate and stream agree.

/** What one piece of input releases: reasoning first, then answer text. */
export interface Split {
  reasoning: string;
  text: string;
}

type State = 'start' | 'open-start' | 'reason-lead' | 'reason' | 'answer-lead' | 'text';

/**
 * `opened: false`: a `<think>` block at the very start (after whitespace) is reasoning; any other
 * text is left as it is. `opened: true`: the output starts inside the reasoning (the chat template
 * wrote the opening tag); an opening tag repeated at the start is accepted. The reasoning is
 * trimmed, and the whitespace between the closing tag and the answer dropped. An unclosed block
 * is reasoning to the end.
 */
export class ThinkSplitter {
  readonly #open: string;
  readonly #close: string;
  #state: State;
  #pending = ''; // start: what may still be the opening tag; reason: trailing whitespace and a partial closing tag

  constructor(tag: string, opened: boolean) {
    this.#open = `<${tag}>`;
    this.#close = `</${tag}>`;
    this.#state = opened ? 'open-start' : 'start';
  }

  push(piece: string): Split {
    const out: Split = { reasoning: '', text: '' };
    let s = piece;
    while (s !== '') {
      switch (this.#state) {
        case 'text':
          out.text += s;
          s = '';
          break;
        case 'start':
        case 'open-start': {
          this.#pending += s;
          s = '';
          const body = this.#pending.trimStart();
          if (body.length < this.#open.length && this.#open.startsWith(body)) break; // may still become the tag
          const tagged = body.startsWith(this.#open);
          if (this.#state === 'start' && !tagged) {
            // No reasoning block: the text is the answer, unchanged.
            out.text += this.#pending;
            this.#state = 'text';
          } else {
            s = tagged ? body.slice(this.#open.length) : body;
            this.#state = 'reason-lead';
          }
          this.#pending = '';
          break;
        }
        case 'reason-lead':
        case 'answer-lead': {
          s = s.trimStart();
          if (s !== '') this.#state = this.#state === 'reason-lead' ? 'reason' : 'text';
          break;
        }
        case 'reason': {
          const buf = this.#pending + s;
          s = '';
          const at = buf.indexOf(this.#close);
          if (at >= 0) {
            out.reasoning += buf.slice(0, at).trimEnd();
            this.#pending = '';
            this.#state = 'answer-lead';
            s = buf.slice(at + this.#close.length);
            break;
          }
          // Hold back what may be the start of the closing tag, and whitespace that may end the reasoning.
          const partial = this.#partialClose(buf);
          const keep = buf.slice(0, buf.length - partial);
          const kept = keep.trimEnd();
          out.reasoning += kept;
          this.#pending = buf.slice(kept.length);
          break;
        }
      }
    }
    return out;
  }

  /** What the end of the output releases. */
  end(): Split {
    const pending = this.#pending;
    this.#pending = '';
    if (this.#state === 'start') return { reasoning: '', text: pending };
    // Unclosed: what was held is reasoning (a partial tag kept, trailing whitespace not).
    if (this.#state === 'open-start') return { reasoning: pending.trim(), text: '' };
    if (this.#state === 'reason') return { reasoning: pending.trimEnd(), text: '' };
    return { reasoning: '', text: '' };
  }

  // The length of the longest end of `buf` that begins the closing tag.
  #partialClose(buf: string): number {
    for (let k = Math.min(this.#close.length - 1, buf.length); k > 0; k--) if (this.#close.startsWith(buf.slice(buf.length - k))) return k;
    return 0;
  }
}

/** The whole output split at once. */
export function splitThink(raw: string, tag: string, opened: boolean): Split {
  const splitter = new ThinkSplitter(tag, opened);
  const a = splitter.push(raw);
  const b = splitter.end();
  return { reasoning: a.reasoning + b.reasoning, text: a.text + b.text };
}
