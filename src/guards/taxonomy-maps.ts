import type { CategoryHit } from '../types.js';
import type { Category } from '../taxonomy.js';

/**
 * NemoGuard content-safety category names (the 23 of its taxonomy) to the rewardgate taxonomy.
 *
 * @example
 * nemoguardCategories['Guns and Illegal Weapons']; // 'weapons'
 */
export const nemoguardCategories: Readonly<Record<string, Category>> = {
  'Violence': 'violence',
  'Sexual': 'sexual',
  'Criminal Planning/Confessions': 'criminal_planning',
  'Guns and Illegal Weapons': 'weapons',
  'Controlled/Regulated Substances': 'controlled_substances',
  'Suicide and Self Harm': 'self_harm',
  'Sexual (minor)': 'sexual_minors',
  'Hate/Identity Hate': 'hate',
  'PII/Privacy': 'privacy',
  'Harassment': 'harassment',
  'Threat': 'threat',
  'Profanity': 'profanity',
  'Needs Caution': 'needs_caution',
  'Other': 'other',
  'Manipulation': 'manipulation',
  'Fraud/Deception': 'fraud',
  'Malware': 'malware',
  'High Risk Gov Decision Making': 'high_risk_government',
  'Political/Misinformation/Conspiracy': 'misinformation',
  'Copyright/Trademark/Plagiarism': 'intellectual_property',
  'Unauthorized Advice': 'specialized_advice',
  'Illegal Activity': 'illegal_activity',
  'Immoral/Unethical': 'unethical',
};

/**
 * Llama Guard 3 hazard codes (S1 to S14) to their names and the rewardgate taxonomy.
 *
 * @example
 * llamaGuardCategories.S10; // { name: 'Hate', category: 'hate' }
 */
export const llamaGuardCategories: Readonly<Record<string, { name: string; category: Category }>> = {
  S1: { name: 'Violent Crimes', category: 'violence' },
  S2: { name: 'Non-Violent Crimes', category: 'illegal_activity' },
  S3: { name: 'Sex-Related Crimes', category: 'sexual' },
  S4: { name: 'Child Sexual Exploitation', category: 'sexual_minors' },
  S5: { name: 'Defamation', category: 'defamation' },
  S6: { name: 'Specialized Advice', category: 'specialized_advice' },
  S7: { name: 'Privacy', category: 'privacy' },
  S8: { name: 'Intellectual Property', category: 'intellectual_property' },
  S9: { name: 'Indiscriminate Weapons', category: 'weapons' },
  S10: { name: 'Hate', category: 'hate' },
  S11: { name: 'Suicide & Self-Harm', category: 'self_harm' },
  S12: { name: 'Sexual Content', category: 'sexual' },
  S13: { name: 'Elections', category: 'elections' },
  S14: { name: 'Code Interpreter Abuse', category: 'code_interpreter_abuse' },
};

/**
 * OpenAI moderation categories (13) to the rewardgate taxonomy.
 *
 * @example
 * openaiModerationCategories['self-harm/intent']; // 'self_harm'
 */
export const openaiModerationCategories: Readonly<Record<string, Category>> = {
  'sexual': 'sexual',
  'sexual/minors': 'sexual_minors',
  'hate': 'hate',
  'hate/threatening': 'hate',
  'harassment': 'harassment',
  'harassment/threatening': 'threat',
  'self-harm': 'self_harm',
  'self-harm/intent': 'self_harm',
  'self-harm/instructions': 'self_harm',
  'violence': 'violence',
  'violence/graphic': 'violence',
  'illicit': 'illegal_activity',
  'illicit/violent': 'weapons',
};

/**
 * Llama-3.1-Nemotron-Safety-Guard-8B-v3 codes (S1 to S23, its own numbering) to their names and
 * the taxonomy. The names are NemoGuard's; the model replies with names, codes are read too.
 *
 * @example
 * nemotronSafetyGuardCategories.S17; // { name: 'Malware', category: 'malware' }
 */
export const nemotronSafetyGuardCategories: Readonly<Record<string, { name: string; category: Category }>> = Object.fromEntries(
  Object.entries(nemoguardCategories).map(([name, category], i) => [`S${i + 1}`, { name, category }]),
);

/**
 * Prompt-injection classifier labels (Prompt Guard 1 and 2 style) to the taxonomy; the benign
 * label is not a category.
 *
 * @example
 * promptGuardCategories.MALICIOUS; // 'prompt_injection'
 */
export const promptGuardCategories: Readonly<Record<string, Category>> = {
  MALICIOUS: 'prompt_injection',
  INJECTION: 'prompt_injection',
  JAILBREAK: 'jailbreak',
};

/**
 * The vendors whose labels {@link mapCategory} knows.
 *
 * @example
 * const vendor: CategoryVendor = 'llama-guard';
 */
export type CategoryVendor = 'nemoguard' | 'nemotron-safety-guard' | 'llama-guard' | 'openai-moderation' | 'prompt-guard';

// Lower-cased, space-collapsed keys so that "sexual (Minor)" or "violence" still match.
const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
const nemoguardByKey = new Map(Object.entries(nemoguardCategories).map(([k, v]) => [norm(k), v]));
const openaiByKey = new Map(Object.entries(openaiModerationCategories).map(([k, v]) => [norm(k), v]));

/**
 * Maps a vendor label to a taxonomy category, keeping the label. Unknown labels map to `other`.
 *
 * @example
 * mapCategory('llama-guard', 'S10'); // { category: 'hate', label: 'S10' }
 */
export function mapCategory(vendor: CategoryVendor, label: string): CategoryHit {
  let category: Category | undefined;
  if (vendor === 'nemoguard') category = nemoguardByKey.get(norm(label));
  else if (vendor === 'nemotron-safety-guard') category = nemoguardByKey.get(norm(label)) ?? nemotronSafetyGuardCategories[label.trim().toUpperCase()]?.category;
  else if (vendor === 'llama-guard') category = llamaGuardCategories[label.trim().toUpperCase()]?.category;
  else if (vendor === 'prompt-guard') category = promptGuardCategories[label.trim().toUpperCase()];
  else category = openaiByKey.get(norm(label));
  return { category: category ?? 'other', label: label.trim() };
}
