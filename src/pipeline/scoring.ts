// Internal: scores answers to one prompt in one batch, each distinct answer once.
import { answerKey, withAnswer } from '../content.js';
import { RewardgateError } from '../errors.js';
import type { CallOptions, Scorer } from '../interfaces.js';
import type { Completion, Message, Score, Tool } from '../types.js';

/** What is scored of a completion: its text and tool calls (its reasoning too when asked). */
export type Answer = Pick<Completion, 'text' | 'toolCalls' | 'reasoning'>;

export interface ScoreAnswersOptions extends CallOptions {
  /** Show the scorer the answer's reasoning too (the assistant turn's `reasoning`). */
  reasoning?: boolean;
  /** Scores already known, by {@link scoreKey}; new ones are added (see `ReportRecorder.scoreCache`). */
  cache?: Map<string, Score>;
  /**
   * The tools the request offered: passed on to the scorer with the call options, so a local
   * scorer renders the conversation through its chat template with them (`tools=`).
   */
  tools?: readonly Tool[] | undefined;
}

/**
 * The call options a scorer receives from the pipeline: the signal, and the request's tools when it has any.
 *
 * @example
 * const scorer = scorerFromFunction((conversation, options) => ((options as ScorerCallOptions).tools?.length ? 1 : 0));
 */
export interface ScorerCallOptions extends CallOptions {
  tools?: readonly Tool[];
}

/** Equal for answers the scorer sees alike. */
export function scoreKey(answer: Answer, reasoning: boolean | undefined): string {
  const key = answerKey(answer);
  return reasoning && answer.reasoning ? `${key}\u0002${answer.reasoning}` : key;
}

/**
 * Scores of `answers` after `messages`, in the order given. Each answer is scored as the
 * conversation's last, assistant turn (`withAnswer`: its text and tool calls); each distinct
 * answer once, and not at all when `cache` knows it.
 */
export async function scoreAnswers(scorer: Scorer, messages: readonly Message[], answers: readonly Answer[], options: ScoreAnswersOptions = {}): Promise<Score[]> {
  const { reasoning, cache, signal, tools } = options;
  const keys = answers.map((a) => scoreKey(a, reasoning));
  const known = cache ?? new Map<string, Score>();
  const missing = new Map<string, Answer>();
  keys.forEach((key, i) => {
    if (!known.has(key) && !missing.has(key)) missing.set(key, answers[i]!);
  });
  if (missing.size > 0) {
    const conversations = [...missing.values()].map((answer) => withAnswer(messages, answer, { reasoning: reasoning ?? false }));
    const callOptions: ScorerCallOptions = {};
    if (signal) callOptions.signal = signal;
    if (tools?.length) callOptions.tools = tools;
    const scores = await scorer.score(conversations, callOptions);
    if (!Array.isArray(scores) || scores.length !== missing.size) {
      throw new RewardgateError(`The scorer returned ${Array.isArray(scores) ? scores.length : 'no'} scores for ${missing.size} conversations`);
    }
    [...missing.keys()].forEach((key, i) => known.set(key, scores[i]!));
  }
  return keys.map((key) => known.get(key)!);
}

/** A score usable for ranking: NaN ranks last. */
export function rank(score: Score | undefined): number {
  const v = score?.value;
  return typeof v === 'number' && !Number.isNaN(v) ? v : Number.NEGATIVE_INFINITY;
}
