// Splits generated text into plain text and `<tool_call>\n{"name": ..., "arguments": ...}\n</tool_call>`
// blocks (the Hermes / Qwen / tiny-agent convention), as the text streams in.
import type { ToolCallDeltaEvent, ToolCallEvent, TextDeltaEvent } from '../interfaces.js';
import type { ToolCall } from '../types.js';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

export type SplitEvent = TextDeltaEvent | ToolCallDeltaEvent | ToolCallEvent;

/**
 * Streaming splitter: `push` text as it is generated, get text deltas for the text outside the
 * blocks and tool-call events for the blocks; the markup itself never comes out as text.
 * Whitespace that only separates text from a block is dropped. A call's `arguments` is the JSON
 * text of its `arguments` value exactly as written, malformed or not; a block without a readable
 * `name` is not a call and stays text, markup included.
 */
export class ToolCallSplitter {
  #pending = '';
  #inBlock = false;
  #afterBlock = false;
  #heldSpace = '';
  #text = '';
  #calls: ToolCall[] = [];
  // The block being read: its content, and what of its call was emitted already.
  #content = '';
  #announced = false;
  #emittedArgs = '';
  #id = '';
  readonly #newId: () => string;

  constructor(newId: () => string) {
    this.#newId = newId;
  }

  /** The text outside the blocks so far (what the text deltas add up to). */
  get text(): string {
    return this.#text;
  }

  get toolCalls(): ToolCall[] {
    return this.#calls;
  }

  push(text: string): SplitEvent[] {
    const events: SplitEvent[] = [];
    this.#pending += text;
    for (;;) {
      if (this.#inBlock) {
        // The closing tag may have started in an earlier piece.
        const all = this.#content + this.#pending;
        const end = all.indexOf(CLOSE);
        if (end < 0) {
          this.#content = all;
          this.#pending = '';
          this.#streamCall(events);
          return events;
        }
        this.#content = all.slice(0, end);
        this.#pending = all.slice(end + CLOSE.length);
        this.#closeBlock(events, true);
        continue;
      }
      const start = this.#pending.indexOf(OPEN);
      if (start < 0) {
        const keep = partialSuffix(this.#pending, OPEN);
        this.#emitText(this.#pending.slice(0, this.#pending.length - keep), events);
        this.#pending = this.#pending.slice(this.#pending.length - keep);
        return events;
      }
      this.#emitText(this.#pending.slice(0, start), events);
      // Whitespace between text and a block is a separator, not text.
      this.#heldSpace = '';
      this.#pending = this.#pending.slice(start + OPEN.length);
      this.#inBlock = true;
      this.#content = '';
      this.#announced = false;
      this.#emittedArgs = '';
      this.#id = this.#newId();
    }
  }

  /** Ends the text: an unclosed block (generation stopped inside it) still counts as a call. */
  end(): SplitEvent[] {
    const events: SplitEvent[] = [];
    if (this.#inBlock) {
      this.#content += this.#pending;
      this.#pending = '';
      this.#closeBlock(events, false);
    }
    this.#emitText(this.#pending, events);
    this.#pending = '';
    if (!this.#afterBlock && this.#heldSpace) this.#emit(this.#heldSpace, events);
    this.#heldSpace = '';
    return events;
  }

  #emitText(text: string, events: SplitEvent[]): void {
    if (this.#afterBlock) {
      text = text.trimStart();
      if (text === '') return;
      this.#afterBlock = false;
    }
    text = this.#heldSpace + text;
    // Trailing whitespace waits: it is dropped if a block follows.
    const body = text.trimEnd();
    this.#heldSpace = text.slice(body.length);
    if (body) this.#emit(body, events);
  }

  #emit(text: string, events: SplitEvent[]): void {
    this.#text += text;
    events.push({ type: 'text-delta', text });
  }

