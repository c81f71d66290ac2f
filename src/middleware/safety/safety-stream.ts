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
import type { Completion, Message, ToolCall } from '../../types.js';
import { releasable } from './hold-back.js';
import { replay } from '../../pipeline/layer-streams.js';
import { type Block, judge, judgeAll, reasoningConversation, refuse, type SafetyConfig } from './safety-rails.js';
import type { LayerEvent, PipelineContext } from '../../pipeline/types.js';

interface Stop {
  block: Block;
  calls?: ToolCall[];
}

export async function* safetyStream(ctx: PipelineContext, next: () => AsyncIterable<LayerEvent>, messages: readonly Message[], opts: SafetyConfig): AsyncGenerator<LayerEvent> {
  let text = '';
  let released = 0;
  let thought = ''; // reasoning received (reasoning: 'guard')
  let thoughtReleased = 0;
  let thoughtChecked: string | undefined; // the reasoning the guard last passed
  const passed: ToolCall[] = []; // calls judged and released
  const held = new Map<number, LayerEvent[]>(); // each call's events, until the whole answer has passed
  let judged: string | undefined; // answerKey of the answer (text and calls) the guard last passed
  let checked: string | undefined; // the text of that answer
  let finished: Completion | undefined;
  let stop: Stop | undefined;
  const since = ctx.report.data.candidates.length;
  const answerSoFar = (calls: ToolCall[]) => (calls.length ? { text, toolCalls: calls } : { text });
  const hold = (event: Extract<LayerEvent, { index: number }>) => {
    const list = held.get(event.index);
    if (list) list.push(event);
    else held.set(event.index, [event]);
  };

  // The reasoning received so far, up to its cut, with the guard's judgment of it when the guard
  // has not seen it yet (started now, so it runs alongside the judgment of what follows).
  function reasoningCheck(all: boolean): { cut: number; seen: string; block: Promise<Block | undefined> } | undefined {
    const cut = all ? thought.length : releasable(thought, thoughtReleased, opts.holdBack);
    if (cut <= thoughtReleased) return undefined;
    const seen = thought;
    const block = thoughtChecked === seen ? Promise.resolve(undefined) : judge(ctx, opts, reasoningConversation(messages, seen), 'output', { reasoning: true });
    return { cut, seen, block };
  }
  // Releases checked reasoning, or records its block.
  function* reasoningOut(check: { cut: number; seen: string } | undefined, block: Block | undefined): Generator<LayerEvent> {
    if (!check) return;
    if (block) return void (stop = { block: { ...block, why: `reasoning ${block.why}` } });
    thoughtChecked = check.seen;
    yield { type: 'reasoning-delta', text: thought.slice(thoughtReleased, check.cut) };
    thoughtReleased = check.cut;
  }
  async function* reasoningUpTo(all: boolean): AsyncGenerator<LayerEvent> {
    const check = reasoningCheck(all);
    if (check) yield* reasoningOut(check, await check.block);
  }

  // Breaking out of this loop closes the upstream stream, which aborts its request.
  read: for await (const event of next()) {
    switch (event.type) {
      case 'finish':
        finished = event.completion;
        break read;
      case 'reasoning-delta':
        if (opts.reasoning === 'pass') yield event;
        else if (opts.reasoning === 'guard') {
          thought += event.text;
          yield* reasoningUpTo(false);
          if (stop) break read;
        }
        continue;
      case 'tool-call-delta':
        hold(event);
        continue;
      case 'tool-call': {
        // The reasoning before the call and the call are judged together; the reasoning goes out first.
        const thinking = reasoningCheck(true);
        const calls = [...passed, event.toolCall];
        const [thoughtBlock, block] = await judgeAll([
          thinking?.block,
          judge(ctx, opts, withAnswer(messages, answerSoFar(calls)), 'output', { toolCalls: [{ id: event.toolCall.id, name: event.toolCall.function.name }] }),
        ]);
        yield* reasoningOut(thinking, thoughtBlock);
        if (stop) break read;
        if (block) {
          stop = { block, calls: [event.toolCall] };
          break read;
        }
        passed.push(event.toolCall);
        judged = answerKey(answerSoFar(passed));
        checked = text;
        // The guard saw the whole text with the call: the text goes out. The call waits for the
        // answer's end, so that no call goes out of an answer a later call gets blocked in.
        if (text.length > released) yield { type: 'text-delta', text: text.slice(released) };
        released = text.length;
        hold(event);
        continue;
      }
      case 'text-delta': {
        text += event.text;
        const cut = releasable(text, released, opts.holdBack);
        // Nothing to release yet: held reasoning waits too (it is judged with what comes next).
        if (cut <= released) continue;
        // The reasoning before the text and the text are judged together; the reasoning goes out first.
        const thinking = reasoningCheck(true);
        const [thoughtBlock, block] = await judgeAll([thinking?.block, judge(ctx, opts, withAnswer(messages, answerSoFar(passed)), 'output')]);
        yield* reasoningOut(thinking, thoughtBlock);
        if (stop) break read;
        if (block) {
          stop = { block };
          break read;
        }
        judged = answerKey(answerSoFar(passed));
        checked = text;
        yield { type: 'text-delta', text: text.slice(released, cut) };
        released = cut;
        continue;
      }
    }
  }
  if (!stop && finished) {
    if (finished.finishReason === 'refused') {
      // An inner guardrail already refused; pass its refusal on as its stream showed it (a refusal
      // carries no reasoning or tool calls: any held are dropped). A stream that differs from the
      // refusal (blocked mid-answer: its released text, then the refusal) is judged here before
      // the rest of it goes out, like any other text.
      if (text !== finished.text && checked !== text && text.length > released) {
        const block = await judge(ctx, opts, withAnswer(messages, { text }), 'output');
        if (block) stop = { block };
      }
      if (!stop) {
        if (text.length > released) yield { type: 'text-delta', text: text.slice(released) };
        return yield { type: 'finish', completion: finished };
      }
    } else {
      const answer = opts.reasoning === 'drop' && finished.reasoning !== undefined ? dropReasoning(finished) : finished;
      // Calls the guard has not passed yet (sent only in the completion, or not yet judged).
      const fresh = (answer.toolCalls ?? []).filter((c) => !passed.some((p) => p.id === c.id && p.function.arguments === c.function.arguments));
      const needAnswer = judged !== answerKey(answer);
      const needReasoning = opts.reasoning === 'guard' && !!answer.reasoning && thoughtChecked !== answer.reasoning;
      const [block, thinking] = await judgeAll([
        needAnswer ? judge(ctx, opts, withAnswer(messages, answer), 'output', fresh.length ? { completion: answer, toolCalls: fresh.map((c) => ({ id: c.id, name: c.function.name })) } : { completion: answer }) : undefined,
        needReasoning ? judge(ctx, opts, reasoningConversation(messages, answer.reasoning!), 'output', { completion: answer, reasoning: true }) : undefined,
      ]);
      if (block) stop = { block, calls: fresh };
      else if (thinking) stop = { block: { ...thinking, why: `reasoning ${thinking.why}` } };
      else {
        // Reasoning first, as a model stream sends it, then the rest of the text, then the calls.
        if (opts.reasoning === 'guard' && thought.length > thoughtReleased) yield { type: 'reasoning-delta', text: thought.slice(thoughtReleased) };
        if (answer.text.length > released) yield { type: 'text-delta', text: answer.text.slice(released) };
        for (const index of [...held.keys()].sort((a, b) => a - b)) yield* held.get(index)!;
        return yield { type: 'finish', completion: answer };
      }
    }
  }
  if (!stop) return; // the upstream ended without finish: compose reports it
  // Blocked before the finish event: name the call behind this stream, when it is unambiguous.
  const refusal = refuse(ctx, opts, 'output', stop.block, finished ?? ctx.report.candidateUnder(ctx.labels, since), stop.calls);
  // Text already released stays released; the refusal follows it.
  yield* replay(refusal, [{ type: 'text-delta', text: released > 0 ? `\n\n${refusal.text}` : refusal.text }]);
}

function dropReasoning(completion: Completion): Completion {
  const { reasoning: _reasoning, ...rest } = completion;
  return rest;
}
