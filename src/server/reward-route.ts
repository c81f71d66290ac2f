import { RewardgateError, ValidationError } from '../errors.js';
import type { Scorer } from '../interfaces.js';
import { chatCompletionFrame, createResponseMeta, toChatRequest, type ChatCompletionFrame, type OpenAIUsage } from '../integrations/openai-wire.js';
import type { Score } from '../types.js';

/** A NIM reward-model answer: the score as text in `content` and again as logprobs. */
export interface NimRewardCompletion
  extends ChatCompletionFrame<{
    message: { role: 'assistant'; content: string };
    logprobs: { content: Array<{ token: string; logprob: number; bytes: null; top_logprobs: [] }> };
    finish_reason: 'length';
  }> {
  usage: OpenAIUsage;
}

/**
 * Scores the conversation in an OpenAI chat body with a local scorer and answers in the shape a
 * NIM reward model uses (`reward:<float>`, or `name:value,...` for multi-attribute scores, plus
 * the same numbers as logprobs), so a client switches between hosted NIM and this server by base
 * URL alone. The last turn must be the assistant answer being judged.
 */
export async function scoreAsNim(scorer: Scorer, body: unknown, model: string, signal: AbortSignal): Promise<NimRewardCompletion> {
  const { request, stream } = toChatRequest(body, { forwardUnknown: false });
  if (stream) {
    throw new ValidationError('reward request', [{ path: 'stream', message: 'reward models answer with one score; streaming is not supported' }]);
  }
  const last = request.messages.length - 1;
  if (request.messages[last]!.role !== 'assistant') {
    throw new ValidationError('reward request', [{ path: `messages[${last}].role`, message: 'the last turn must be the assistant answer to score' }]);
  }
  const [score] = await scorer.score([request.messages], { signal });
  if (!score) throw new RewardgateError('The scorer returned no score');
  const pairs = scorePairs(score);
  const choice = {
    message: { role: 'assistant' as const, content: pairs.map(([k, v]) => `${k}:${v}`).join(',') },
    logprobs: { content: pairs.map(([token, logprob]) => ({ token, logprob, bytes: null, top_logprobs: [] as [] })) },
    finish_reason: 'length' as const,
  };
  return { ...chatCompletionFrame(createResponseMeta(model), choice), usage: { prompt_tokens: 0, completion_tokens: pairs.length, total_tokens: pairs.length } };
}

// Multi-attribute scores answer like nemotron-4-340b-reward; single scores like the 70B reward model.
function scorePairs(score: Score): Array<[string, number]> {
  const attributes = Object.entries(score.attributes ?? {});
  return attributes.length ? attributes : [['reward', score.value]];
}
