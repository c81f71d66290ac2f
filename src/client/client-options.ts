import * as z from 'zod';
import { TimeoutsSchema } from '../http/timeouts.js';

/** Options of `createClient`, validated at construction (unknown keys are rejected). */
export const ClientOptionsSchema = z
  .object({
    /** Default `https://integrate.api.nvidia.com/v1`; a self-hosted NIM is `http://host:8000/v1`. */
    baseURL: z.url().optional(),
    /** Default: the `NVIDIA_API_KEY` environment variable, for NVIDIA hosts (`*.nvidia.com`) only. Sent as `Authorization: Bearer`. */
    apiKey: z.string().min(1).optional(),
    /** Retries on 408, 409, 429, 5xx, connection failures and header timeouts. Default 2. */
    maxRetries: z.number().int().min(0).max(20).optional(),
    /** Deadlines in ms: headersMs, firstChunkMs, idleMs, totalMs. */
    timeouts: TimeoutsSchema.strict().optional(),
    /** Extra headers sent with every request. */
    headers: z.record(z.string(), z.string()).optional(),
    /** A fetch implementation (default: the global one). */
    fetch: z.custom<typeof globalThis.fetch>((v) => typeof v === 'function', 'expected a fetch function').optional(),
    /** Hosted NVCF 202 polling: status base URL and wait between polls. */
    nvcf: z
      .object({
        statusBaseURL: z.url().optional(),
        pollIntervalMs: z.number().int().nonnegative().optional(),
      })
      .strict()
      .optional(),
    /** Longest SSE line or event buffered, in characters (default 1 MiB). */
    maxStreamBufferSize: z.number().int().positive().optional(),
  })
  .strict();

/**
 * Options of `createClient`.
 * @example
 * const options: ClientOptions = { baseURL: 'http://localhost:8000/v1', maxRetries: 3, timeouts: { idleMs: 10_000 } };
 */
export type ClientOptions = z.input<typeof ClientOptionsSchema>;

export const DEFAULT_BASE_URL = 'https://integrate.api.nvidia.com/v1';
export const DEFAULT_MAX_RETRIES = 2;
