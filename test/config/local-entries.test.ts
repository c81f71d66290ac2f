// The config file sets what code sets: a local guard's threshold, truncation and windowing, a
// local scorer's truncation and weights, a NIM scorer's weights (real fixture models; msw for NIM).
import { readFileSync } from 'node:fs';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { buildFromConfig, parseConfig } from '../../src/config/index.js';
import { GuardInputError, ValidationError } from '../../src/errors.js';
import type { LocalGuard, LocalGuardRaw, LocalScorer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { NIM, remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();
const GUARD = 'test/fixtures/models/tiny-guard';
const INJECTION = 'test/fixtures/models/tiny-injection';
const REWARD = 'test/fixtures/models/tiny-reward';
const upstream = { baseURL: 'https://upstream.test/v1', model: 'm' };
const refs = JSON.parse(readFileSync(`${INJECTION}/refs-injection.json`, 'utf8')) as { filler: string; attack: string };

describe('config: local guard and scorer options', () => {
  it("a local guard's threshold, maxLength, truncation and windowing come from the file (strings from ${VAR} too)", async () => {
    const built = await buildFromConfig({
      upstream,
      guards: {
        cut: { onnx: { path: GUARD, device: 'cpu', maxLength: '24' as never, truncation: 'keep-start', threshold: '0.9' as never } },
        strict: { onnx: { path: GUARD, device: 'cpu', maxLength: 24 } },
        injection: { onnx: { path: INJECTION, device: 'cpu', truncation: 'window', windowOverlap: 16, maxWindows: 8 } },
      },
    });
    try {
      const cut = built.guards.cut as LocalGuard;
      expect([cut.maxLength, cut.truncation]).toEqual([24, 'keep-start']);
      const long: Message[] = [{ role: 'user', content: `${'I want to grow tomatoes. '.repeat(10)}Tell me how to steal my neighbor's password.` }];
      expect(((await cut.check(long)).raw as LocalGuardRaw).truncated!.droppedTokens).toBeGreaterThan(0);
      // threshold 0.9: a theft ask the default 0.5 blocks passes when the model is less sure than that.
      const ask: Message[] = [{ role: 'user', content: "Tell me how to steal my neighbor's password." }];
      const unsure = await cut.check(ask);
      expect(unsure.safe).toBe(1 - (unsure.raw as LocalGuardRaw).probabilities.safe! < 0.9);
      await expect((built.guards.strict as LocalGuard).check(long)).rejects.toBeInstanceOf(GuardInputError);
      const injection = built.guards.injection as LocalGuard;
      const before = injection.stats();
      const v = await injection.check([{ role: 'tool', tool_call_id: 'c1', content: `${refs.filler} ${refs.attack}` }]);
      expect(v.categories[0]).toMatchObject({ category: 'prompt_injection', label: 'MALICIOUS' });
      // windowOverlap 16: windows of 510 text tokens step by 494.
      expect(injection.stats().runs - before.runs).toBe(1);
      expect((v.raw as LocalGuardRaw).windows!.unsafeness.length).toBe(injection.stats().sequences - before.sequences);
    } finally {
      await built.close();
    }
  });

  it("a local scorer's weights and a NIM scorer's weights come from the file", async () => {
    server.use(
      http.post(`${NIM}/chat/completions`, () =>
        HttpResponse.json({ choices: [{ index: 0, message: { role: 'assistant', content: 'helpfulness:2,verbosity:4' }, finish_reason: 'length' }] }),
      ),
    );
    const built = await buildFromConfig({
      upstream,
      scorers: {
        nim: { nim: { model: 'my/multi-reward', baseURL: NIM, weights: { helpfulness: 1, verbosity: '-0.5' as never } } },
        // tiny-guard has several labels, so as a scorer its value is their weighted sum.
        weighted: { onnx: { path: GUARD, device: 'cpu', weights: { safe: 1, violence: '-0.5' as never }, truncation: 'oldest-turns', maxLength: 40 } },
        strict: { onnx: { path: GUARD, device: 'cpu', maxLength: 40 } },
      },
    });
    try {
      const convo: Message[] = [
        { role: 'user', content: 'Name a prime.' },
        { role: 'assistant', content: 'Seven.' },
      ];
      // Without weights a reply with attributes only the NIM cards know would be an error.
      expect((await built.scorers.nim!.score([convo]))[0]).toMatchObject({ value: 2 - 2, attributes: { helpfulness: 2, verbosity: 4 } });
      const weighted = built.scorers.weighted as LocalScorer;
      expect(weighted.maxLength).toBe(40);
      const [score] = await weighted.score([convo]);
      expect(score!.value).toBeCloseTo(score!.attributes!.safe! - 0.5 * score!.attributes!.violence!, 5);
      const long: Message[] = [
        { role: 'user', content: 'I want to grow tomatoes. Where do I start? Tell me all about soil and water.' },
        { role: 'assistant', content: 'Start with good soil, then water them every morning.' },
        ...convo,
      ];
      await expect(weighted.score([long])).resolves.toHaveLength(1);
      await expect(built.scorers.strict!.score([long])).rejects.toThrow(/over maxLength 40/);
    } finally {
      await built.close();
    }
  });

  it('bad values are ValidationErrors with the zod path of the entry', () => {
    const issues = (guards: unknown, scorers: unknown = {}) => {
      try {
        parseConfig({ upstream, guards, scorers } as never);
        return [];
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return e.issues.map((i) => i.path);
      }
    };
    expect(issues({ g: { onnx: { path: GUARD, threshold: 2 } } })).toEqual(['guards.g.onnx.threshold']);
    expect(issues({ g: { onnx: { path: GUARD, truncation: 'middle' } } })).toEqual(['guards.g.onnx.truncation']);
    expect(issues({ g: { onnx: { path: GUARD, windowOverlap: -1, maxWindows: 0 } } })).toEqual(['guards.g.onnx.windowOverlap', 'guards.g.onnx.maxWindows']);
    expect(issues({ g: { onnx: { path: GUARD, categoryMap: { theft: 'stealing' } } } })).toEqual(['guards.g.onnx.categoryMap.theft']);
    expect(issues({ g: { onnx: { path: GUARD, weights: { a: 1 } } } })).toEqual(['guards.g.onnx']);
    expect(issues({}, { s: { onnx: { path: REWARD, truncation: 'window' } } })).toEqual(['scorers.s.onnx.truncation']);
    expect(issues({}, { s: { nim: { model: 'r', weights: { a: 'x' } } } })).toEqual(['scorers.s.nim.weights.a']);
  });
});
