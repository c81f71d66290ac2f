import * as z from 'zod/mini';
import { TimeoutsSchema } from '../http/timeouts.js';

/** Options of `createClient`, validated at construction (unknown keys are rejected); the config file's `upstream` is made from it. */
export const ClientOptionsSchema = z.strictObject({
  /** Default `https://integrate.api.nvidia.com/v1`; a self-hosted NIM is `http://host:8000/v1`. */
  baseURL: z.optional(z.url()),
  /** Default: the `NVIDIA_API_KEY` environment variable, for NVIDIA hosts (`*.nvidia.com`) only. Sent as `Authorization: Bearer`. */
  apiKey: z.optional(z.string().check(z.minLength(1))),
  /** Retries on 408, 409, 429, 5xx, connection failures and header timeouts. Default 2. */
  maxRetries: z.optional(z.int().check(z.minimum(0), z.maximum(20))),
  /** Deadlines in ms: headersMs, firstChunkMs, idleMs, totalMs. */
  timeouts: z.optional(z.strictObject(TimeoutsSchema.shape)),
  /** Extra headers sent with every request. */
  headers: z.optional(z.record(z.string(), z.string())),
  /** A fetch implementation (default: the global one). */
  fetch: z.optional(z.custom<typeof globalThis.fetch>((v) => typeof v === 'function', 'expected a fetch function')),
  /** Hosted NVCF 202 polling: status base URL and wait between polls. */
  nvcf: z.optional(
    z.strictObject({
      /** Where a 202's `NVCF-REQID` is polled (default: the hosted NVCF status endpoint). */
      statusBaseURL: z.optional(z.url()),
      /** Wait between polls, ms. */
      pollIntervalMs: z.optional(z.int().check(z.nonnegative())),
    }),
  ),
  /** Longest SSE line or event buffered, in characters (default 1 MiB). */
  maxStreamBufferSize: z.optional(z.int().check(z.positive())),
});

/**
 * Options of `createClient`.
 * @example
 * const options: ClientOptions = { baseURL: 'http://localhost:8000/v1', maxRetries: 3, timeouts: { idleMs: 10_000 } };
 * @interface
 */
export type ClientOptions = z.input<typeof ClientOptionsSchema>;

export const DEFAULT_BASE_URL = 'https://integrate.api.nvidia.com/v1';
export const DEFAULT_MAX_RETRIES = 2;
