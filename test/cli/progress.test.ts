import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from '../../src/cli/progress.js';

function stream(isTTY: boolean) {
  let written = '';
  const s = Object.assign(new Writable({ write(chunk, _enc, cb) { written += String(chunk); cb(); } }), { isTTY });
  return { s, text: () => written };
}

describe('progress bar', () => {
  it('draws and redraws in place on a terminal, then clears the line', () => {
    const { s, text } = stream(true);
    const bar = createProgress(s, 'rows');
    bar.update(0, 200);
    bar.update(200, 200);
    bar.done();
    expect(text()).toBe(`\r[${'.'.repeat(30)}] 0/200 rows\r[${'#'.repeat(30)}] 200/200 rows\r\x1b[2K`);
  });

  it('writes nothing when the stream is not a terminal', () => {
    const { s, text } = stream(false);
    const bar = createProgress(s, 'rows');
    bar.update(5, 10);
    bar.done();
    expect(text()).toBe('');
  });
});
