import { RewardgateError, UserAbortError } from '../errors.js';

/** How a MicroBatcher groups work. */
export interface MicroBatcherOptions<I, O> {
  /** Most items per run. */
  batchSize: number;
  /** How long the first queued item waits for company before a run starts. */
  maxWaitMs: number;
  /** Item length; a drained queue is sorted by it so each run pads little. */
  size: (item: I) => number;
  /** Runs one batch; returns one output per item, in order. */
  run: (items: I[]) => Promise<O[]>;
}

interface Entry<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
  settled: boolean;
  signal: AbortSignal | undefined;
  onAbort: () => void;
}

/**
 * Coalesces concurrent single-item requests into batched runs: a run starts when `batchSize`
 * items wait or the first has waited `maxWaitMs`. Runs never overlap (the session is shared);
 * items that arrive during a run form the next one. An aborted item leaves its batch; a failing
 * batch is retried item by item so that only the item at fault fails.
 */
export class MicroBatcher<I, O> {
  #queue: Entry<I, O>[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running = false;
  #draining: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #options: MicroBatcherOptions<I, O>;

  constructor(options: MicroBatcherOptions<I, O>) {
    this.#options = options;
  }

  /** Queues `item`; resolves with its output, or rejects with UserAbortError when `signal` fires first. */
  submit(item: I, signal?: AbortSignal): Promise<O> {
    if (this.#closed) return Promise.reject(new RewardgateError('The model was closed'));
    if (signal?.aborted) return Promise.reject(new UserAbortError(signal.reason));
    return new Promise<O>((resolve, reject) => {
      const entry: Entry<I, O> = {
        item,
        resolve,
        reject,
        settled: false,
        signal,
        onAbort: () => {
          const at = this.#queue.indexOf(entry);
          if (at >= 0) this.#queue.splice(at, 1);
          this.#settle(entry, () => reject(new UserAbortError(signal?.reason)));
        },
      };
      signal?.addEventListener('abort', entry.onAbort, { once: true });
      this.#queue.push(entry);
      this.#schedule();
    });
  }

  /** Rejects everything queued, refuses new items, and resolves once a run in progress has ended. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const entry of this.#queue.splice(0)) this.#settle(entry, () => entry.reject(new RewardgateError('The model was closed')));
    await this.#draining;
  }

  #schedule(): void {
    if (this.#running || this.#queue.length === 0) return;
    if (this.#queue.length >= this.#options.batchSize) {
      this.#startDrain();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.#startDrain(), this.#options.maxWaitMs);
    }
  }

  #startDrain(): void {
    this.#draining = this.#drain();
  }

  async #drain(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#running = true;
    const { batchSize, size } = this.#options;
    // Stable sort by length: neighbours in a run have similar lengths, so little padding.
    const entries = this.#queue.splice(0).sort((a, b) => size(a.item) - size(b.item));
    for (let i = 0; i < entries.length; i += batchSize) {
      const live = entries.slice(i, i + batchSize).filter((e) => !e.settled);
      if (live.length > 0) await this.#runBatch(live, true);
    }
    this.#running = false;
    // Items that arrived during the runs have waited already: start the next run now.
    if (this.#queue.length > 0) this.#startDrain();
  }

  async #runBatch(entries: Entry<I, O>[], split: boolean): Promise<void> {
    try {
      const outputs = await this.#options.run(entries.map((e) => e.item));
      entries.forEach((entry, k) => this.#settle(entry, () => entry.resolve(outputs[k]!)));
    } catch (error) {
      if (split && entries.length > 1) {
        for (const entry of entries) if (!entry.settled) await this.#runBatch([entry], false);
      } else {
        for (const entry of entries) this.#settle(entry, () => entry.reject(error));
      }
    }
  }

  #settle(entry: Entry<I, O>, action: () => void): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.signal?.removeEventListener('abort', entry.onAbort);
    action();
  }
}
