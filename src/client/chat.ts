import { ValidationError } from '../errors.js';
import type { CallOptions, StreamEvent } from '../interfaces.js';
import type { Transport } from '../http/transport.js';
import { validate } from '../internal/validate.js';
import { ChatRequestSchema, type ChatRequest, type Completion } from '../types.js';
import { parseCompletion, toWireBody } from './chat-wire.js';
import { streamChat } from './chat-stream.js';

/**
 * `client.chat`: chat completions, whole or streamed.
 * @example
 * const { text } = await client.chat.create({ model, messages });
 */
export class ChatAPI {
  readonly #transport: Transport;
  readonly #maxBufferSize: number | undefined;

  constructor(transport: Transport, maxBufferSize: number | undefined) {
    this.#transport = transport;
    this.#maxBufferSize = maxBufferSize;
  }

  /**
   * Generates one completion (the first choice).
   * @example
   * const completion = await client.chat.create({ model: 'meta/llama-3.1-8b-instruct', messages: [{ role: 'user', content: 'Hi' }] });
   */
  async create(request: ChatRequest, options: CallOptions = {}): Promise<Completion> {
    const valid = validateChatRequest(request);
    const { body } = await this.#transport.json({ method: 'post', path: 'chat/completions', body: toWireBody(valid, false), signal: options.signal });
    return parseCompletion(body);
  }

  /**
   * Streams text deltas, then a finish event with the whole completion. Breaking out of the loop
   * aborts the request. The request is validated now; it is sent on the first iteration.
   * @example
   * for await (const event of client.chat.stream({ model, messages })) if (event.type === 'text-delta') process.stdout.write(event.text);
   */
  stream(request: ChatRequest, options: CallOptions = {}): AsyncIterable<StreamEvent> {
    const valid = validateChatRequest(request);
    return streamChat(this.#transport, toWireBody(valid, true), options.signal, this.#maxBufferSize);
  }
}

function validateChatRequest(request: ChatRequest): ChatRequest & { model: string } {
  const valid = validate(ChatRequestSchema, request, 'chat request');
  if (valid.model === undefined) {
    throw new ValidationError('chat request', [{ path: 'model', message: 'a model is required (in the request, or bound with client.chatModel(model))' }]);
  }
  return valid as ChatRequest & { model: string };
}
