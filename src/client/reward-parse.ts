// Reads NIM reward answers: `reward:-3.5` (one score, Llama-3.1-Nemotron-70B-Reward) and
// `name:value,...` (attributes: Nemotron-4-340B-Reward, or a multi-label model served in that
// shape), with logprobs as the fallback. A multi-attribute `value` is the weighted sum, and every
// attribute must have a weight: a score is never silently one attribute or a partial sum.
import { ResponseError, ScorerConfigurationError } from '../errors.js';
import type { Score } from '../types.js';

/**
 * The five HelpSteer2 attributes of Nemotron-4-340B-Reward.
 * @example
 * const attribute: RewardAttribute = 'helpfulness';
 */
export type RewardAttribute = 'helpfulness' | 'correctness' | 'coherence' | 'complexity' | 'verbosity';
/**
 * The HelpSteer2 weights. Defaults (model card): helpfulness 0.3, correctness 0.74,
 * coherence 0.46, complexity 0.47, verbosity -0.33.
 * @example
 * const weights: Partial<RewardWeights> = { verbosity: 0 };
 */
export type RewardWeights = Record<RewardAttribute, number>;
/**
 * Weights by attribute name that combine a multi-attribute reply into `Score.value`: the
 * HelpSteer2 names default to the model card's, any other name must be given.
 * @example
 * const weights: AttributeWeights = { verbosity: 0, LABEL_0: 1, LABEL_1: -0.5 };
 */
export type AttributeWeights = Readonly<Record<string, number>>;

/** The model card's weights that combine the five attributes into one `value`. */
export const DEFAULT_REWARD_WEIGHTS: Readonly<RewardWeights> = Object.freeze({
  helpfulness: 0.3,
  correctness: 0.74,
  coherence: 0.46,
  complexity: 0.47,
  verbosity: -0.33,
});

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const isNumber = (s: string) => NUMBER.test(s) && Number.isFinite(Number(s));

/**
 * Parses a reward chat completion body into a Score. `weights` are the caller's (the HelpSteer2
 * defaults fill in). Throws ResponseError(unexpected-shape) when the body carries no score, and
 * ScorerConfigurationError when attributes have no weight or a weight names no attribute.
 */
export function parseReward(body: unknown, weights: AttributeWeights = {}): Score {
  const choice = (body as { choices?: Array<{ message?: { content?: unknown }; logprobs?: { content?: unknown } }> } | null)?.choices?.[0];
  const content = choice?.message?.content;
  const pairs = (typeof content === 'string' ? fromContent(content) : undefined) ?? fromLogprobs(choice?.logprobs?.content);
  if (!pairs) throw new ResponseError('unexpected-shape', `The reward answer carries no score: ${JSON.stringify(body)?.slice(0, 200)}`);
  if (pairs.length === 1) return { value: pairs[0]![1] };
  const attributes = Object.fromEntries(pairs);
  return { value: combine(attributes, weights), attributes };
}

type Pairs = Array<[string, number]>;

// `name:value,...` (the value after the last ':'), or a bare number; undefined when not that form.
function fromContent(content: string): Pairs | undefined {
  const parts = content.split(/[,\n]/).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return undefined;
  if (parts.length === 1 && isNumber(parts[0]!)) return [['reward', Number(parts[0])]];
  const pairs: Pairs = [];
  for (const part of parts) {
    const at = part.lastIndexOf(':');
    const name = part.slice(0, at).trim().replace(/^["']|["']$/g, '');
    const value = part.slice(at + 1).trim();
    if (at <= 0 || !name || !isNumber(value)) return undefined;
    pairs.push([name, Number(value)]);
  }
  return unique(pairs);
}

// Entries `{ token, logprob }`: several distinct attribute names are attributes, else the first number.
function fromLogprobs(entries: unknown): Pairs | undefined {
  if (!Array.isArray(entries)) return undefined;
  const valid = entries.filter(
    (e): e is { token: unknown; logprob: number } => typeof e === 'object' && e !== null && typeof e.logprob === 'number' && Number.isFinite(e.logprob),
  );
  if (valid.length === 0) return undefined;
  const named: Pairs = valid.map((e) => [String(e.token).trim(), e.logprob]);
  const attributeLike = named.length > 1 && named.every(([n]) => /^[A-Za-z_][\w.-]*$/.test(n));
  return attributeLike ? unique(named) : [['reward', valid[0]!.logprob]];
}

// A name twice is not a reading we can trust.
function unique(pairs: Pairs): Pairs | undefined {
  return new Set(pairs.map(([n]) => n)).size === pairs.length ? pairs : undefined;
}

function combine(attributes: Record<string, number>, weights: AttributeWeights): number {
  const names = Object.keys(attributes);
  const weightOf = (name: string): number | undefined =>
    Object.hasOwn(weights, name) ? weights[name] : Object.hasOwn(DEFAULT_REWARD_WEIGHTS, name) ? DEFAULT_REWARD_WEIGHTS[name as RewardAttribute] : undefined;
  const unweighted = names.filter((n) => weightOf(n) === undefined);
  if (unweighted.length > 0) {
    const example = unweighted.map((n) => `${JSON.stringify(n)}: 1`).join(', ');
    throw new ScorerConfigurationError(
      `The reward answer has attributes with no weight: ${unweighted.join(', ')} (it has ${names.join(', ')}). Give every attribute a weight, e.g. weights: { ${example} }; value is their weighted sum.`,
      unweighted,
    );
  }
  const unknown = Object.keys(weights).filter((n) => !Object.hasOwn(attributes, n));
  if (unknown.length > 0) {
    throw new ScorerConfigurationError(`weights name attributes the reward answer does not have: ${unknown.join(', ')} (it has ${names.join(', ')})`, unknown);
  }
  let value = 0;
  for (const name of names) value += attributes[name]! * weightOf(name)!;
  if (!Number.isFinite(value)) throw new ResponseError('unexpected-shape', `The weighted reward of ${names.join(', ')} is not a finite number`);
  return value;
}
