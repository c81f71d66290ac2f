// Internal: one speculativeBestOfN candidate. Its stream is read only up to the next checkpoint
// and then left paused (no read is pending), so that pruning can close it at once; the events
// read are kept, so the survivor can stream them to the caller first.
import { StreamError } from '../../errors.js';
import type { LinkedAbort } from '../../internal/merge-abort-signals.js';
import type { Completion, Score, ToolCall } from '../../types.js';
import type { Answer } from '../../pipeline/scoring.js';
import type { LayerEvent } from '../../pipeline/types.js';

export type CandidateState = 'running' | 'finished' | 'failed' | 'pruned';

/** What a checkpoint counts: answer events (≈ tokens) or characters. */
export type Measure = 'tokens' | 'chars';

export class SpeculativeCandidate {
  readonly sample: number;
  /** Every answer event read so far, in order (the finish event is not kept). */
  readonly events: LayerEvent[] = [];
  state: CandidateState = 'running';
  completion: Completion | undefined;
  failure: unknown;
  /** Answer events read: text, reasoning and tool-call pieces (one piece ≈ one token). */
  counted = 0;
  chars = 0;
  /** The score it is ranked by: its last checkpoint score, or its final score once finished. */
  score: Score | undefined;
  /** Its whole answer has been scored (and recorded in the report). */
  finalScored = false;
  /** Its report index, once known. */
  index: number | undefined;
  #text = '';
  #reasoning = '';
  readonly #toolCalls: ToolCall[] = [];
  readonly #openCalls = new Set<number>();
  readonly #iterator: AsyncIterator<LayerEvent>;
  readonly #link: LinkedAbort;
  #closing: Promise<void> | undefined;

  constructor(sample: number, stream: AsyncIterable<LayerEvent>, link: LinkedAbort) {
    this.sample = sample;
    this.#iterator = stream[Symbol.asyncIterator]();
    this.#link = link;
  }

  /** What its model calls generated, when its answer carries no usage (an inner layer's refusal). */
  generated: number | undefined;

  /** Tokens generated: the server's usage once finished, else the events counted. */
  get tokens(): number {
    return this.completion?.usage?.completionTokens ?? this.generated ?? this.counted;
  }

  measure(unit: Measure): number {
    return unit === 'tokens' ? this.counted : this.chars;
  }

  /** The answer so far, as the scorer sees it: text, reasoning and the tool calls already complete. */
  partial(): Answer {
    if (this.completion) return this.completion;
    const answer: Answer = { text: this.#text };
    if (this.#reasoning) answer.reasoning = this.#reasoning;
    if (this.#toolCalls.length) answer.toolCalls = [...this.#toolCalls];
    return answer;
  }

  /**
   * Reads until `unit` reaches `target` or the answer ends; a tool call under way is read to its
   * end first, so the scorer sees whole calls. Never throws: a failure ends the candidate.
   */
  async advance(unit: Measure, target: number): Promise<void> {
    while (this.state === 'running' && (this.measure(unit) < target || this.#openCalls.size > 0)) await this.step();
  }

  /** Reads one event. Never throws: a failure sets `state: 'failed'` and `failure`. */
  async step(): Promise<void> {
    if (this.state !== 'running') return;
    try {
      const r = await this.#iterator.next();
      if (r.done) throw new StreamError('truncated', 'The candidate stream ended without a finish event');
      this.#take(r.value);
    } catch (error) {
      if (this.state !== 'running') return; // pruned or closed meanwhile
      this.state = 'failed';
      this.failure = error;
    }
  }

  #take(event: LayerEvent): void {
    if (event.type === 'finish') {
      this.completion = event.completion;
      this.state = 'finished';
      return;
    }
    this.events.push(event);
    if (event.type === 'tool-call') {
      this.#toolCalls.push(event.toolCall);
      this.#openCalls.delete(event.index);
      return;
    }
    if (event.type === 'tool-call-delta') this.#openCalls.add(event.index);
    this.counted++;
    if (event.type === 'text-delta') this.#text += event.text;
    else if (event.type === 'reasoning-delta') this.#reasoning += event.text;
    this.chars += event.type === 'tool-call-delta' ? event.argumentsDelta.length : event.text.length;
  }

  /** Aborts its request now and closes its stream (idempotent); resolves once the stream has unwound. */
  close(reason: unknown): Promise<void> {
    this.#closing ??= (async () => {
      this.#link.abort(reason);
      try {
        await this.#iterator.return?.();
      } catch {
        // The stream's own error on the way out: the candidate is gone either way.
      } finally {
        this.#link.dispose();
      }
    })();
    return this.#closing;
  }

  /** Releases its signal link once its stream has ended by itself. */
  release(): void {
    if (!this.#closing) this.#link.dispose();
  }
}
