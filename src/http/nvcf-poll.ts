import { abortableSleep } from '../internal/abortable-sleep.js';
import { kySend, type KyClient, type SendCall } from './ky-send.js';

/** Where and how often a hosted NVCF 202 answer is polled (NIM clients only). */
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
 * NVIDIA's hosted API answers 202 + NVCF-REQID while a job is queued: poll the status URL with
 * the same key until the answer is something else, which is then the real response. Each poll is
 * a GET through ky (its own retries and headers deadline); an error answer is the typed error.
 */
export async function pollNvcf(ky: KyClient, first: Response, config: NvcfPollConfig, authHeaders: Record<string, string>, call: SendCall): Promise<Response> {
  let response = first;
  while (response.status === 202) {
    const requestId = response.headers.get('nvcf-reqid');
    if (!requestId) return response;
    await response.body?.cancel().catch(() => {});
    await abortableSleep(config.pollIntervalMs, call.signal);
    const url = `${config.statusBaseURL.replace(/\/+$/, '')}/${encodeURIComponent(requestId)}`;
    response = await kySend(ky, url, { method: 'GET', headers: authHeaders }, call);
  }
  return response;
}
