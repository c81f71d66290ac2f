// Internal: the output rail on a stream. Text is held back (see hold-back.ts) and released only
// after the guard has passed everything received so far; a block stops the upstream call.
import type { Completion } from '../types.js';
import { releasable } from './hold-back.js';
import { replay } from './layer-streams.js';
import { answered, judge, refuse, type SafetyConfig } from './safety-rails.js';
import type { LayerEvent, PipelineContext, StreamNext } from './types.js';

export async function* safetyStream(ctx: PipelineContext, next: StreamNext, opts: SafetyConfig): AsyncGenerator<LayerEvent> {
  let text = '';
  let released = 0;
  let checked: string | undefined; // the text the guard last passed
  let finished: Completion | undefined;
  let blocked: string | undefined;
  const since = ctx.report.data.candidates.length;
  // Breaking out of this loop closes the upstream stream, which aborts its request.
  for await (const event of next()) {
    if (event.type === 'finish') {
      finished = event.completion;
      break;
    }
    text += event.text;
    const cut = releasable(text, released, opts.holdBack);
    if (cut <= released) continue;
    blocked = await judge(ctx, opts, answered(ctx.request.messages, text), 'output');
    if (blocked) break;
    checked = text;
    yield { type: 'text-delta', text: text.slice(released, cut) };
    released = cut;
  }
  if (!blocked && finished) {
    if (finished.finishReason === 'refused') {
      // An inner guardrail already refused; pass its refusal on as its stream showed it. A stream
      // that differs from the refusal (blocked mid-answer: its released text, then the refusal) is
      // judged here before the rest of it goes out, like any other text.
      if (text !== finished.text && checked !== text && text.length > released) blocked = await judge(ctx, opts, answered(ctx.request.messages, text), 'output');
      if (!blocked) {
        if (text.length > released) yield { type: 'text-delta', text: text.slice(released) };
        return yield { type: 'finish', completion: finished };
      }
    } else {
      text = finished.text;
      // Skip a second check of text the guard has just passed (the same text, not only as long).
      if (checked !== text) blocked = await judge(ctx, opts, answered(ctx.request.messages, text), 'output', finished);
      if (!blocked) {
        if (text.length > released) yield { type: 'text-delta', text: text.slice(released) };
        return yield { type: 'finish', completion: finished };
      }
    }
  }
  if (!blocked) return; // the upstream ended without finish: compose reports it
  // Blocked before the finish event: name the call behind this stream, when it is unambiguous.
  const refusal = refuse(ctx, opts, 'output', blocked, finished ?? ctx.report.candidateUnder(ctx.labels, since));
  // Text already released stays released; the refusal follows it.
  yield* replay(refusal, [released > 0 ? `\n\n${refusal.text}` : refusal.text]);
}
