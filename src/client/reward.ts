import type { CallOptions } from '../interfaces.js';
import type { Transport } from '../http/transport.js';
import { mapWithConcurrency } from '../internal/map-with-concurrency.js';
import { validate } from '../internal/validate.js';
import type { Message, Score } from '../types.js';
import { parseReward, type AttributeWeights } from './reward-parse.js';
import { RewardBatchRequestSchema, RewardRequestSchema, type RewardBatchRequest, type RewardRequest } from './reward-schemas.js';

const DEFAULT_CONCURRENCY = 4;

/**
 * `client.reward`: NIM reward models over the chat completions endpoint.
 * @example
 * const { value } = await client.reward.score({ model: 'nvidia/llama-3.1-nemotron-70b-reward', messages });
 */
export class RewardAPI {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Scores the last (assistant) turn of one conversation.
   * @example
   * const { value } = await client.reward.score({ model: 'nvidia/llama-3.1-nemotron-70b-reward', messages: [user, assistant] });
   */
  async score(request: RewardRequest, options: CallOptions = {}): Promise<Score> {
    const valid = validate(RewardRequestSchema, request, 'reward request');
    return this.#scoreOne(valid.model, valid.messages, valid.weights ?? {}, options.signal);
  }

  /**
   * Scores many conversations with at most `concurrency` requests in flight; every conversation is
   * validated before the first request, and the first failure cancels the rest.
   * @example
   * const scores = await client.reward.scoreBatch({ model, conversations: [[user, a], [user, b]] });
   */
  async scoreBatch(request: RewardBatchRequest, options: CallOptions = {}): Promise<Score[]> {
    const valid = validate(RewardBatchRequestSchema, request, 'reward batch request');
    const weights = valid.weights ?? {};
    return mapWithConcurrency(
      valid.conversations,
      valid.concurrency ?? DEFAULT_CONCURRENCY,
      (messages, _index, signal) => this.#scoreOne(valid.model, messages, weights, signal),
      options.signal,
    );
  }

  async #scoreOne(model: string, messages: Message[], weights: AttributeWeights, signal: AbortSignal | undefined): Promise<Score> {
    const { body } = await this.#transport.json({ method: 'post', path: 'chat/completions', body: { model, messages }, signal });
    return parseReward(this.#transport.redact(body), weights);
  }
}
