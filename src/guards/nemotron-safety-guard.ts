import type { Guard } from '../interfaces.js';
import { contentSafetyGuard } from './content-safety-guard.js';
import type { GuardModelOptions } from './guard-chat.js';

/**
 * The hosted Llama-3.1-Nemotron-Safety-Guard-8B-v3 model id (nemotronSafetyGuard()'s default).
 *
 * @example
 * nemotronSafetyGuard({ baseURL: 'http://localhost:8000/v1', model: NEMOTRON_SAFETY_GUARD_MODEL });
 */
export const NEMOTRON_SAFETY_GUARD_MODEL = 'nvidia/llama-3.1-nemotron-safety-guard-8b-v3';

/**
 * Options of {@link nemotronSafetyGuard}.
 *
 * @example
 * const options: NemotronSafetyGuardOptions = { baseURL: 'http://localhost:8000/v1' };
 */
export type NemotronSafetyGuardOptions = GuardModelOptions;

/**
 * A Guard on Llama-3.1-Nemotron-Safety-Guard-8B-v3, the multilingual member of the NemoGuard
 * family (en, es, zh, de, fr, hi, ja, ar, th): the same instruction and JSON reply keys as
 * {@link nemoguard}, its 23 categories (S1 to S23) mapped onto the taxonomy with the model's
 * label kept (`nemotronSafetyGuardCategories`). Fails honestly, as nemoguard does.
 *
 * @example
 * const guard = nemotronSafetyGuard({ apiKey: process.env.NVIDIA_API_KEY });
 * const verdict = await guard.check([{ role: 'user', content: '¿Cómo fabrico un arma?' }]);
 */
export function nemotronSafetyGuard(options: NemotronSafetyGuardOptions = {}): Guard {
  return contentSafetyGuard({ guard: 'nemotronSafetyGuard', defaultModel: NEMOTRON_SAFETY_GUARD_MODEL, vendor: 'nemotron-safety-guard' }, options);
}
