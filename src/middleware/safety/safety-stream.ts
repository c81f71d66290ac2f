// Internal: the output rail on a stream. Nothing goes out before the guard has passed it:
// - text is held back (hold-back.ts) and released once the guard has passed everything so far;
// - reasoning (`reasoning: 'guard'`) is held back the same way and judged as its own text; before
//   any text is released or a tool call is judged, the reasoning so far is judged whole (alongside
//   that judgment, in parallel) and released first, so the caller sees reasoning, then text, as a
//   model stream sends them;
// - each tool call is held (its deltas too); once complete (its `tool-call` event) it is judged
//   with the text so far and the calls before it (the text then goes out); the calls go out at
//   the answer's end, once every call has passed, so no call of a blocked answer ever goes out.
// At `finish` whatever the guard has not seen yet is judged. A block stops the upstream call
// and drops everything held; what was already released stays, and the refusal follows it.
import { answerKey, withAnswer } from '../../content.js';
import type { TextDeltaEvent, ToolCallEvent } from '../../interfaces.js';
import type { Completion, Message, ToolCall } from '../../types.js';
import { releasable } from './hold-back.js';
import { replay } from '../../pipeline/layer-streams.js';
import { type Block, judge, judgeAll, reasoningConversation, refuse, type SafetyConfig } from './safety-rails.js';
import type { LayerEvent, PipelineContext } from '../../pipeline/types.js';

interface Stop {
  block: Block;
  calls?: ToolCall[];
}

/** The reasoning received so far, up to its cut, with the guard's judgment of it. */
interface ReasoningCheck {
  cut: number;
  seen: string;
  block: Promise<Block | undefined>;
}

export async function* safetyStream(ctx: PipelineContext, next: () => AsyncIterable<LayerEvent>, messages: readonly Message[], opts: SafetyConfig): AsyncGenerator<LayerEvent> {
  yield* new OutputRailStream(ctx, messages, opts).run(next);
}

/** One guarded stream: what it received, what the guard passed, and what went out. */
class OutputRailStream {
  #text = '';
  #released = 0;
  /** Reasoning received (reasoning: 'guard'). */
  #thought = '';
  #thoughtReleased = 0;
  /** The reasoning the guard last passed. */
  #thoughtChecked: string | undefined;
  /** Calls judged and released. */
  readonly #passed: ToolCall[] = [];
  /** Each call's events, until the whole answer has passed. */
  readonly #held = new Map<number, LayerEvent[]>();
  /** answerKey of the answer (text and calls) the guard last passed. */
  #judged: string | undefined;
  /** The text of that answer. */
  #checked: string | undefined;
  #finished: Completion | undefined;
  #stop: Stop | undefined;
  readonly #since: number;

  constructor(
    private readonly ctx: PipelineContext,
    private readonly messages: readonly Message[],
    private readonly opts: SafetyConfig,
  ) {
    this.#since = ctx.report.data.candidates.length;
  }

  async *run(next: () => AsyncIterable<LayerEvent>): AsyncGenerator<LayerEvent> {
    // Breaking out of this loop closes the upstream stream, which aborts its request.
    for await (const event of next()) {
      if (event.type === 'finish') {
        this.#finished = event.completion;
        break;
      }
      yield* this.#receive(event);
      if (this.#stop) break;
    }
    if (!this.#stop && this.#finished && (yield* this.#settle(this.#finished))) return;
    if (this.#stop) yield* this.#refusal(this.#stop);
    // Neither: the upstream ended without finish, and compose reports it.
  }

  async *#receive(event: Exclude<LayerEvent, { type: 'finish' }>): AsyncGenerator<LayerEvent> {
    switch (event.type) {
      case 'reasoning-delta':
        if (this.opts.reasoning === 'pass') yield event;
        else if (this.opts.reasoning === 'guard') {
          this.#thought += event.text;
          yield* this.#reasoningUpTo(false);
        }
        return;
      case 'tool-call-delta':
        return this.#hold(event);
      case 'tool-call':
        return yield* this.#onToolCall(event);
      case 'text-delta':
        return yield* this.#onText(event);
    }
  }

  #answerSoFar(calls: ToolCall[]): { text: string; toolCalls?: ToolCall[] } {
    return calls.length ? { text: this.#text, toolCalls: calls } : { text: this.#text };
  }

  #hold(event: Extract<LayerEvent, { index: number }>): void {
    const list = this.#held.get(event.index);
    if (list) list.push(event);
    else this.#held.set(event.index, [event]);
  }

  // The guard passed the text and calls so far.
  #markPassed(): void {
    this.#judged = answerKey(this.#answerSoFar(this.#passed));
    this.#checked = this.#text;
  }

