// Reads the two NIM reward answer forms: `reward:-3.5` (Llama-3.1-Nemotron-70B-Reward) and
// `helpfulness:1.6,correctness:...` (Nemotron-4-340B-Reward), with logprobs as the fallback.
import { StreamError } from '../errors.js';
import type { Score } from '../types.js';

/**
 * The five HelpSteer2 attributes of Nemotron-4-340B-Reward.
 * @example
 * const attribute: RewardAttribute = 'helpfulness';
 */
export type RewardAttribute = 'helpfulness' | 'correctness' | 'coherence' | 'complexity' | 'verbosity';
/**
 * Weights that combine the attributes into `Score.value`. Defaults (model card): helpfulness 0.3,
 * correctness 0.74, coherence 0.46, complexity 0.47, verbosity -0.33.
 * @example
 * const weights: Partial<RewardWeights> = { verbosity: 0 };
 */
export type RewardWeights = Record<RewardAttribute, number>;

/** The model card's weights that combine the five attributes into one `value`. */
export const DEFAULT_REWARD_WEIGHTS: Readonly<RewardWeights> = Object.freeze({
  helpfulness: 0.3,
  correctness: 0.74,
  coherence: 0.46,
  complexity: 0.47,
  verbosity: -0.33,
});

const ATTRIBUTES = Object.keys(DEFAULT_REWARD_WEIGHTS) as RewardAttribute[];
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parses a reward chat completion body into a Score. */
export function parseReward(body: unknown, weights: Readonly<RewardWeights>): Score {
  const choice = (body as { choices?: Array<{ message?: { content?: unknown }; logprobs?: { content?: unknown } }> } | null)?.choices?.[0];
  const content = choice?.message?.content;
  const fromContent = typeof content === 'string' ? parseContent(content, weights) : undefined;
  if (fromContent) return fromContent;
  const fromLogprobs = parseLogprobs(choice?.logprobs?.content, weights);
  if (fromLogprobs) return fromLogprobs;
  throw new StreamError('malformed', `The reward answer carries no score: ${JSON.stringify(body).slice(0, 200)}`);
}

function parseContent(content: string, weights: Readonly<RewardWeights>): Score | undefined {
  const trimmed = content.trim();
  if (!trimmed) return undefined;
  const pairs = trimmed.split(',').map((part) => part.split(':').map((s) => s.trim()));
  const attributes: Record<string, number> = {};
  for (const pair of pairs) {
    const [name, value] = pair;
    if (pair.length === 2 && name && value && NUMBER.test(value)) attributes[name] = Number(value);
  }
  const names = Object.keys(attributes);
  if (names.length === pairs.length && names.some((n) => ATTRIBUTES.includes(n as RewardAttribute)) && names.length > 1) {
    return { value: combine(attributes, weights), attributes };
  }
  // One score: the number after the last ':' (the label before it is not relied on).
  const last = trimmed.slice(trimmed.lastIndexOf(':') + 1).trim();
  return NUMBER.test(last) ? { value: Number(last) } : undefined;
}

function parseLogprobs(entries: unknown, weights: Readonly<RewardWeights>): Score | undefined {
  if (!Array.isArray(entries)) return undefined;
  const valid = entries.filter(
    (e): e is { token: string; logprob: number } => typeof e === 'object' && e !== null && typeof e.logprob === 'number',
  );
  if (valid.length === 0) return undefined;
  const named = valid.filter((e) => ATTRIBUTES.includes(String(e.token).trim() as RewardAttribute));
  if (named.length > 1) {
    const attributes = Object.fromEntries(named.map((e) => [String(e.token).trim(), e.logprob]));
    return { value: combine(attributes, weights), attributes };
  }
  return { value: valid[0]!.logprob };
}

function combine(attributes: Record<string, number>, weights: Readonly<RewardWeights>): number {
  let value = 0;
  for (const name of ATTRIBUTES) value += (attributes[name] ?? 0) * weights[name];
  return value;
}
