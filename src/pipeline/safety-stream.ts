// Internal: the output rail on a stream. Text is held back (see hold-back.ts) and released only
// after the guard has passed everything received so far; reasoning and tool calls are held until
// the whole answer has passed (tool calls are complete only then, and the guard judges them with
// the text). A block stops the upstream call and drops everything held.
import { withAnswer } from '../content.js';
import type { Completion } from '../types.js';
import { releasable } from './hold-back.js';
import { replay } from './layer-streams.js';
import { judge, refuse, type SafetyConfig } from './safety-rails.js';
import type { LayerEvent, PipelineContext, StreamNext } from './types.js';

export async function* safetyStream(ctx: PipelineContext, next: StreamNext, opts: SafetyConfig): AsyncGenerator<LayerEvent> {
  const messages = ctx.request.messages;
  let text = '';
  let released = 0;
  let checked: string | undefined; // the text the guard last passed
  let finished: Completion | undefined;
  let blocked: string | undefined;
  const reasoning: LayerEvent[] = [];
  const calls: LayerEvent[] = [];
  const since = ctx.report.data.candidates.length;
  // Breaking out of this loop closes the upstream stream, which aborts its request.
  for await (const event of next()) {
    if (event.type === 'finish') {
      finished = event.completion;
      break;
    }
    if (event.type === 'reasoning-delta') {
      reasoning.push(event);
      continue;
    }
    if (event.type !== 'text-delta') {
      calls.push(event);
      continue;
    }
    text += event.text;
    const cut = releasable(text, released, opts.holdBack);
    if (cut <= released) continue;
    blocked = await judge(ctx, opts, withAnswer(messages, { text }), 'output');
    if (blocked) break;
    checked = text;
    yield { type: 'text-delta', text: text.slice(released, cut) };
    released = cut;
  }
  if (!blocked && finished) {
    if (finished.finishReason === 'refused') {
      // An inner guardrail already refused; pass its refusal on as its stream showed it (a refusal
      // carries no reasoning or tool calls: any held are dropped). A stream that differs from the
      // refusal (blocked mid-answer: its released text, then the refusal) is judged here before
      // the rest of it goes out, like any other text.
      if (text !== finished.text && checked !== text && text.length > released) blocked = await judge(ctx, opts, withAnswer(messages, { text }), 'output');
      if (!blocked) {
        if (text.length > released) yield { type: 'text-delta', text: text.slice(released) };
        return yield { type: 'finish', completion: finished };
      }
    } else {
      text = finished.text;
      // Skip a second check of text the guard has just passed (the same text, not only as long),
      // unless the answer also calls tools: the calls are judged with the text, once complete.
      if (checked !== text || finished.toolCalls?.length) blocked = await judge(ctx, opts, withAnswer(messages, finished), 'output', finished);
      if (!blocked) {
        // Held reasoning goes first, as a model stream sends it, then the rest of the text, then the calls.
        yield* reasoning;
        if (text.length > released) yield { type: 'text-delta', text: text.slice(released) };
        yield* calls;
        return yield { type: 'finish', completion: finished };
      }
    }
  }
  if (!blocked) return; // the upstream ended without finish: compose reports it
  // Blocked before the finish event: name the call behind this stream, when it is unambiguous.
  const refusal = refuse(ctx, opts, 'output', blocked, finished ?? ctx.report.candidateUnder(ctx.labels, since));
  // Text already released stays released; the refusal follows it.
  yield* replay(refusal, [{ type: 'text-delta', text: released > 0 ? `\n\n${refusal.text}` : refusal.text }]);
}
