import type { CallOptions, ChatModel, StreamEvent } from '../interfaces.js';
import type { ChatRequest, Completion } from '../types.js';
import type { ChatAPI } from '../client/chat.js';

/** A ChatModel over `chat` that uses `model` when a request names none. */
export function bindChatModel(chat: ChatAPI, model: string | undefined): ChatModel {
  const withModel = (request: ChatRequest): ChatRequest =>
    model !== undefined && typeof request === 'object' && request !== null && request.model === undefined ? { ...request, model } : request;
  return {
    generate: (request: ChatRequest, options?: CallOptions): Promise<Completion> => chat.create(withModel(request), options),
    stream: (request: ChatRequest, options?: CallOptions): AsyncIterable<StreamEvent> => chat.stream(withModel(request), options),
  };
}
