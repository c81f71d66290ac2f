import { UserAbortError } from '../../errors.js';
import type { LinkedAbort } from '../../internal/merge-abort-signals.js';
import type { GuardedCompletion, PipelineEvent } from '../../pipeline/types.js';
import type { ToolCall } from '../../types.js';
import type { Provenance } from './provenance.js';
import { resultFinishReason, resultMetadata, resultUsage, toolCallPart } from './results.js';
import type { AIStreamPart, AIWarning } from './types.js';

const TEXT_ID = 'rewardgate-text';
type Controller = ReadableStreamDefaultController<AIStreamPart>;

/**
 * A pipeline stream as AI SDK stream parts: `stream-start` (with the `warnings` of the model
 * calls, so sent once the pipeline has its first content, result or failure), reasoning blocks
 * (`reasoning-start` / `-delta` / `-end`), one text block (`text-start`, `text-delta`s,
 * `text-end`), each tool call's input as it comes (`tool-input-start` / `-delta` / `-end`) and
 * the call (`tool-call`, with the model's metadata for it), then `finish` with the report in
 * `providerMetadata.rewardgate`. What the final completion has beyond what was streamed (a
 * buffering middleware, a refusal, a pipeline that passes on text only) goes out before `finish`.
 * A failure becomes an `error` part. Cancelling the readable aborts `scope` (the pipeline call's
 * signal), which stops the model calls, then closes the pipeline stream; the scope is disposed
 * once the stream is over.
 */
export function toStreamParts(events: AsyncIterable<PipelineEvent>, scope: LinkedAbort, provenance: Provenance, warnings: AIWarning[] = []): ReadableStream<AIStreamPart> {
  const iterator = events[Symbol.asyncIterator]();
  const out = new PartWriter(provenance);
  let cancelled = false;
  let opened = false;
  const open = (controller: Controller) => {
    if (!opened) controller.enqueue({ type: 'stream-start', warnings: [...warnings] });
    opened = true;
  };
  return new ReadableStream<AIStreamPart>({
    async pull(controller) {
      try {
        for (;;) {
          const { done, value } = await iterator.next();
          if (done) {
            open(controller);
            scope.dispose();
            controller.close();
            return;
          }
          if (!isContent(value)) continue;
          open(controller);
          out.controller = controller;
          // Back to the reader only with a part enqueued: a pull that enqueues nothing is not called again.
          if (out.write(value)) return;
        }
      } catch (error) {
        scope.dispose();
        if (cancelled) return;
        open(controller);
        controller.enqueue({ type: 'error', error });
        controller.close();
      }
    },
    async cancel(reason) {
      cancelled = true;
      scope.abort(new UserAbortError(reason ?? 'stream cancelled'));
      await iterator.return?.();
      scope.dispose();
    },
  });
}

type ContentEvent = Extract<PipelineEvent, { type: 'text-delta' | 'reasoning-delta' | 'tool-call-delta' | 'tool-call' | 'finish' }>;
const CONTENT = new Set(['text-delta', 'reasoning-delta', 'tool-call-delta', 'tool-call', 'finish']);
// Built against StreamEvent: a pipeline that passes reasoning and tool calls on has them here.
function isContent(event: PipelineEvent | { type: string }): event is ContentEvent {
  return CONTENT.has(event.type);
}

/** Writes the stream's blocks in order; each `write` says whether it enqueued anything. */
class PartWriter {
  controller!: Controller;
  private written = 0;
  private text = '';
  private textOpen = false;
  private reasoning = '';
  private reasoningId: string | undefined;
  private reasoningBlocks = 0;
  private readonly inputs = new Map<number, { id: string; ended: boolean }>();
  private readonly called = new Set<string>();

  constructor(private readonly provenance: Provenance) {}