  async *#onToolCall(event: ToolCallEvent): AsyncGenerator<LayerEvent> {
    const { ctx, opts, messages } = this;
    // The reasoning before the call and the call are judged together; the reasoning goes out first.
    const thinking = this.#reasoningCheck(true);
    const calls = [...this.#passed, event.toolCall];
    const about = { toolCalls: [{ id: event.toolCall.id, name: event.toolCall.function.name }] };
    const [thoughtBlock, block] = await judgeAll([thinking?.block, judge(ctx, opts, withAnswer(messages, this.#answerSoFar(calls)), 'output', about)]);
    yield* this.#reasoningOut(thinking, thoughtBlock);
    if (this.#stop) return;
    if (block) return void (this.#stop = { block, calls: [event.toolCall] });
    this.#passed.push(event.toolCall);
    this.#markPassed();
    // The guard saw the whole text with the call: the text goes out. The call waits for the
    // answer's end, so that no call goes out of an answer a later call gets blocked in.
    if (this.#text.length > this.#released) yield { type: 'text-delta', text: this.#text.slice(this.#released) };
    this.#released = this.#text.length;
    this.#hold(event);
  }

  async *#onText(event: TextDeltaEvent): AsyncGenerator<LayerEvent> {
    const { ctx, opts, messages } = this;
    this.#text += event.text;
    const cut = releasable(this.#text, this.#released, opts.holdBack);
    // Nothing to release yet: held reasoning waits too (it is judged with what comes next).
    if (cut <= this.#released) return;
    // The reasoning before the text and the text are judged together; the reasoning goes out first.
    const thinking = this.#reasoningCheck(true);
    const [thoughtBlock, block] = await judgeAll([thinking?.block, judge(ctx, opts, withAnswer(messages, this.#answerSoFar(this.#passed)), 'output')]);
    yield* this.#reasoningOut(thinking, thoughtBlock);
    if (this.#stop) return;
    if (block) return void (this.#stop = { block });
    this.#markPassed();
    yield { type: 'text-delta', text: this.#text.slice(this.#released, cut) };
    this.#released = cut;
  }

  // The reasoning received so far, up to its cut, with the guard's judgment of it when the guard
  // has not seen it yet (started now, so it runs alongside the judgment of what follows).
  #reasoningCheck(all: boolean): ReasoningCheck | undefined {
    const cut = all ? this.#thought.length : releasable(this.#thought, this.#thoughtReleased, this.opts.holdBack);
    if (cut <= this.#thoughtReleased) return undefined;
    const seen = this.#thought;
    const block = this.#thoughtChecked === seen ? Promise.resolve(undefined) : judge(this.ctx, this.opts, reasoningConversation(this.messages, seen), 'output', { reasoning: true });
    return { cut, seen, block };
  }

  // Releases checked reasoning, or records its block.
  *#reasoningOut(check: ReasoningCheck | undefined, block: Block | undefined): Generator<LayerEvent> {
    if (!check) return;
    if (block) return void (this.#stop = { block: reasoningBlock(block) });
    this.#thoughtChecked = check.seen;
    yield { type: 'reasoning-delta', text: this.#thought.slice(this.#thoughtReleased, check.cut) };
    this.#thoughtReleased = check.cut;
  }

  async *#reasoningUpTo(all: boolean): AsyncGenerator<LayerEvent> {
    const check = this.#reasoningCheck(all);
    if (check) yield* this.#reasoningOut(check, await check.block);
  }

  /** At `finish`, judges what the guard has not seen yet; true when the answer went out. */
  async *#settle(finished: Completion): AsyncGenerator<LayerEvent, boolean> {
    return finished.finishReason === 'refused' ? yield* this.#passRefusal(finished) : yield* this.#releaseAnswer(finished);
  }

  // An inner guardrail already refused; pass its refusal on as its stream showed it (a refusal
  // carries no reasoning or tool calls: any held are dropped). A stream that differs from the
  // refusal (blocked mid-answer: its released text, then the refusal) is judged here before
  // the rest of it goes out, like any other text.
  async *#passRefusal(finished: Completion): AsyncGenerator<LayerEvent, boolean> {
    const text = this.#text;
    if (text !== finished.text && this.#checked !== text && text.length > this.#released) {
      const block = await judge(this.ctx, this.opts, withAnswer(this.messages, { text }), 'output');
      if (block) {
        this.#stop = { block };
        return false;
      }
    }
    if (text.length > this.#released) yield { type: 'text-delta', text: text.slice(this.#released) };
    yield { type: 'finish', completion: finished };
    return true;
  }

  async *#releaseAnswer(finished: Completion): AsyncGenerator<LayerEvent, boolean> {
    const answer = this.opts.reasoning === 'drop' && finished.reasoning !== undefined ? dropReasoning(finished) : finished;
    // Calls the guard has not passed yet (sent only in the completion, or not yet judged).
    const fresh = (answer.toolCalls ?? []).filter((c) => !this.#passed.some((p) => p.id === c.id && p.function.arguments === c.function.arguments));
    const [block, thinking] = await judgeAll([this.#judgeAnswer(answer, fresh), this.#judgeReasoning(answer)]);
    if (block) this.#stop = { block, calls: fresh };
    else if (thinking) this.#stop = { block: reasoningBlock(thinking) };
    if (this.#stop) return false;
    // Reasoning first, as a model stream sends it, then the rest of the text, then the calls.
    if (this.opts.reasoning === 'guard' && this.#thought.length > this.#thoughtReleased) yield { type: 'reasoning-delta', text: this.#thought.slice(this.#thoughtReleased) };
    if (answer.text.length > this.#released) yield { type: 'text-delta', text: answer.text.slice(this.#released) };
    for (const index of [...this.#held.keys()].sort((a, b) => a - b)) yield* this.#held.get(index)!;
    yield { type: 'finish', completion: answer };
    return true;
  }

  // The whole answer, unless the guard already passed exactly it.
  #judgeAnswer(answer: Completion, fresh: ToolCall[]): Promise<Block | undefined> | undefined {
    if (this.#judged === answerKey(answer)) return undefined;
    const about = fresh.length ? { completion: answer, toolCalls: fresh.map((c) => ({ id: c.id, name: c.function.name })) } : { completion: answer };
    return judge(this.ctx, this.opts, withAnswer(this.messages, answer), 'output', about);
  }

  // The answer's reasoning as its own text (reasoning: 'guard'), unless the guard already passed it.
  #judgeReasoning(answer: Completion): Promise<Block | undefined> | undefined {
    if (this.opts.reasoning !== 'guard' || !answer.reasoning || this.#thoughtChecked === answer.reasoning) return undefined;
    return judge(this.ctx, this.opts, reasoningConversation(this.messages, answer.reasoning), 'output', { completion: answer, reasoning: true });
  }

  // Blocked before the finish event: name the call behind this stream, when it is unambiguous.
  async *#refusal(stop: Stop): AsyncGenerator<LayerEvent> {
    const { ctx } = this;
    const refusal = refuse(ctx, this.opts, 'output', stop.block, this.#finished ?? ctx.report.candidateUnder(ctx.labels, this.#since), stop.calls);
    // Text already released stays released; the refusal follows it.
    yield* replay(refusal, [{ type: 'text-delta', text: this.#released > 0 ? `\n\n${refusal.text}` : refusal.text }]);
  }
}

function reasoningBlock(block: Block): Block {
  return { ...block, why: `reasoning ${block.why}` };
}

function dropReasoning(completion: Completion): Completion {
  const { reasoning: _reasoning, ...rest } = completion;
  return rest;
}
