// The pipeline on the whole chat shape: tool calls and reasoning go through every layer, guards
// judge the calls with the text, scorers score them, and a stream never shows what was not judged.
import { describe, expect, it } from 'vitest';
import { messageText, turnText } from '../../src/content.js';
import { bestOfN, createClient, guardFromFunction, pipeline, safety, scoreThreshold, scorerFromFunction, type Message, type PipelineEvent, type Verdict } from '../../src/index.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { call, drain, scriptedModel, user } from './test-model.js';

const finishOf = (events: PipelineEvent[]) => (events.at(-1) as Extract<PipelineEvent, { type: 'finish' }>).completion;
const answerTypes = new Set(['text-delta', 'reasoning-delta', 'tool-call-delta', 'tool-call']);
// Blocks any turn whose text a guard reads (text and tool calls, turnText) names the word.
const blockWord = (word: string, seen?: string[]) =>
  guardFromFunction((c): Verdict => {
    const text = turnText(c.at(-1)!);
    seen?.push(text);
    return text.includes(word) ? { safe: false, categories: [{ category: 'violence', label: 'Violence' }] } : { safe: true, categories: [] };
  });

describe('tool calls and reasoning through the pipeline', () => {
  it('a pass-through pipeline carries reasoning, tool calls and logprobs from an HTTP upstream, plain and streamed', async () => {
    const server = await startOpenAIServer(() => ({ text: 'Let me check.', reasoning: 'The user wants weather.', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }], logprobs: true }));
    try {
      const llm = createClient({ baseURL: server.baseURL, apiKey: 'k', maxRetries: 0 }).chatModel('fake-model');
      const guarded = pipeline(llm, [safety({ guard: blockWord('NOTHING'), holdBack: 'all' })]);
      const out = await guarded.generate(user('Weather in Paris?'));
      expect(out).toMatchObject({ text: 'Let me check.', reasoning: 'The user wants weather.', finishReason: 'tool_calls', refused: false });
      expect(out.toolCalls).toEqual([{ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
      expect(out.logprobs?.content?.map((t) => t.token).join('')).toBe('Let me check.');
      expect(out.report.chosen).toBe(0);
      const events = await drain(guarded.stream(user('Weather in Paris?')));
      const final = finishOf(events);
      expect(final).toMatchObject({ text: 'Let me check.', reasoning: 'The user wants weather.', toolCalls: out.toolCalls });
      const reasoning = events.filter((e) => e.type === 'reasoning-delta').map((e) => (e as { text: string }).text).join('');
      expect(reasoning).toBe('The user wants weather.');
      const args = events.filter((e) => e.type === 'tool-call-delta').map((e) => (e as { argumentsDelta: string }).argumentsDelta).join('');
      expect(args).toBe('{"city":"Paris"}');
      expect(events.filter((e) => e.type === 'tool-call')).toEqual([{ type: 'tool-call', index: 0, toolCall: out.toolCalls![0] }]);
    } finally {
      await server.close();
    }
  });

  it('the output guard judges the tool calls with the text (generate and stream)', async () => {
    const model = scriptedModel(() => ({ text: '', toolCalls: [call('launch_missile', { target: 'city' })] }));
    const seen: string[] = [];
    const guarded = pipeline(model, [safety({ guard: blockWord('launch_missile', seen), input: false, refusal: 'No.' })]);
    const out = await guarded.generate(user('q'));
    expect(out).toMatchObject({ text: 'No.', refused: true });
    expect(out.toolCalls).toBeUndefined();
    expect(seen).toEqual(['<tool_call>\n{"name": "launch_missile", "arguments": {"target":"city"}}\n</tool_call>']);
    const events = await drain(guarded.stream(user('q')));
    expect(events.filter((e) => answerTypes.has(e.type))).toEqual([{ type: 'text-delta', text: 'No.' }]);
    expect(finishOf(events).toolCalls).toBeUndefined();
  });

  it('a stream through safety + bestOfN never shows a blocked answer\'s tool call, nor its reasoning', async () => {
    // Seed 0 is safe; seed 1 scores higher but calls a blocked tool; both reason first.
    const replies = [
      { text: 'Checking the forecast. ', reasoning: 'safe plan', toolCalls: [call('get_weather', { city: 'Paris' }, 'c0')] },
      { text: 'Sure thing. ', reasoning: 'plan: delete_all_files', toolCalls: [call('delete_all_files', { path: '/' }, 'c1')] },
    ];
    const model = () => scriptedModel((req) => replies[req.seed!]!);
    const byTool = scorerFromFunction((c) => (turnText(c.at(-1)!).includes('delete_all_files') ? 10 : 1));
    for (const layers of [
      // The rail judges the winner: the winner is blocked, the answer is the refusal.
      [safety({ guard: blockWord('delete_all_files'), input: false, refusal: 'No.' }), bestOfN({ n: 2, scorer: byTool, sampling: { seed: 0 } })],
      // The rail judges each candidate: the blocked one loses, the safe one streams.
      [bestOfN({ n: 2, scorer: byTool, sampling: { seed: 0 } }), safety({ guard: blockWord('delete_all_files'), input: false, refusal: 'No.' })],
    ]) {
      const events = await drain(pipeline(model(), layers).stream(user('q')));
      const shown = events.filter((e) => answerTypes.has(e.type));
      expect(JSON.stringify(shown)).not.toContain('delete_all_files');
      const final = finishOf(events);
      if (final.refused) {
        // Its reasoning is judged (and blocked) before its text: nothing of that answer went out.
        expect(shown).toEqual([{ type: 'text-delta', text: 'No.' }]);
      } else {
        expect(final.toolCalls).toEqual(replies[0]!.toolCalls);
        // Reasoning once judged, then the first sentence; the call (with the held space) once judged.
        expect(shown.map((e) => e.type)).toEqual(['reasoning-delta', 'text-delta', 'text-delta', 'tool-call-delta', 'tool-call-delta', 'tool-call']);
        expect(final.report.chosen).toBe(final.report.candidates.find((c) => c.labels.sample === 0)!.index);
      }
    }
  });

  it('reasoning goes out once judged, before the text; each tool call once it is complete and judged', async () => {
    const chunks = ['First sentence. ', 'Second sentence. ', 'Third.'];
    const model = scriptedModel(() => ({ text: chunks.join(''), chunks, reasoning: 'thinking hard', toolCalls: [call('search', { q: 'x' })] }));
    const log: string[] = [];
    const guard = guardFromFunction((c): Verdict => {
      log.push(`judged:${turnText(c.at(-1)!)}`);
      return { safe: true, categories: [] };
    });
    const guarded = pipeline(model, [safety({ guard, input: false })]);
    for await (const e of guarded.stream(user('q'))) {
      if (e.type === 'reasoning-delta' || e.type === 'tool-call' || e.type === 'tool-call-delta' || e.type === 'text-delta') log.push(e.type);
    }
    const full = `${chunks.join('')}\n<tool_call>\n{"name": "search", "arguments": {"q":"x"}}\n</tool_call>`;
    // The reasoning is judged as its own text (alongside the first sentence) before it goes out, and goes out before any text.
    expect(log.indexOf('judged:thinking hard')).toBe(0);
    expect(log.indexOf('reasoning-delta')).toBeGreaterThan(0);
    expect(log.indexOf('reasoning-delta')).toBeLessThan(log.indexOf('text-delta'));
    expect(log.indexOf('text-delta')).toBeGreaterThan(log.indexOf('judged:First sentence. '));
    // The call goes out only after its judgment (with the text before it).
    const judgedCall = log.indexOf(`judged:${full}`);
    expect(judgedCall).toBeGreaterThan(log.indexOf('text-delta'));
    expect(log.indexOf('tool-call-delta')).toBeGreaterThan(judgedCall);
    expect(log.indexOf('tool-call')).toBeGreaterThan(judgedCall);
    // Judged once each: the finish adds no judgment of what was already passed.
    expect(log.filter((l) => l === `judged:${full}`)).toHaveLength(1);
    // A blocked call: no delta of it, ever.
    const blocked = await drain(pipeline(model, [safety({ guard: blockWord('"search"'), input: false, refusal: 'No.' })]).stream(user('q')));
    expect(blocked.filter((e) => e.type === 'tool-call' || e.type === 'tool-call-delta')).toEqual([]);
    expect(finishOf(blocked)).toMatchObject({ refused: true });
    expect(finishOf(blocked).report.blockedToolCalls).toEqual([{ by: 'safety', reason: expect.stringMatching(/^output blocked \(tool call search\): unsafe/), id: 'call_search', name: 'search', candidate: 0 }]);
    // A blocked reasoning: no reasoning delta, no text.
    const thinking = await drain(pipeline(model, [safety({ guard: blockWord('thinking'), input: false, refusal: 'No.' })]).stream(user('q')));
    expect(thinking.filter((e) => answerTypes.has(e.type))).toEqual([{ type: 'text-delta', text: 'No.' }]);
  });

  it('bestOfN and scoreThreshold score the assistant turn with its tool calls, reasoning only when asked', async () => {
    const model = scriptedModel((req) => ({ text: req.seed === 0 ? '' : 'I will guess.', reasoning: `why ${req.seed}`, ...(req.seed === 0 ? { toolCalls: [call('lookup', { id: 7 })] } : {}) }));
    const seen: Message[] = [];
    const prefersTools = scorerFromFunction((c) => (seen.push(c.at(-1)!), c.at(-1)!.tool_calls?.length ? 5 : 1));
    const out = await pipeline(model, [bestOfN({ n: 2, scorer: prefersTools, sampling: { seed: 0 } })]).generate(user('q'));
    expect(out.toolCalls).toEqual([call('lookup', { id: 7 })]);
    expect(out.report.candidates.map((c) => c.score?.value)).toEqual([5, 1]);
    expect(seen).toContainEqual({ role: 'assistant', content: null, tool_calls: [call('lookup', { id: 7 })] });
    expect(seen.every((m) => m.reasoning === undefined)).toBe(true);
    seen.length = 0;
    await pipeline(model, [scoreThreshold({ scorer: prefersTools, min: 0, scoreReasoning: true })]).generate({ ...user('q'), seed: 1 });
    expect(seen).toEqual([{ role: 'assistant', content: 'I will guess.', reasoning: 'why 1' }]);
  });

  it('scoreThreshold over bestOfN with one scorer scores each distinct answer once', async () => {
    const model = scriptedModel((req) => ({ text: `s${req.seed! % 4}`, ...(req.seed === 5 ? { toolCalls: [call('t', {})] } : {}) }));
    const scored: string[] = [];
    const scorer = scorerFromFunction((c) => (scored.push(turnText(c.at(-1)!)), Number(messageText(c.at(-1)!).slice(1))));
    const out = await pipeline(model, [scoreThreshold({ scorer, min: 3, maxAttempts: 2 }), bestOfN({ n: 3, scorer })]).generate({ ...user('q'), seed: 0 });
    // Attempt 1: s0 s1 s2 (best 2, below 3); attempt 2: s3, s0, s1 with a call (best s3).
    expect(out.text).toBe('s3');
    expect(scored.sort()).toEqual(['s0', 's1', 's1\n<tool_call>\n{"name": "t", "arguments": {}}\n</tool_call>', 's2', 's3']);
    // The threshold still records its own score event for the answers it judged.
    expect(out.report.candidates.map((c) => c.score?.value)).toEqual([0, 1, 2, 3, 0, 1]);
  });

  it("scoreThreshold's retry appends the rejected answer with its calls, each answered as not run", async () => {
    const calls = [call('a', {}, 'ca'), call('b', { x: 1 }, 'cb')];
    const model = scriptedModel((_req, i) => (i === 0 ? { text: 'Trying.', toolCalls: calls } : { text: 'good' }));
    const scorer = scorerFromFunction((c) => (messageText(c.at(-1)!) === 'good' ? 1 : 0));
    await pipeline(model, [scoreThreshold({ scorer, min: 1, feedback: 'Try again.' })]).generate(user('q'));
    expect(model.requests[1]!.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'Trying.', tool_calls: calls },
      { role: 'tool', tool_call_id: 'ca', content: 'Not run: this answer was rejected.' },
      { role: 'tool', tool_call_id: 'cb', content: 'Not run: this answer was rejected.' },
      { role: 'user', content: 'Try again.' },
    ]);
  });

  it('a generate-only middleware streams a whole answer: reasoning, text, then each call', async () => {
    const model = scriptedModel(() => ({ text: 'ok', reasoning: 'r', toolCalls: [call('f', { a: 1 }, 'c9')] }));
    const events = await drain(pipeline(model, [{ name: 'noop', generate: (_ctx, next) => next() }]).stream(user('q')));
    expect(events.filter((e) => answerTypes.has(e.type))).toEqual([
      { type: 'reasoning-delta', text: 'r' },
      { type: 'text-delta', text: 'ok' },
      { type: 'tool-call-delta', index: 0, id: 'c9', name: 'f', argumentsDelta: '{"a":1}' },
      { type: 'tool-call', index: 0, toolCall: call('f', { a: 1 }, 'c9') },
    ]);
  });
});