  write(event: ContentEvent): boolean {
    const before = this.written;
    switch (event.type) {
      case 'reasoning-delta':
        this.reasoningDelta(event.text);
        break;
      case 'text-delta':
        this.textDelta(event.text);
        break;
      case 'tool-call-delta':
        this.toolInput(event.index, event.id, event.name, event.argumentsDelta);
        break;
      case 'tool-call':
        this.toolCall(event.toolCall);
        break;
      case 'finish':
        this.finish(event.completion);
        break;
    }
    return this.written > before;
  }

  private enqueue(part: AIStreamPart) {
    this.controller.enqueue(part);
    this.written++;
  }

  private toolInput(index: number, id: string | undefined, name: string | undefined, delta: string) {
    let input = this.inputs.get(index);
    if (!input) {
      if (!id || !name) return;
      this.endReasoning();
      input = { id, ended: false };
      this.inputs.set(index, input);
      this.enqueue({ type: 'tool-input-start', id, toolName: name });
    }
    if (delta) this.enqueue({ type: 'tool-input-delta', id: input.id, delta });
  }

  private reasoningDelta(delta: string) {
    if (!delta) return;
    if (!this.reasoningId) {
      this.reasoningId = `rewardgate-reasoning-${this.reasoningBlocks++}`;
      this.enqueue({ type: 'reasoning-start', id: this.reasoningId });
    }
    this.reasoning += delta;
    this.enqueue({ type: 'reasoning-delta', id: this.reasoningId, delta });
  }

  private endReasoning() {
    if (this.reasoningId) this.enqueue({ type: 'reasoning-end', id: this.reasoningId });
    this.reasoningId = undefined;
  }

  private textDelta(delta: string) {
    if (!delta) return;
    this.endReasoning();
    if (!this.textOpen) this.enqueue({ type: 'text-start', id: TEXT_ID });
    this.textOpen = true;
    this.text += delta;
    this.enqueue({ type: 'text-delta', id: TEXT_ID, delta });
  }

  private toolCall(call: ToolCall) {
    if (this.called.has(call.id)) return;
    this.endReasoning();
    const input = [...this.inputs.values()].find((i) => i.id === call.id);
    if (!input) {
      // A call whose input was not streamed gets its input in one piece, as providers stream it.
      this.enqueue({ type: 'tool-input-start', id: call.id, toolName: call.function.name });
      if (call.function.arguments) this.enqueue({ type: 'tool-input-delta', id: call.id, delta: call.function.arguments });
    }
    if (!input?.ended) this.enqueue({ type: 'tool-input-end', id: call.id });
    if (input) input.ended = true;
    this.called.add(call.id);
    this.enqueue(toolCallPart(call, this.provenance));
  }

  private finish(completion: GuardedCompletion) {
    const reasoning = completion.reasoning ?? '';
    if (reasoning.startsWith(this.reasoning)) this.reasoningDelta(reasoning.slice(this.reasoning.length));
    this.endReasoning();
    if (completion.text.startsWith(this.text)) this.textDelta(completion.text.slice(this.text.length));
    if (this.textOpen) this.enqueue({ type: 'text-end', id: TEXT_ID });
    this.textOpen = false;
    for (const call of completion.toolCalls ?? []) this.toolCall(call);
    // Inputs of calls the final answer does not make (a rail stopped them) are closed, not called.
    for (const input of this.inputs.values()) if (!input.ended) this.enqueue({ type: 'tool-input-end', id: input.id });
    const answer = this.provenance.answerOf(completion);
    // Sources, files and provider-executed tool results of the answer, when it is the model's own.
    for (const part of answer?.content ?? []) {
      if (part.type === 'text' || part.type === 'reasoning' || (part.type === 'tool-call' && !part.providerExecuted)) continue;
      this.enqueue(part);
    }
    if (answer?.response) this.enqueue({ type: 'response-metadata', ...answer.response });
    else if (completion.id || completion.model) this.enqueue({ type: 'response-metadata', id: completion.id, modelId: completion.model });
    this.enqueue({ type: 'finish', finishReason: resultFinishReason(completion, answer), usage: resultUsage(completion, answer), providerMetadata: resultMetadata(completion, answer) });
  }
}
