import { linkAbortSignals } from './merge-abort-signals.js';

/**
 * Runs `tasks` in parallel on one signal that follows `signal`. The first failure aborts the
 * others (cancelled, not left running) and is thrown. No listener stays on `signal`.
 */
export async function allOrCancel<T>(signal: AbortSignal | undefined, tasks: ReadonlyArray<(signal: AbortSignal) => Promise<T>>): Promise<T[]> {
  const link = linkAbortSignals([signal]);
  try {
    return await Promise.all(
      tasks.map((task) =>
        task(link.signal).catch((error: unknown) => {
          link.abort(error);
          throw error;
        }),
      ),
    );
  } finally {
    link.dispose();
  }
}
