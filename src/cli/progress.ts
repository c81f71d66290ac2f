/** A progress bar on a terminal; nothing at all when stderr is a pipe or a file. */
export interface Progress {
  update(done: number, total: number): void;
  /** Clears the bar so later output starts on a clean line. */
  done(): void;
}

const WIDTH = 30;

/**
 * Draws `[#####.....] 120/200 rows` on `stream`, redrawn in place, at most every 100 ms, and only
 * when `stream.isTTY` (piped output stays clean for machines).
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean }, label: string): Progress {
  if (!stream.isTTY) return { update() {}, done() {} };
  let last = 0;
  let drawn = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const filled = total ? Math.round((done / total) * WIDTH) : WIDTH;
      stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${done}/${total} ${label}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}
