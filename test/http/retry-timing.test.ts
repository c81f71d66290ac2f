import { describe, expect, it } from 'vitest';
import { RETRY_AFTER_CAP_MS, retryDelayMs } from '../../src/internal/retry-timing.js';

describe('retryDelayMs', () => {
  it('doubles from 0.5 s to at most 8 s, minus up to 25% jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 9].map((n) => retryDelayMs(n, undefined, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(retryDelayMs(0, undefined, () => 1)).toBe(375);
    expect(retryDelayMs(3, undefined, () => 0.5)).toBe(3500);
    for (let i = 0; i < 200; i++) {
      const d = retryDelayMs(1, undefined);
      expect(d).toBeGreaterThanOrEqual(750);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });

  it('takes the server hint: retry-after-ms, then Retry-After seconds or date, capped', () => {
    expect(retryDelayMs(0, new Headers({ 'retry-after-ms': '1234', 'retry-after': '9' }))).toBe(1234);
    expect(retryDelayMs(0, new Headers({ 'retry-after': '7' }))).toBe(7000);
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    expect(retryDelayMs(0, new Headers({ 'retry-after': inTwoMinutes }))).toBe(RETRY_AFTER_CAP_MS);
    expect(retryDelayMs(0, new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }))).toBe(0);
    // Garbage falls back to backoff.
    expect(retryDelayMs(2, new Headers({ 'retry-after': 'soon' }), () => 0)).toBe(2000);
  });
});
