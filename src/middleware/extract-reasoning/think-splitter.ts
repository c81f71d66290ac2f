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
    let rest = piece;
    while (rest !== '') rest = this.#step(rest, out);
    return out;
  }

  // Takes what the current state consumes of `s` into `out`; returns the rest, for the next state.
  #step(s: string, out: Split): string {
    switch (this.#state) {
      case 'text':
        out.text += s;
        return '';
      case 'start':
      case 'open-start':
        return this.#atStart(s, out);
      case 'reason-lead':
      case 'answer-lead':
        return this.#skipLead(s);
      case 'reason':
        return this.#inReasoning(s, out);
    }
  }

  #atStart(s: string, out: Split): string {
    const pending = this.#pending + s;
    const body = pending.trimStart();
    if (body.length < this.#open.length && this.#open.startsWith(body)) {
      this.#pending = pending; // may still become the tag
      return '';
    }
    this.#pending = '';
    const tagged = body.startsWith(this.#open);
    if (this.#state === 'start' && !tagged) {
      // No reasoning block: the text is the answer, unchanged.
      out.text += pending;
      this.#state = 'text';
      return '';
    }
    this.#state = 'reason-lead';
    return tagged ? body.slice(this.#open.length) : body;
  }

  // The whitespace before the reasoning or the answer is dropped.
  #skipLead(s: string): string {
    const rest = s.trimStart();
    if (rest !== '') this.#state = this.#state === 'reason-lead' ? 'reason' : 'text';
    return rest;
  }

  #inReasoning(s: string, out: Split): string {
    const buf = this.#pending + s;
    const at = buf.indexOf(this.#close);
    if (at >= 0) {
      out.reasoning += buf.slice(0, at).trimEnd();
      this.#pending = '';
      this.#state = 'answer-lead';
      return buf.slice(at + this.#close.length);
    }
    // Hold back what may be the start of the closing tag, and whitespace that may end the reasoning.
    const kept = buf.slice(0, buf.length - this.#partialClose(buf)).trimEnd();
    out.reasoning += kept;
    this.#pending = buf.slice(kept.length);
    return '';
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
