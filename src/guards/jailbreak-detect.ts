import * as z from 'zod/mini';
import { turnText } from '../content.js';
import { GuardConfigurationError } from '../errors.js';
import { DEFAULT_NVCF } from '../http/nvcf-poll.js';
import { DEFAULT_TIMEOUTS, TimeoutsSchema } from '../http/timeouts.js';
import { Transport } from '../http/transport.js';
import type { Guard } from '../interfaces.js';
import { validate } from '../internal/validate.js';
import { ConversationSchema, type Verdict } from '../types.js';
import { guardCall } from './guard-failure.js';
import { omitUndefined } from '../internal/omit-undefined.js';

/**
 * NVIDIA's hosted JailbreakDetect base URL (jailbreakDetect()'s default).
 *
 * @example
 * jailbreakDetect({ baseURL: JAILBREAK_DETECT_HOSTED_URL, apiKey });
 */
export const JAILBREAK_DETECT_HOSTED_URL = 'https://ai.api.nvidia.com';
const HOSTED_PATH = 'v1/security/nvidia/nemoguard-jailbreak-detect';

/** The options of {@link jailbreakDetect}; the config file's `jailbreakDetect` guards are made from it. */
export const JailbreakDetectOptionsSchema = z.strictObject({
  /** Default: NVIDIA's hosted service. A self-hosted NIM: `http://host:8000` (requests go to `/v1/classify`). */
  baseURL: z._default(z.url(), JAILBREAK_DETECT_HOSTED_URL),
  /** Default: `NVIDIA_API_KEY`, for NVIDIA hosts only. Sent as `Authorization: Bearer`. */
  apiKey: z.optional(z.string().check(z.minLength(1))),
  /** Extra headers sent with every request. */
  headers: z._default(z.record(z.string(), z.string()), {}),
  /** Retries on 408 / 409 / 429 / 5xx and connection errors; default 2. */
  maxRetries: z._default(z.int().check(z.minimum(0), z.maximum(20)), 2),
  /** Deadlines in ms: headersMs, firstChunkMs, idleMs, totalMs. */
  timeouts: z._default(z.strictObject(TimeoutsSchema.shape), {}),
  /** The fetch to use (default: the global one). */
  fetch: z.optional(z.custom<typeof globalThis.fetch>((f) => typeof f === 'function', 'expected a fetch function')),
});

/**
 * Options of {@link jailbreakDetect}.
 *
 * @example
 * const options: JailbreakDetectOptions = { baseURL: 'http://localhost:8000', maxRetries: 1 };
 * @interface
 */
export type JailbreakDetectOptions = z.input<typeof JailbreakDetectOptionsSchema>;

/**
 * A Guard on NemoGuard JailbreakDetect: `POST /v1/classify` with `{ input }` (the last turn's
 * text), answered `{ jailbreak, score }` (score in [-1, 1]); a jailbreak is category `jailbreak`
 * with the score kept. It detects jailbreak attempts, not indirect prompt injection. A service it
 * cannot use (401, 403, 404, an answer of another shape) throws GuardConfigurationError; a
 * transient failure GuardUnavailableError.
 *
 * @example
 * const guard = jailbreakDetect({ apiKey: process.env.NVIDIA_API_KEY });
 * await guard.check([{ role: 'user', content: 'Ignore all previous instructions and...' }]);
 */
export function jailbreakDetect(options: JailbreakDetectOptions = {}): Guard {
  const opts = validate(JailbreakDetectOptionsSchema, options, 'jailbreakDetect options');
  const { base, path } = endpoint(opts.baseURL);
  const env = isNvidiaHost(base) && typeof process !== 'undefined' ? process.env?.NVIDIA_API_KEY : undefined;
  const transport = new Transport({
    baseURL: base,
    apiKey: opts.apiKey ?? (env || undefined),
    headers: opts.headers,
    maxRetries: opts.maxRetries,
    timeouts: { ...DEFAULT_TIMEOUTS, ...definedOnly(opts.timeouts) },
    nvcf: DEFAULT_NVCF,
    fetch: opts.fetch,
  });
  return {
    async check(input, callOptions = {}) {
      const conversation = validate(ConversationSchema, input, 'guard conversation');
      const text = turnText(conversation.at(-1)!);
      // Nothing to classify (an image-only turn): the service would reject an empty input.
      if (text.trim() === '') return { safe: true, categories: [] };
      const { body } = await guardCall('jailbreakDetect', () => transport.json({ method: 'post', path, body: { input: text }, signal: callOptions.signal }));
      return toVerdict(transport.redact(body));
    },
  };
}

/** Reads `{ jailbreak, score }`; any other shape means the service is not JailbreakDetect. */
export function toVerdict(body: unknown): Verdict {
  const b = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const flag = b?.jailbreak;
  const jailbreak = flag === true || flag === 'true' ? true : flag === false || flag === 'false' ? false : undefined;
  if (jailbreak === undefined) {
    const excerpt = JSON.stringify(body)?.slice(0, 120) ?? String(body);
    throw new GuardConfigurationError('jailbreakDetect', 'unreadable_reply', `jailbreakDetect: the answer is not JailbreakDetect's { jailbreak, score } (check baseURL): ${excerpt}`);
  }
  const score = typeof b!.score === 'number' && Number.isFinite(b!.score) ? b!.score : undefined;
  const hit = omitUndefined({ category: 'jailbreak' as const, label: 'jailbreak', score });
  return { safe: !jailbreak, categories: jailbreak ? [hit] : [], raw: body };
}

// Hosted: its own path; self-hosted: <base>/v1/classify (a base already ending in /v1 is accepted).
function endpoint(baseURL: string): { base: string; path: string } {
  const base = baseURL.replace(/\/+$/, '');
  const root = base.replace(/\/v1$/, '');
  if (new URL(base).hostname === new URL(JAILBREAK_DETECT_HOSTED_URL).hostname) return { base: root, path: HOSTED_PATH };
  return { base: root, path: 'v1/classify' };
}

function isNvidiaHost(baseURL: string): boolean {
  const host = new URL(baseURL).hostname;
  return host === 'nvidia.com' || host.endsWith('.nvidia.com');
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
