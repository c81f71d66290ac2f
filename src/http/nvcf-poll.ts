import type { KyInstance } from 'ky';
import { abortableSleep } from '../internal/abortable-sleep.js';
import type { LinkedAbort } from '../internal/merge-abort-signals.js';
import type { CallScope } from './call-scope.js';
import { kySend } from './ky-send.js';

/** Where and how often a hosted NVCF 202 answer is polled. */
export interface NvcfPollConfig {
  /** Default `https://api.nvcf.nvidia.com/v2/nvcf/pexec/status`. */
  statusBaseURL: string;
  /** Wait between polls; default 1000 ms. */
  pollIntervalMs: number;
}

export const DEFAULT_NVCF: NvcfPollConfig = {
  statusBaseURL: 'https://api.nvcf.nvidia.com/v2/nvcf/pexec/status',
  pollIntervalMs: 1_000,
};

/**
 * The hosted API answers 202 + NVCF-REQID while a job is queued: poll the status URL with the
 * same key until the answer is something else, which is then the real response.
 */
export async function pollNvcf(
  ky: KyInstance,
  first: Response,
  config: NvcfPollConfig,
  authHeaders: Record<string, string>,
  link: LinkedAbort,
  scope: CallScope,
  headersMs: number,
): Promise<Response> {
  let response = first;
  while (response.status === 202) {
    const requestId = response.headers.get('nvcf-reqid');
    if (!requestId) return response;
    await response.body?.cancel().catch(() => {});
    await abortableSleep(config.pollIntervalMs, link.signal);
    const url = `${config.statusBaseURL.replace(/\/+$/, '')}/${encodeURIComponent(requestId)}`;
    scope.arm('headers', headersMs);
    try {
      response = await kySend(ky, url, { method: 'GET', headers: authHeaders, signal: link.signal });
    } finally {
      scope.disarm();
    }
  }
  return response;
}
