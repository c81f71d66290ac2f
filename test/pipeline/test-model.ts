// An in-process ChatModel for pipeline tests: replies come from a script, calls honour the
// AbortSignal (timers cleared, listeners removed) and are counted.
import type { ChatModel, StreamEvent } from '../../src/interfaces.js';
import type { ChatRequest, Completion, ToolCall } from '../../src/types.js';
import { abortableSleep as sleep } from '../../src/internal/abortable-sleep.js';

export interface ScriptedReply {
  text: string;
  /** Delay before the answer (generate) or before the first chunk (stream), ms. */
  delayMs?: number;
  /** Stream chunks (default: the whole text in one). */
  chunks?: string[];
  /** Throw this instead of answering. */
  fail?: Error;
  /** Tool calls of the answer (finish reason `tool_calls`); streamed as deltas (arguments in two pieces), then whole. */
  toolCalls?: ToolCall[];
  /** Reasoning of the answer, streamed before the text. */
  reasoning?: string;
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
      return completion(reply.text, reply);
    },
    async *stream(request, options = {}): AsyncGenerator<StreamEvent> {
      const reply = script(request, model.requests.push(request) - 1);
      let done = false;
      try {
        await sleep(reply.delayMs ?? 0, options.signal);
        if (reply.fail) throw reply.fail;
        if (reply.reasoning) yield { type: 'reasoning-delta', text: reply.reasoning };
        for (const text of reply.chunks ?? [reply.text]) {
          options.signal?.throwIfAborted();
          if (text) yield { type: 'text-delta', text };
          await Promise.resolve();
        }
        for (const [index, call] of (reply.toolCalls ?? []).entries()) {
          const args = call.function.arguments;
          const half = Math.ceil(args.length / 2);
          yield { type: 'tool-call-delta', index, id: call.id, name: call.function.name, argumentsDelta: args.slice(0, half) };
          await Promise.resolve();
          yield { type: 'tool-call-delta', index, argumentsDelta: args.slice(half) };
        }
        for (const [index, toolCall] of (reply.toolCalls ?? []).entries()) yield { type: 'tool-call', index, toolCall };
        done = true;
        model.completed++;
        yield { type: 'finish', completion: completion(reply.text, reply) };
      } finally {
        if (!done && !reply.fail) model.aborted++;
      }
    },
  };
  return model;
}

export function completion(text: string, extra: Pick<ScriptedReply, 'toolCalls' | 'reasoning'> = {}): Completion {
  const tokens = text.split(/\s+/).filter(Boolean).length;
  const out: Completion = { text, finishReason: 'stop', usage: { promptTokens: 3, completionTokens: tokens, totalTokens: 3 + tokens } };
  if (extra.toolCalls?.length) Object.assign(out, { toolCalls: extra.toolCalls, finishReason: 'tool_calls' });
  if (extra.reasoning) out.reasoning = extra.reasoning;
  return out;
}

/** A tool call, as a model writes it. */
export const call = (name: string, args: unknown, id = `call_${name}`): ToolCall => ({ id, type: 'function', function: { name, arguments: JSON.stringify(args) } });


export const user = (content: string) => ({ messages: [{ role: 'user' as const, content }] });

/** All events of a stream, in order. */
export async function drain<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const e of iterable) out.push(e);
  return out;
}
