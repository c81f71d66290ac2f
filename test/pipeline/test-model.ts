// An in-process ChatModel for pipeline tests: replies come from a script, calls honour the
// AbortSignal (timers cleared, listeners removed) and are counted.
import type { ChatModel, StreamEvent } from '../../src/interfaces.js';
import type { ChatRequest, Completion } from '../../src/types.js';
import { abortableSleep as sleep } from '../../src/internal/abortable-sleep.js';

export interface ScriptedReply {
  text: string;
  /** Delay before the answer (generate) or before the first chunk (stream), ms. */
  delayMs?: number;
  /** Stream chunks (default: the whole text in one). */
  chunks?: string[];
  /** Throw this instead of answering. */
  fail?: Error;
}

export interface ScriptedModel extends ChatModel {
  requests: ChatRequest[];
  /** Calls that ended because their signal aborted. */
  aborted: number;
  /** Calls that finished normally. */
  completed: number;
}

export function scriptedModel(script: (request: ChatRequest, index: number) => ScriptedReply): ScriptedModel {
  const model: ScriptedModel = {
    requests: [],
    aborted: 0,
    completed: 0,
    async generate(request, options = {}) {
      const reply = script(request, model.requests.push(request) - 1);
      try {
        await sleep(reply.delayMs ?? 0, options.signal);
      } catch (e) {
        model.aborted++;
        throw e;
      }
      if (reply.fail) throw reply.fail;
      model.completed++;
      return completion(reply.text);
    },
    async *stream(request, options = {}): AsyncGenerator<StreamEvent> {
      const reply = script(request, model.requests.push(request) - 1);
      let done = false;
      try {
        await sleep(reply.delayMs ?? 0, options.signal);
        if (reply.fail) throw reply.fail;
        for (const text of reply.chunks ?? [reply.text]) {
          options.signal?.throwIfAborted();
          yield { type: 'text-delta', text };
          await Promise.resolve();
        }
        done = true;
        model.completed++;
        yield { type: 'finish', completion: completion(reply.text) };
      } finally {
        if (!done && !reply.fail) model.aborted++;
      }
    },
  };
  return model;
}

export function completion(text: string): Completion {
  const tokens = text.split(/\s+/).filter(Boolean).length;
  return { text, finishReason: 'stop', usage: { promptTokens: 3, completionTokens: tokens, totalTokens: 3 + tokens } };
}


export const user = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

/** All events of a stream, in order. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}
