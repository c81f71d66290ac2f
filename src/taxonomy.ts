import * as z from 'zod/mini';

/**
 * The one safety taxonomy every Guard reports in. Vendor labels (NemoGuard names, Llama Guard
 * S-codes, OpenAI moderation categories, a local classifier's `id2label`) map onto it; each
 * verdict keeps the vendor's own label beside the mapped category.
 */
export const CategorySchema = z.enum([
  'violence',
  'sexual',
  'sexual_minors',
  'criminal_planning',
  'weapons',
  'controlled_substances',
  'self_harm',
  'hate',
  'privacy',
  'harassment',
  'threat',
  'profanity',
  'manipulation',
  'fraud',
  'malware',
  'theft',
  'animal_abuse',
  'high_risk_government',
  'misinformation',
  'intellectual_property',
  'specialized_advice',
  'illegal_activity',
  'unethical',
  'defamation',
  'elections',
  'code_interpreter_abuse',
  // Attacks on the model rather than harmful content: JailbreakDetect, prompt-injection classifiers.
  'jailbreak',
  'prompt_injection',
  // Outside the app's allowed topics (topic control).
  'off_topic',
  'needs_caution',
  'other',
]);

/** A category of the rewardgate safety taxonomy. */
export type Category = z.infer<typeof CategorySchema>;
