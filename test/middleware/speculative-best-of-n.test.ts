import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { messageText } from '../../src/content.js';
import { pipeline, scorerFromFunction, speculativeBestOfN, UserAbortError, ValidationError, type PipelineEvent } from '../../src/index.js';
import { call, drain, scriptedModel, user } from '../pipeline/test-model.js';

// Sample i writes "s<i> w w w ..." one word per chunk; the scorer ranks by QUALITY[i], read from
// the first word, so partial answers score like whole ones.
const QUALITY = [3, 7, 1, 8, 5, 2, 6, 4];
const words = (i: number, count = 12) => [`s${i} `, ...Array.from({ length: count - 1 }, (_, k) => `w${k} `)];
const sampleOf = (text: string) => Number(/^s(\d+)/.exec(text)?.[1] ?? -1);
const qualityScorer = (calls: number[] = []) =>
  scorerFromFunction((convs) => (calls.push(convs.length), convs.map((c) => QUALITY[sampleOf(messageText(c.at(-1)!))] ?? -100)), { batch: true });
const model8 = () => scriptedModel((req) => ({ text: words(req.seed!).join(''), chunks: words(req.seed!) }));
type Of<T extends PipelineEvent['type']> = Extract<PipelineEvent, { type: T }>;

describe('speculativeBestOfN', () => {
  it('prunes the lowest-scoring half at each checkpoint, in score order, until one is left', async () => {
    const model = model8();
    const calls: number[] = [];
    const guarded = pipeline(model, [speculativeBestOfN({ n: 8, scorer: qualityScorer(calls), checkpoints: { everyTokens: 2 }, sampling: { seed: 0 } })]);
    const events = await drain(guarded.stream(user('q')));
    const pruned = events.filter((e): e is Of<'pruned'> => e.type === 'pruned');
    // 8 -> 4 -> 2 -> 1: checkpoint 1 drops qualities 1,2,3,4; checkpoint 2 drops 5,6; checkpoint 3 drops 7.
    expect(pruned.map((e) => [e.checkpoint, e.sample])).toEqual([[1, 7], [1, 0], [1, 5], [1, 2], [2, 6], [2, 4], [3, 1]]);
    const checkpoints = events.filter((e): e is Of<'checkpoint'> => e.type === 'checkpoint');
    expect(checkpoints.map((e) => [e.at, e.scores.length, e.kept])).toEqual([[2, 8, [1, 3, 4, 6]], [4, 4, [1, 3]], [6, 2, [3]]]);
    expect(calls.slice(0, 3)).toEqual([8, 4, 2]); // one batched scorer call per checkpoint
    const finish = events.at(-1) as Of<'finish'>;
    const { report } = finish.completion;
    expect(sampleOf(finish.completion.text)).toBe(3);
    expect(report.candidates[report.chosen!]!.labels.sample).toBe(3);
    expect(model.aborted).toBe(7);
    expect(model.completed).toBe(1);
    const bySample = (s: number) => report.candidates.find((c) => c.labels.sample === s)!;
    expect(bySample(2).prunedAt).toBe(1);
    expect(bySample(2).cancelled).toBe(true);
    expect(bySample(2).checkpoints!.map((c) => c.score.value)).toEqual([1]);
    expect(bySample(1).checkpoints!.map((c) => [c.checkpoint, c.tokens])).toEqual([[1, 2], [2, 4], [3, 6]]);
    expect(bySample(3).prunedAt).toBeUndefined();
    expect(bySample(3).tokens).toBe(12); // the scripted usage: one token per word
    const summary = report.speculative![0]!;
    expect(summary).toMatchObject({ by: 'speculativeBestOfN', n: 8, checkpoints: 3, pruned: 7 });
    // The pruned ones stopped at their checkpoint: 4*2 + 2*4 + 1*6 tokens, plus the winner's 12, against 8*12.
    expect(summary.fullEstimate).toBe(96);
    expect(summary.tokens).toBe(34);
    expect(summary.ratio).toBeCloseTo(summary.tokens / 96, 3);
  });

  it('streams the survivor whole and in order: its buffered text first, then live', async () => {
    const model = model8();
    const guarded = pipeline(model, [speculativeBestOfN({ n: 8, scorer: qualityScorer(), checkpoints: [2, 4, 6], sampling: { seed: 0 } })]);
    const events = await drain(guarded.stream(user('q')));
    const deltas = events.filter((e): e is Of<'text-delta'> => e.type === 'text-delta');
    expect(deltas.map((d) => d.text)).toEqual(words(3));
    const lastPruned = events.findLastIndex((e) => e.type === 'pruned');
    expect(events.findIndex((e) => e.type === 'text-delta')).toBeGreaterThan(lastPruned);
    expect((events.at(-1) as Of<'finish'>).completion.text).toBe(words(3).join(''));
    // The winner was rescored on its whole answer.
    expect(events.filter((e) => e.type === 'score').map((e) => (e as Of<'score'>).score.value)).toEqual([8]);
  });

  it('generate collects the same run; keep and minSurvivors set how many go on', async () => {
    const model = model8();
    const out = await pipeline(model, [speculativeBestOfN({ n: 8, scorer: qualityScorer(), checkpoints: [2], keep: 0.25, minSurvivors: 3, sampling: { seed: 0 } })]).generate(user('q'));
    expect(sampleOf(out.text)).toBe(3);
    // round(0.25 * 8) = 2 < minSurvivors: 3 survive the only checkpoint, finish, and are rescored.
    expect(out.report.candidates.filter((c) => c.prunedAt === 1)).toHaveLength(5);
    expect(out.report.candidates.filter((c) => c.score).map((c) => c.labels.sample).sort()).toEqual([1, 3, 6]);
    expect(model.completed).toBe(3);
  });

  it('counts characters with everyChars, and final: checkpoint ranks survivors without another scorer call', async () => {
    const model = scriptedModel((req) => ({ text: words(req.seed!).join(''), chunks: words(req.seed!) }));
    const calls: number[] = [];
    const speculative = speculativeBestOfN({ n: 4, scorer: qualityScorer(calls), checkpoints: { everyChars: 6 }, minSurvivors: 2, final: 'checkpoint', sampling: { seed: 0 } });
    const events = await drain(pipeline(model, [speculative]).stream(user('q')));
    const checkpoints = events.filter((e): e is Of<'checkpoint'> => e.type === 'checkpoint');
    expect(checkpoints.map((e) => e.at)).toEqual([6, 12, 18, 24, 30, 36]);
    expect(checkpoints[0]!.scores.map((s) => s.tokens)).toEqual([2, 2, 2, 2]); // "sN " and "w0 ": 6 characters
    expect(calls).toEqual([4, 2, 2, 2, 2, 2]); // 4 -> 2, then two survive to the end, no rescore
    expect(events.some((e) => e.type === 'score')).toBe(false);
    expect(sampleOf((events.at(-1) as Of<'finish'>).completion.text)).toBe(3);
    expect(model.completed).toBe(2);
  });

  it('lets a tool-call candidate that finished early compete with its final score', async () => {
    const weather = call('get_weather', { city: 'Paris' });
    const model = scriptedModel((req) => (req.seed === 5 ? { text: '', toolCalls: [weather] } : { text: words(req.seed!).join(''), chunks: words(req.seed!) }));
    const scorer = scorerFromFunction((c) => (c.at(-1)!.tool_calls ? 10 : (QUALITY[sampleOf(messageText(c.at(-1)!))] ?? -100)));
    const out = await pipeline(model, [speculativeBestOfN({ n: 8, scorer, checkpoints: { everyTokens: 2 }, sampling: { seed: 0 } })]).generate(user('q'));
    expect(out.toolCalls).toEqual([weather]);
    expect(out.finishReason).toBe('tool_calls');
    const chosen = out.report.candidates[out.report.chosen!]!;
    expect(chosen.labels.sample).toBe(5);
    // Scored on whole calls (a call under way is read to its end before a checkpoint), then as finished.
    expect(chosen.checkpoints!.every((c) => c.score.value === 10)).toBe(true);
    expect(chosen.checkpoints!.at(-1)!.finished).toBe(true);
    expect(chosen.score?.value).toBe(10);
    expect(model.aborted).toBe(7);
  });

  it('stops every candidate when the caller aborts during a checkpoint, leaving no listener', async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const scorer = scorerFromFunction(
      (convs, { signal }) => {
        seen = signal;
        controller.abort(new Error('user gave up'));
        // Never answers; honours the signal, which is aborted by now.
        return new Promise<number[]>((_, reject) => (signal!.aborted ? reject(signal!.reason) : signal!.addEventListener('abort', () => reject(signal!.reason), { once: true })));
      },
      { batch: true },
    );
    const model = model8();
    const guarded = pipeline(model, [speculativeBestOfN({ n: 8, scorer, checkpoints: { everyTokens: 2 } })]);
    await expect(drain(guarded.stream(user('q'), { signal: controller.signal }))).rejects.toBeInstanceOf(UserAbortError);
    expect(seen?.aborted).toBe(true);
    expect(model.aborted).toBe(8);
    expect(model.completed).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('closes the survivor too when the caller stops reading its live stream', async () => {
    const model = model8();
    const controller = new AbortController();
    const guarded = pipeline(model, [speculativeBestOfN({ n: 8, scorer: qualityScorer(), checkpoints: { everyTokens: 2 }, sampling: { seed: 0 } })]);
    let text = '';
    for await (const e of guarded.stream(user('q'), { signal: controller.signal })) {
      if (e.type !== 'text-delta') continue;
      text += e.text;
      if (text.split(' ').length > 8) break; // past the buffered part: reading live
    }
    expect(text).toBe(words(3).slice(0, 8).join(''));
    expect(model.aborted).toBe(8);
    expect(model.completed).toBe(0);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('goes on without pruning when the scorer fails at a checkpoint (default), or throws with onScorerError: throw', async () => {
    let failures = 1;
    const inner = qualityScorer();
    const flaky = { score: (convs: Parameters<typeof inner.score>[0], o?: Parameters<typeof inner.score>[1]) => (failures-- > 0 ? Promise.reject(new Error('scorer down')) : inner.score(convs, o)) };
    const model = model8();
    const events = await drain(pipeline(model, [speculativeBestOfN({ n: 8, scorer: flaky, checkpoints: { everyTokens: 2 }, sampling: { seed: 0 } })]).stream(user('q')));
    const checkpoints = events.filter((e): e is Of<'checkpoint'> => e.type === 'checkpoint');
    expect(checkpoints[0]!.error).toEqual({ name: 'Error', message: 'scorer down' });
    expect(checkpoints[0]!.kept).toHaveLength(8);
    expect(checkpoints.slice(1).map((e) => e.kept.length)).toEqual([4, 2, 1]);
    expect(sampleOf((events.at(-1) as Of<'finish'>).completion.text)).toBe(3);

    const strict = model8();
    const down = { score: () => Promise.reject(new Error('scorer down')) };
    await expect(pipeline(strict, [speculativeBestOfN({ n: 8, scorer: down, checkpoints: { everyTokens: 2 }, onScorerError: 'throw' })]).generate(user('q'))).rejects.toThrow('scorer down');
    expect(strict.aborted).toBe(8);
  });

  it('returns the best finished answer when every candidate ends before the first checkpoint', async () => {
    const model = scriptedModel((req) => ({ text: `s${req.seed} short` }));
    const calls: number[] = [];
    const out = await pipeline(model, [speculativeBestOfN({ n: 4, scorer: qualityScorer(calls), checkpoints: { everyTokens: 100 }, sampling: { seed: 0 } })]).generate(user('q'));
    expect(sampleOf(out.text)).toBe(3);
    expect(calls).toEqual([4]);
    expect(out.report.speculative![0]).toMatchObject({ checkpoints: 0, pruned: 0, ratio: 1 });
  });

  it('rejects bad options with the path of the bad key', () => {
    const scorer = qualityScorer();
    const bad = [
      [{ n: 2, scorer, minSurvivors: 3 }, 'minSurvivors'],
      [{ n: 2, scorer, checkpoints: [8, 8] }, 'checkpoints'],
      [{ n: 2, scorer, keep: 0 }, 'keep'],
      [{ n: 2, scorer, checkpoints: { everyTokens: 0 } }, 'checkpoints'],
    ] as const;
    for (const [options, path] of bad) {
      const error = (() => {
        try {
          speculativeBestOfN(options as never);
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]!.path).toMatch(new RegExp(`^${path}`));
    }
  });

  it('uses distinct seeds spaced by the fan-outs inside, and the sampling defaults', async () => {
    const model = scriptedModel(() => ({ text: 'x' }));
    await pipeline(model, [speculativeBestOfN({ n: 3, scorer: scorerFromFunction(() => 0), sampling: { seed: 10, temperature: 0.7 } })]).generate(user('q'));
    expect(model.requests.map((r) => r.seed).sort()).toEqual([10, 11, 12]);
    expect(model.requests.every((r) => r.temperature === 0.7)).toBe(true);
  });
});