  /** Emits the arguments read so far once the name is known (a prefix of the final arguments). */
  #streamCall(events: SplitEvent[]): void {
    const content = this.#content.slice(0, this.#content.length - partialSuffix(this.#content, CLOSE));
    const scan = scanCall(content);
    if (scan.name === undefined || scan.args === undefined) return;
    const args = scan.complete ? scan.args : scan.args.trimEnd();
    this.#emitArgs(scan.name, args, events);
  }

  #emitArgs(name: string, args: string, events: SplitEvent[]): void {
    const index = this.#calls.length;
    if (!this.#announced) {
      this.#announced = true;
      this.#emittedArgs = args;
      events.push({ type: 'tool-call-delta', index, id: this.#id, name, argumentsDelta: args });
    } else if (args.length > this.#emittedArgs.length && args.startsWith(this.#emittedArgs)) {
      events.push({ type: 'tool-call-delta', index, argumentsDelta: args.slice(this.#emittedArgs.length) });
      this.#emittedArgs = args;
    }
  }

  #closeBlock(events: SplitEvent[], closed: boolean): void {
    this.#inBlock = false;
    const scan = scanCall(this.#content);
    if (scan.name === undefined || scan.name === '') {
      // Not a call anyone could run: keep it as the model wrote it.
      this.#afterBlock = false;
      this.#emitText(OPEN + this.#content + (closed ? CLOSE : ''), events);
      return;
    }
    // A block cut off (max tokens) keeps exactly the arguments it wrote: none is '', never an
    // invented '{}' that an agent could run as a complete call. A closed block without arguments
    // means no arguments: '{}'.
    const args = scan.args === undefined ? (closed ? '{}' : '') : scan.complete ? scan.args : scan.args.trim();
    this.#emitArgs(scan.name, args, events);
    const call: ToolCall = { id: this.#id, type: 'function', function: { name: scan.name, arguments: args } };
    events.push({ type: 'tool-call', index: this.#calls.length, toolCall: call });
    this.#calls.push(call);
    this.#afterBlock = true;
  }
}

/** Length of the longest suffix of `text` that is a proper prefix of `marker`. */
function partialSuffix(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) if (text.endsWith(marker.slice(0, n))) return n;
  return 0;
}

interface CallScan {
  name: string | undefined;
  /** The raw text of the `arguments` value (all of it so far when not `complete`). */
  args: string | undefined;
  complete: boolean;
}

/**
 * Reads `{"name": ..., "arguments": ...}` as far as it goes, tolerating a cut-off or malformed
 * text: keys in any order; a value's raw text is found by matching brackets and strings.
 */
export function scanCall(text: string): CallScan {
  const out: CallScan = { name: undefined, args: undefined, complete: false };
  let at = skipSpace(text, 0);
  if (text[at] !== '{') return out;
  at++;
  for (;;) {
    at = skipSpace(text, at);
    if (text[at] !== '"') return out;
    const keyEnd = stringEnd(text, at);
    if (keyEnd < 0) return out;
    const key = parseString(text.slice(at, keyEnd));
    at = skipSpace(text, keyEnd);
    if (text[at] !== ':') return out;
    at = skipSpace(text, at + 1);
    if (at >= text.length) return out;
    const end = valueEnd(text, at);
    const raw = text.slice(at, end < 0 ? text.length : end);
    if (key === 'name' && end >= 0 && raw.startsWith('"')) out.name = parseString(raw);
    if (key === 'arguments') {
      out.args = raw;
      out.complete = end >= 0;
    }
    if (end < 0) return out;
    at = skipSpace(text, end);
    if (text[at] !== ',') return out;
    at++;
  }
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && /\s/.test(text[at]!)) at++;
  return at;
}

/** Index after the string starting at `at`, or -1 when it does not close. */
function stringEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/** Index after the JSON value starting at `at`, or -1 when the text ends first. */
function valueEnd(text: string, at: number): number {
  const first = text[at];
  if (first === '"') return stringEnd(text, at);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let i = at; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        const end = stringEnd(text, i);
        if (end < 0) return -1;
        i = end - 1;
      } else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        if (--depth === 0) return i + 1;
      }
    }
    return -1;
  }
  // A number, true, false, null (or something malformed): up to the next delimiter.
  for (let i = at; i < text.length; i++) if (/[\s,}\]]/.test(text[i]!)) return i;
  return -1;
}

function parseString(raw: string): string | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
