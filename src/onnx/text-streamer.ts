// Tails that a decoder's space clean-up (" ," -> ",", " n't" -> "n't", " ' " -> "'"...) may still
// rewrite once the next token arrives: held back so that shown text is never rewritten.
const CLEANUP_TAIL = / (?:n'?|'[vr ]?)?$/;

/**
 * Turns a growing list of generated token ids into text deltas. Byte-level tokens can split a
 * UTF-8 character, which decodes to U+FFFD until the rest arrives: such a tail is held back, and
 * so is a tail that space clean-up could still rewrite. Text that could be the start of a stop
 * string is held back too, and a complete stop string ends the text before it.
 */
export class TextStreamer {
  #emitted = '';
  #text = '';
  #stopped = false;
  readonly #decode: (ids: number[]) => string;
  readonly #stops: string[];

  constructor(decode: (ids: number[]) => string, stops: readonly string[]) {
    this.#decode = decode;
    this.#stops = stops.filter((s) => s !== '');
  }

  /** True once a stop string appeared; the text ends before it. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The text so far (without any stop string). */
  get text(): string {
    return this.#text;
  }

  /** Decodes `ids` (all generated tokens so far) and returns the new text that is safe to show. */
  push(ids: number[]): string {
    if (this.#stopped) return '';
    let text = this.#decode(ids);
    const hit = this.#firstStop(text);
    if (hit >= 0) {
      this.#stopped = true;
      text = text.slice(0, hit);
      this.#text = text;
      return this.#take(text);
    }
    this.#text = text;
    let safe = text;
    while (safe.endsWith('\uFFFD')) safe = safe.slice(0, -1);
    safe = safe.replace(CLEANUP_TAIL, '');
    return this.#take(safe.slice(0, safe.length - this.#partialStop(safe)));
  }

  /** Everything not emitted yet (called once generation ended). */
  flush(): string {
    return this.#take(this.#text);
  }

  #take(upTo: string): string {
    // Only ever extend what was shown; a later decode that rewrites earlier text is not re-sent.
    if (!upTo.startsWith(this.#emitted) || upTo.length <= this.#emitted.length) return '';
    const delta = upTo.slice(this.#emitted.length);
    this.#emitted = upTo;
    return delta;
  }

  #firstStop(text: string): number {
    let first = -1;
    for (const stop of this.#stops) {
      const at = text.indexOf(stop);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    }
    return first;
  }

  /** Length of the longest suffix of `text` that is a proper prefix of a stop string. */
  #partialStop(text: string): number {
    let longest = 0;
    for (const stop of this.#stops) {
      for (let n = Math.min(stop.length - 1, text.length); n > longest; n--) {
        if (text.endsWith(stop.slice(0, n))) {
          longest = n;
          break;
        }
      }
    }
    return longest;
  }
}
