/** A progress bar on a terminal; nothing at all when stderr is a pipe or a file. */
export interface Progress {
  update(done: number, total: number): void;
  /** Clears the bar so later output starts on a clean line. */
  done(): void;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  /** The clock, ms (tests pass their own). Default `Date.now`. */
  now?: () => number;
}

const WIDTH = 30;

/**
 * Draws `[#####.....] 120/200 rows  35.2/s  ETA 0:02`, redrawn in place at most every 100 ms, and
 * only when `stream.isTTY` (piped output stays clean for machines). The rate counts rows since the
 * first update; the ETA is what is left at that rate.
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string, options: ProgressOptions = {}): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  const now = options.now ?? Date.now;
  let last = -Infinity;
  let start: { at: number; done: number } | undefined;
  let drawn = false;
  return {
    update(done, total) {
      const t = now();
      start ??= { at: t, done };
      if (done < total && t - last < 100) return;
      last = t;
      const filled = total ? Math.round((done / total) * WIDTH) : WIDTH;
      const seconds = (t - start.at) / 1000;
      const rate = seconds > 0 ? (done - start.done) / seconds : 0;
      const pace = rate > 0 ? `  ${rate < 10 ? rate.toFixed(1) : Math.round(rate)}/s  ETA ${clock((total - done) / rate)}` : '';
      stream.write(`\r\x1b[2K[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} ${label}${pace}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/** Seconds as `m:ss` (or `h:mm:ss`). */
function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(r)}` : `${m}:${pad(r)}`;
}
