import { RewardgateError } from '../errors.js';
import type { CausalLMSession, DecoderBatch } from './causal-lm-session.js';

/** One sequence being generated: its prompt, and what to do with each next-token distribution. */
export interface DecodeRow {
  readonly prompt: readonly number[];
  /** Takes the row's next-token logits; returns the token to feed next, or undefined when the row is done. */
  accept(logits: Float32Array): number | undefined;
  /** True once the caller went away (abort, a broken-off stream): the row leaves at the next step. */
  readonly cancelled: boolean;
  fail(error: unknown): void;
}

interface Active {
  row: DecodeRow;
  token: number;
}

/**
 * Decodes every row it is given in shared steps, the way the scorer's micro-batcher shares runs:
 * rows that arrive together are prefilled as one batch, rows that arrive while others decode join
 * at the next step, and a row that finishes (or is cancelled) leaves the batch. At most `maxRows`
 * decode at once; more wait for a free row. One loop runs the session, so steps never overlap.
 */
export class BatchedDecoder {
  #queue: DecodeRow[] = [];
  #active: Active[] = [];
  #batch: DecoderBatch | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  readonly #lm: CausalLMSession;
  readonly #maxRows: number;

  constructor(lm: CausalLMSession, maxRows: number) {
    this.#lm = lm;
    this.#maxRows = maxRows;
  }

  /** Queues `row`; its tokens arrive through `accept`, or its error through `fail`. */
  add(row: DecodeRow): void {
    if (this.#closed) return row.fail(new RewardgateError('The model was closed'));
    this.#queue.push(row);
    // Started after the current tick: calls made together (best-of-n) are prefilled together.
    this.#running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#loop());
  }

  /** Fails waiting rows; rows decoding fail once the step in progress ends. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const row of this.#queue.splice(0)) row.fail(new RewardgateError('The model was closed'));
    await this.#running;
  }

  async #loop(): Promise<void> {
    try {
      for (;;) {
        if (this.#closed) {
          this.#failActive(new RewardgateError('The model was closed'));
          return;
        }
        // Awaited only when there is work: each await is a turn of the event loop per token.
        if (this.#queue.length > 0 || this.#active.some((a) => a.row.cancelled)) await this.#dropCancelled();
        if (this.#queue.length > 0 && this.#active.length < this.#maxRows) await this.#admit();
        if (this.#active.length === 0) {
          if (this.#queue.length === 0) return;
          continue;
        }
        await this.#step();
      }
    } finally {
      this.#running = undefined;
      // A row queued while the loop was ending starts a new one.
      if (this.#queue.length > 0 && !this.#closed) this.#running = this.#loop();
    }
  }

  async #dropCancelled(): Promise<void> {
    this.#queue = this.#queue.filter((row) => !row.cancelled);
    if (this.#active.some((a) => a.row.cancelled)) await this.#keep(this.#active.map((a, i) => (a.row.cancelled ? -1 : i)).filter((i) => i >= 0));
  }

  /** Prefills waiting rows as one batch, then adds them to the decoding batch. */
  async #admit(): Promise<void> {
    const room = this.#maxRows - this.#active.length;
    if (room <= 0 || this.#queue.length === 0) return;
    const rows = this.#queue.splice(0, room);
    let started: Awaited<ReturnType<CausalLMSession['start']>>;
    try {
      started = await this.#lm.start(rows.map((r) => r.prompt));
    } catch (error) {
      for (const row of rows) row.fail(error);
      return;
    }
    const fresh: Active[] = [];
    const stay: number[] = [];
    rows.forEach((row, i) => {
      const token = this.#deliver(row, started.logits[i]!);
      if (token !== undefined) {
        fresh.push({ row, token });
        stay.push(i);
      }
    });
    try {
      if (stay.length === 0) return started.batch.release();
      await started.batch.keep(stay);
      if (this.#batch) await this.#batch.absorb(started.batch);
      else this.#batch = started.batch;
      this.#active.push(...fresh);
    } catch (error) {
      started.batch.release();
      for (const a of fresh) a.row.fail(error);
    }
  }

  async #step(): Promise<void> {
    const active = this.#active;
    let logits: Float32Array[];
    try {
      logits = await this.#batch!.step(active.map((a) => a.token));
    } catch (error) {
      this.#failActive(error);
      return;
    }
    const stay: number[] = [];
    active.forEach((a, i) => {
      if (a.row.cancelled) return;
      const token = this.#deliver(a.row, logits[i]!);
      if (token === undefined) return;
      a.token = token;
      stay.push(i);
    });
    if (stay.length < active.length) await this.#keep(stay);
  }

  /** The row's next token, or undefined when it is done (or failed while choosing). */
  #deliver(row: DecodeRow, logits: Float32Array): number | undefined {
    try {
      return row.accept(logits);
    } catch (error) {
      row.fail(error);
      return undefined;
    }
  }

  async #keep(stay: number[]): Promise<void> {
    if (stay.length === this.#active.length) return;
    const kept = stay.map((i) => this.#active[i]!);
    if (kept.length === 0) {
      this.#batch?.release();
      this.#batch = undefined;
      this.#active = [];
      return;
    }
    try {
      await this.#batch!.keep(stay);
      this.#active = kept;
    } catch (error) {
      this.#active = kept;
      this.#failActive(error);
    }
  }

  #failActive(error: unknown): void {
    for (const a of this.#active) a.row.fail(error);
    this.#active = [];
    this.#batch?.release();
    this.#batch = undefined;
  }
}
