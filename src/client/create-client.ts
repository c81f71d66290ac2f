import type { ChatModel } from '../interfaces.js';
import { DEFAULT_NVCF } from '../http/nvcf-poll.js';
import { DEFAULT_TIMEOUTS } from '../http/timeouts.js';
import { Transport } from '../http/transport.js';
import { validate } from '../internal/validate.js';
import { ChatAPI } from './chat.js';
import { bindChatModel } from '../models/client.js';
import { ClientOptionsSchema, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, type ClientOptions } from './client-options.js';
import { HealthAPI, ModelsAPI } from './models.js';
import { RewardAPI } from './reward.js';

/**
 * A NIM / OpenAI-compatible client (what {@link createClient} returns). The API key lives in a
 * private field: it never shows in `JSON.stringify`, `util.inspect` or error messages.
 * @example
 * const client: RewardgateClient = createClient({ baseURL: 'http://localhost:8000/v1' });
 */
export class RewardgateClient {
  /** The base URL requests go to (e.g. `https://integrate.api.nvidia.com/v1`). */
  readonly baseURL: string;
  /** Chat completions: `create` and `stream`. */
  readonly chat: ChatAPI;
  /** Reward models: `score` and `scoreBatch`. */
  readonly reward: RewardAPI;
  /** `list()` the served models. */
  readonly models: ModelsAPI;
  /** `ready()`: the readiness check. */
  readonly health: HealthAPI;
  readonly #transport: Transport;

  constructor(options: ClientOptions = {}) {
    const valid = validate(ClientOptionsSchema, options, 'client options');
    this.baseURL = valid.baseURL ?? DEFAULT_BASE_URL;
    // NVIDIA_API_KEY goes only to NVIDIA's hosts: a client pointed at another server without an
    // explicit key must not hand that server the user's NVIDIA key.
    const env = isNvidiaHost(this.baseURL) && typeof process !== 'undefined' ? process.env?.NVIDIA_API_KEY : undefined;
    this.#transport = new Transport({
      baseURL: this.baseURL,
      apiKey: valid.apiKey ?? (env || undefined),
      headers: valid.headers ?? {},
      maxRetries: valid.maxRetries ?? DEFAULT_MAX_RETRIES,
      // `undefined` in an override never wipes a default.
      timeouts: { ...DEFAULT_TIMEOUTS, ...definedOnly(valid.timeouts ?? {}) },
      nvcf: { ...DEFAULT_NVCF, ...definedOnly(valid.nvcf ?? {}) },
      fetch: valid.fetch,
    });
    this.chat = new ChatAPI(this.#transport, valid.maxStreamBufferSize);
    this.reward = new RewardAPI(this.#transport);
    this.models = new ModelsAPI(this.#transport);
    this.health = new HealthAPI(this.#transport);
  }

  /**
   * This client as a ChatModel bound to `model` (used when a request names no model): the shape
   * the pipeline, guards and scorers take.
   * @example
   * const llm = client.chatModel('meta/llama-3.1-8b-instruct');
   * const completion = await llm.generate({ messages: [{ role: 'user', content: 'Hi' }] });
   */
  chatModel(model?: string): ChatModel {
    return bindChatModel(this.chat, model);
  }
}

/**
 * Creates a client for NVIDIA NIM (hosted or self-hosted) or any OpenAI-compatible server.
 * Options are validated now; a bad one throws a ValidationError naming the key.
 * @example
 * import { createClient } from 'rewardgate';
 * const client = createClient({ apiKey: process.env.NVIDIA_API_KEY, timeouts: { idleMs: 10_000 } });
 * const { text } = await client.chat.create({ model: 'meta/llama-3.1-8b-instruct', messages: [{ role: 'user', content: 'Hi' }] });
 */
export function createClient(options: ClientOptions = {}): RewardgateClient {
  return new RewardgateClient(options);
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isNvidiaHost(baseURL: string): boolean {
  const host = new URL(baseURL).hostname;
  return host === 'nvidia.com' || host.endsWith('.nvidia.com');
}
