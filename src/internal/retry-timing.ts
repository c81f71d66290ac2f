/** Backoff settings, as openai-node uses them: 0.5 s doubling to 8 s, minus up to 25% jitter. */
export const RETRY_BASE_DELAY_MS = 500;
export const RETRY_MAX_DELAY_MS = 8_000;
/** A server-sent `Retry-After` / `retry-after-ms` is honoured up to this cap (60 s). */
export const RETRY_AFTER_CAP_MS = 60_000;

/**
 * The delay before retry number `retry` (0 for the first retry). A server hint wins when it is
 * present and within the cap; otherwise exponential backoff with jitter.
 */
export function retryDelayMs(retry: number, headers?: Headers, random: () => number = Math.random): number {
  const hinted = headers ? serverHintMs(headers) : undefined;
  if (hinted !== undefined && hinted <= RETRY_AFTER_CAP_MS) return hinted;
  if (hinted !== undefined) return RETRY_AFTER_CAP_MS;
  const base = Math.min(RETRY_BASE_DELAY_MS * 2 ** retry, RETRY_MAX_DELAY_MS);
  return Math.round(base * (1 - 0.25 * random()));
}

// retry-after-ms (OpenAI) is more precise than retry-after, so it wins when both are sent.
function serverHintMs(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Number(ms.trim());
  const after = headers.get('retry-after');
  if (after === null) return undefined;
  const value = after.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - Date.now());
}
