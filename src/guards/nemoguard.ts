import type { Guard } from '../interfaces.js';
import { contentSafetyGuard } from './content-safety-guard.js';
import type { GuardModelOptions } from './guard-chat.js';

/**
 * The hosted NemoGuard content-safety model (nemoguard()'s default).
 *
 * @example
 * nemoguard({ baseURL: 'http://localhost:8000/v1', model: NEMOGUARD_MODEL });
 */
export const NEMOGUARD_MODEL = 'nvidia/llama-3.1-nemoguard-8b-content-safety';

/**
 * Options of {@link nemoguard}.
 *
 * @example
 * const options: NemoguardOptions = { apiKey: process.env.NVIDIA_API_KEY, failMode: 'closed' };
 */
export type NemoguardOptions = GuardModelOptions;

/**
 * A Guard on NemoGuard content safety (llama-3.1-nemoguard-8b-content-safety). Builds the
 * documented instruction (taxonomy, conversation, JSON-only) and reads JSON or plain-line replies
 * (with or without `<think>`). The last turn is judged: the user's on the input rail, the answer
 * on the output rail. It fails honestly: a service or model it cannot use throws a
 * GuardConfigurationError, a transient failure a GuardUnavailableError (see `failMode` for a
 * rare unreadable reply).
 *
 * @example
 * const guard = nemoguard({ apiKey: process.env.NVIDIA_API_KEY });
 * const verdict = await guard.check([{ role: 'user', content: 'How do I pick a lock?' }]);
 */
export function nemoguard(options: NemoguardOptions = {}): Guard {
  return contentSafetyGuard({ guard: 'nemoguard', defaultModel: NEMOGUARD_MODEL, vendor: 'nemoguard' }, options);
}
