import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';

function stream(isTTY: boolean) {
  let written = '';
  const s = Object.assign(new Writable({ write(chunk, _enc, cb) { written += String(chunk); cb(); } }), { isTTY });
  return { s, text: () => written };
}

const CLEAR = '\r\x1b[2K';

describe('progress bar', () => {
  it('draws and redraws in place on a terminal with rate and ETA, then clears the line', () => {
    const { s, text } = stream(true);
    let now = 1_000;
    const bar = createProgress(s, 'rows', { now: () => now });
    bar.update(0, 200);
    now += 4_000;
    bar.update(50, 200); // 50 rows in 4 s: 12.5/s, 150 left: 12 s
    now += 50;
    bar.update(60, 200); // under 100 ms since the last draw: skipped
    now += 950;
    bar.update(200, 200);
    bar.done();
    expect(text()).toBe(
      `${CLEAR}[${'.'.repeat(30)}] 0/200 rows` +
        `${CLEAR}[${'#'.repeat(8)}${'.'.repeat(22)}] 50/200 rows  13/s  ETA 0:12` +
        `${CLEAR}[${'#'.repeat(30)}] 200/200 rows  40/s  ETA 0:00${CLEAR}`,
    );
  });

  it('shows slow rates with a decimal and long waits in hours', () => {
    const { s, text } = stream(true);
    let now = 0;
    const bar = createProgress(s, 'rows', { now: () => now });
    bar.update(0, 10_000);
    now = 2_000;
    bar.update(1, 10_000); // 0.5/s: 9999 left, 5:33:18
    expect(text()).toContain('1/10000 rows  0.5/s  ETA 5:33:18');
  });

  it('writes nothing when the stream is not a terminal', () => {
    const { s, text } = stream(false);
    const bar = createProgress(s, 'rows');
    bar.update(5, 10);
    bar.done();
    expect(text()).toBe('');
  });
});
