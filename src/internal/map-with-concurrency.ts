import { linkAbortSignals } from './merge-abort-signals.js';

/**
 * Maps `items` with at most `concurrency` calls in flight, keeping the input order. On the first
 * failure the shared signal aborts the calls still running and no new call starts.
 */
export async function mapWithConcurrency<T, R>(
  items: ReadonlyArray<T>,
  concurrency: number,
  fn: (item: T, index: number, signal: AbortSignal) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const link = linkAbortSignals([signal]);
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index]!, index, link.signal);
      } catch (error) {
        if (!failure) failure = { error };
        link.abort(error);
      }
    }
  };
  try {
    const workers = Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker);
    await Promise.all(workers);
  } finally {
    link.dispose();
  }
  if (failure) throw failure.error;
  return results;
}
