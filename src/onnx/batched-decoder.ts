import { RewardgateError } from '../errors.js';
import type { CausalLMSession, DecoderBatch } from './causal-lm-session.js';

/** One sequence being generated: its prompt, and what to do with each next-token distribution. */
export interface DecodeRow {
  readonly prompt: readonly number[];
  /** Takes the row's next-token logits; returns the token to feed next, or undefined when the row is done. */
  accept(logits: Float32Array): number | undefined;
  /** True once the caller went away (abort, a broken-off stream): the row leaves at the next step. */
  readonly cancelled: boolean;
  /** True while its reader is behind (backpressure): the row sits out steps, its cache set aside, until read. */
  readonly paused: boolean;
  fail(error: unknown): void;
}

interface Active {
  row: DecodeRow;
  token: number;
}

/** A paused row, with its sequence (cache) in a batch of its own. */
interface Parked extends Active {
  batch: DecoderBatch;
}

/**
 * Decodes every row it is given in shared steps, the way the scorer's micro-batcher shares runs:
 * rows that arrive together are prefilled as one batch, rows that arrive while others decode join
 * at the next step, and a row that finishes (or is cancelled) leaves the batch. At most `maxRows`
 * decode at once; more wait for a free row. One loop runs the session, so steps never overlap.
 * A row whose reader is behind (`paused`) is parked out of the batch and costs no steps until its
 * reader pulls (`wake`); parked rows do not hold a place, so a reader waiting on a queued row
 * never deadlocks behind rows it has not read yet.
 */
export class BatchedDecoder {
  #queue: DecodeRow[] = [];
  #active: Active[] = [];
  #parked: Parked[] = [];
  #batch: DecoderBatch | undefined;
  #wake: (() => void) | undefined;
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
    this.wake();
  }

  /** A row was read from or cancelled: a loop idle on parked rows looks again. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Fails waiting rows; rows decoding fail once the step in progress ends. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const row of this.#queue.splice(0)) row.fail(new RewardgateError('The model was closed'));
    this.wake();
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
        this.#dropCancelledParked();
        if (this.#parked.some((p) => !p.row.paused) && this.#active.length < this.#maxRows) await this.#resume();
        if (this.#queue.length > 0 && this.#active.length < this.#maxRows) await this.#admit();
        if (this.#active.some((a) => a.row.paused)) await this.#park();
        if (this.#active.length === 0) {
          if (this.#queue.length > 0) continue;
          if (this.#parked.length === 0) return;
          // Every row waits for its reader: sleep until one reads, is cancelled, or a row comes.
          if (!this.#parked.some((p) => p.row.cancelled || !p.row.paused)) await new Promise<void>((resolve) => (this.#wake = resolve));
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

  /** Parked rows whose reader went away are freed at once. */
  #dropCancelledParked(): void {
    if (!this.#parked.some((p) => p.row.cancelled)) return;
    for (const p of this.#parked) if (p.row.cancelled) p.batch.release();
    this.#parked = this.#parked.filter((p) => !p.row.cancelled);
  }

  /** Moves paused rows out of the decoding batch, each with its cache. */
  async #park(): Promise<void> {
    const out = this.#active.map((a, i) => (a.row.paused ? i : -1)).filter((i) => i >= 0);
    let batches: DecoderBatch[];
    try {
      batches = await this.#batch!.take(out);
    } catch (error) {
      this.#failActive(error);
      return;
    }
    const moved = new Set(out);
    out.forEach((i, k) => this.#parked.push({ ...this.#active[i]!, batch: batches[k]! }));
    this.#active = this.#active.filter((_, i) => !moved.has(i));
    if (this.#active.length === 0) this.#batch = undefined;
  }

  /** Rows read since they were parked rejoin the decoding batch (as many as there is room for). */
  async #resume(): Promise<void> {
    const ready = this.#parked.filter((p) => !p.row.paused).slice(0, this.#maxRows - this.#active.length);
    const back = new Set(ready);
    this.#parked = this.#parked.filter((p) => !back.has(p));
    try {
      // Joined among themselves first: one restack of the decoding batch, not one per row.
      const [first, ...rest] = ready.map((p) => p.batch);
      for (const b of rest) await first!.absorb(b);
      if (this.#batch) await this.#batch.absorb(first!);
      else this.#batch = first;
      this.#active.push(...ready.map(({ row, token }) => ({ row, token })));
    } catch (error) {
      for (const p of ready) {
        p.batch.release();
        p.row.fail(error);
      }
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
    if (this.#closed) {
      // Closing: parked rows will not be read on.
      for (const p of this.#parked.splice(0)) {
        p.row.fail(error);
        p.batch.release();
      }
    }
    for (const a of this.#active) a.row.fail(error);
    this.#active = [];
    this.#batch?.release();
    this.#batch = undefined;
  }
}
