// Every option of a factory the config file builds is an option of the file, under the same name
// and with the same error path; what the file cannot hold is listed as code-only. Adding an option
// to a factory's schema without a sample here fails this test.
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { ClientOptionsSchema } from '../../src/client/client-options.js';
import { GUARD_ENTRIES, SCORER_ENTRIES, STEP_ENTRIES, UPSTREAM_ENTRIES } from '../../src/config/entries.js';
import { entryOrigin, revealed } from '../../src/config/from-options.js';
import { parseConfig } from '../../src/config/index.js';
import { ValidationError } from '../../src/errors.js';
import { ContentSafetyReasoningOptionsSchema } from '../../src/guards/content-safety-reasoning.js';
import { GuardModelOptionsSchema } from '../../src/guards/guard-chat.js';
import { JailbreakDetectOptionsSchema } from '../../src/guards/jailbreak-detect.js';
import { LlamaGuardOptionsSchema } from '../../src/guards/llama-guard.js';
import { TopicControlOptionsSchema } from '../../src/guards/topic-control.js';
import { BestOfNOptionsSchema } from '../../src/middleware/best-of-n/best-of-n.js';
import { ExtractReasoningOptionsSchema } from '../../src/middleware/extract-reasoning/extract-reasoning.js';
import { SafetyOptionsSchema } from '../../src/middleware/safety/safety-rails.js';
import { ScoreThresholdOptionsSchema } from '../../src/middleware/score-threshold/score-threshold.js';
import { SpeculativeBestOfNOptionsSchema } from '../../src/middleware/speculative-best-of-n/speculative-best-of-n.js';
import { ToolPolicyOptionsSchema } from '../../src/middleware/tool-policy/tool-policy.js';
import { LoadChatModelOptionsSchema, LoadGuardOptionsSchema, LoadScorerOptionsSchema } from '../../src/onnx/options.js';
import { KServeScorerOptionsSchema } from '../../src/scorers/kserve.js';
import { NimRewardOptionsSchema } from '../../src/scorers/nim-reward.js';

const URL_ = 'http://127.0.0.1:9/v1';
const registries = { scorers: { reward: { nim: { model: 'r' } } }, guards: { g: { nemoguard: {} } } };
const timeouts = { headersMs: 1000, firstChunkMs: 2000, idleMs: 3000, totalMs: 4000 };

/** Where an entry sits in a file: the config around its options, and its path in error messages. */
interface Place {
  path: string;
  config(options: Record<string, unknown>): unknown;
}
const step = (kind: string): Place => ({
  // Two steps before it, so the index in the path is not 0 by luck.
  path: `pipeline[2].${kind}`,
  config: (options) => ({ upstream: { baseURL: URL_ }, ...registries, pipeline: [{ toolPolicy: {} }, { extractReasoning: {} }, { [kind]: options }] }),
});
const guard = (kind: string): Place => ({ path: `guards.x.${kind}`, config: (options) => ({ upstream: { baseURL: URL_ }, guards: { x: { [kind]: options } } }) });
const scorer = (kind: string): Place => ({ path: `scorers.s.${kind}`, config: (options) => ({ upstream: { baseURL: URL_ }, scorers: { s: { [kind]: options } } }) });

const guardModel = { baseURL: { baseURL: URL_ }, apiKey: { apiKey: 'k-1' }, model: { model: 'my/guard' }, failMode: { failMode: 'open' }, maxTokens: { maxTokens: 30 } };
const classifier = {
  path: { path: '/models/m' },
  device: { device: 'cpu' },
  maxLength: { maxLength: 128 },
  batchSize: { batchSize: 4 },
  maxWaitMs: { maxWaitMs: 5 },
  dtype: { dtype: 'q4' },
  modelFile: { modelFile: 'onnx/model_fp16.onnx' },
};
const sampling = { sampling: { temperature: 0.7, top_p: 0.9, seed: 3 } };

/**
 * For each entry: the factory schema it must come from, where it sits, the options every sample
 * starts from (the required ones), and one valid sample per option (merged over the base).
 */
const CASES: Record<string, { entry: object; options: object; place: Place; base: Record<string, unknown>; samples: Record<string, Record<string, unknown>> }> = {
  safety: {
    entry: STEP_ENTRIES.safety,
    options: SafetyOptionsSchema,
    place: step('safety'),
    base: { guard: 'g' },
    samples: {
      guard: { guard: 'g' },
      input: { input: false },
      output: { output: false },
      toolResults: { toolResults: true },
      onToolResult: { onToolResult: 'redact' },
      reasoning: { reasoning: 'drop' },
      refusal: { refusal: 'No.' },
      categories: { categories: ['violence'] },
      onGuardError: { onGuardError: 'throw' },
      failMode: { failMode: 'open' },
      throwOnRefusal: { throwOnRefusal: true },
      holdBack: { holdBack: 200 },
    },
  },
  toolPolicy: {
    entry: STEP_ENTRIES.toolPolicy,
    options: ToolPolicyOptionsSchema,
    place: step('toolPolicy'),
    base: {},
    samples: {
      allow: { allow: ['search'] },
      deny: { deny: ['delete_files'] },
      validateArguments: { validateArguments: false },
      maxCalls: { maxCalls: 2 },
      onViolation: { onViolation: 'refuse' },
      maxResamples: { maxResamples: 3 },
      refusal: { refusal: 'No.' },
    },
  },
  bestOfN: {
    entry: STEP_ENTRIES.bestOfN,
    options: BestOfNOptionsSchema,
    place: step('bestOfN'),
    base: { n: 2, scorer: 'reward' },
    samples: { n: { n: 4 }, scorer: { scorer: 'reward' }, concurrency: { concurrency: 2 }, sampling, accept: { accept: { min: 1.5 } }, scoreReasoning: { scoreReasoning: true } },
  },
  speculativeBestOfN: {
    entry: STEP_ENTRIES.speculativeBestOfN,
    options: SpeculativeBestOfNOptionsSchema,
    place: step('speculativeBestOfN'),
    base: { n: 4, scorer: 'reward' },
    samples: {
      n: { n: 8 },
      scorer: { scorer: 'reward' },
      checkpoints: { checkpoints: [16, 48] },
      keep: { keep: 0.25 },
      minSurvivors: { minSurvivors: 2 },
      final: { final: 'checkpoint' },
      onScorerError: { onScorerError: 'throw' },
      sampling,
      scoreReasoning: { scoreReasoning: true },
    },
  },
  scoreThreshold: {
    entry: STEP_ENTRIES.scoreThreshold,
    options: ScoreThresholdOptionsSchema,
    place: step('scoreThreshold'),
    base: { scorer: 'reward', min: 0 },
    samples: {
      scorer: { scorer: 'reward' },
      min: { min: -1.5 },
      minMargin: { min: undefined, minMargin: 0.5 },
      reference: { min: undefined, minMargin: 0, reference: 'I cannot help with that.' },
      maxAttempts: { maxAttempts: 3 },
      onReject: { onReject: 'best' },
      refusal: { refusal: 'No.' },
      feedback: { feedback: 'Try again, shorter.' },
      scoreReasoning: { scoreReasoning: true },
    },
  },
  extractReasoning: {
    entry: STEP_ENTRIES.extractReasoning,
    options: ExtractReasoningOptionsSchema,
    place: step('extractReasoning'),
    base: {},
    samples: { tag: { tag: 'reasoning' }, opened: { opened: true } },
  },
  nemoguard: { entry: GUARD_ENTRIES.nemoguard, options: GuardModelOptionsSchema, place: guard('nemoguard'), base: {}, samples: guardModel },
  nemotronSafetyGuard: { entry: GUARD_ENTRIES.nemotronSafetyGuard, options: GuardModelOptionsSchema, place: guard('nemotronSafetyGuard'), base: {}, samples: guardModel },
  llamaGuard: { entry: GUARD_ENTRIES.llamaGuard, options: LlamaGuardOptionsSchema, place: guard('llamaGuard'), base: {}, samples: { ...guardModel, prompt: { prompt: 'instruction' } } },
  topicControl: {
    entry: GUARD_ENTRIES.topicControl,
    options: TopicControlOptionsSchema,
    place: guard('topicControl'),
    base: { rules: 'Cooking only.' },
    samples: { ...guardModel, rules: { rules: 'Banking only.' } },
  },
  contentSafetyReasoning: {
    entry: GUARD_ENTRIES.contentSafetyReasoning,
    options: ContentSafetyReasoningOptionsSchema,
    place: guard('contentSafetyReasoning'),
    base: {},
    samples: { ...guardModel, policy: { policy: 'S1: Competitors.' }, reasoning: { reasoning: true } },
  },
  jailbreakDetect: {
    entry: GUARD_ENTRIES.jailbreakDetect,
    options: JailbreakDetectOptionsSchema,
    place: guard('jailbreakDetect'),
    base: {},
    samples: { baseURL: { baseURL: 'http://127.0.0.1:8001' }, apiKey: { apiKey: 'k-2' }, headers: { headers: { 'x-team': 'a' } }, maxRetries: { maxRetries: 1 }, timeouts: { timeouts } },
  },
  onnxGuard: {
    entry: GUARD_ENTRIES.onnx,
    options: LoadGuardOptionsSchema,
    place: guard('onnx'),
    base: { path: '/models/g' },
    samples: {
      ...classifier,
      truncation: { truncation: 'window' },
      threshold: { threshold: 0.8 },
      categoryMap: { categoryMap: { theft: 'criminal_planning', noise: null } },
      safeLabel: { safeLabel: 'BENIGN' },
      windowOverlap: { windowOverlap: 16 },
      maxWindows: { maxWindows: 8 },
    },
  },
  nim: {
    entry: SCORER_ENTRIES.nim,
    options: NimRewardOptionsSchema,
    place: scorer('nim'),
    base: { model: 'r' },
    samples: { baseURL: { baseURL: URL_ }, apiKey: { apiKey: 'k-3' }, model: { model: 'nvidia/nemotron-4-340b-reward' }, weights: { weights: { verbosity: 0 } }, concurrency: { concurrency: 8 }, maxTokens: { maxTokens: 2048 } },
  },
  onnxScorer: {
    entry: SCORER_ENTRIES.onnx,
    options: LoadScorerOptionsSchema,
    place: scorer('onnx'),
    base: { path: '/models/r' },
    samples: { ...classifier, truncation: { truncation: 'oldest-turns' }, weights: { weights: { LABEL_0: 1, LABEL_1: -0.5 } } },
  },
  kserve: {
    entry: SCORER_ENTRIES.kserve,
    options: KServeScorerOptionsSchema,
    place: scorer('kserve'),
    base: { baseURL: 'http://triton:8000', model: 'tiny-reward', tokenizer: '/models/r' },
    samples: {
      baseURL: { baseURL: 'http://triton:8001' },
      model: { model: 'other' },
      version: { version: '3' },
      tokenizer: { tokenizer: '/models/other' },
      padTokenId: { padTokenId: 1 },
      labels: { labels: ['a', 'b'] },
      weights: { labels: ['a', 'b'], weights: { a: 1, b: -1 } },
      inputIds: { inputIds: 'ids' },
      attentionMask: { attentionMask: null },
      output: { output: 'scores' },
      datatype: { datatype: 'INT32' },
      batchSize: { batchSize: 8 },
      maxLength: { maxLength: 512 },
      apiKey: { apiKey: 'k-4' },
      headers: { headers: { 'x-team': 'b' } },
      maxRetries: { maxRetries: 0 },
      timeouts: { timeouts },
    },
  },
  client: {
    entry: UPSTREAM_ENTRIES.client,
    options: ClientOptionsSchema,
    place: { path: 'upstream', config: (options) => ({ upstream: options }) },
    base: { baseURL: URL_ },
    samples: {
      baseURL: { baseURL: 'http://127.0.0.1:8000/v1' },
      apiKey: { apiKey: 'k-5' },
      maxRetries: { maxRetries: 4 },
      timeouts: { timeouts },
      headers: { headers: { 'x-team': 'c' } },
      nvcf: { nvcf: { statusBaseURL: 'http://127.0.0.1:8000/status', pollIntervalMs: 50 } },
      maxStreamBufferSize: { maxStreamBufferSize: 65536 },
    },
  },
  onnxChat: {
    entry: UPSTREAM_ENTRIES.onnx,
    options: LoadChatModelOptionsSchema,
    place: { path: 'upstream.onnx', config: (options) => ({ upstream: { onnx: options } }) },
    base: { path: '/models/chat' },
    samples: {
      path: { path: '/models/chat2' },
      device: { device: 'cuda' },
      generationPrompt: { generationPrompt: '<|assistant|>\n' },
      batchSize: { batchSize: 4 },
      session: { session: { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'basic' } },
      dtype: { dtype: 'fp16' },
      modelFile: { modelFile: 'onnx/decoder_model_merged.onnx' },
    },
  },
};

// Not an option value any schema here accepts, wherever it is put.
const BAD = [[{}]];

function issuesOf(config: unknown): Array<{ path: string; message: string }> {
  try {
    parseConfig(config, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  return [];
}

/** The parsed entry at `path` of a config. */
function entryAt(config: unknown, path: string): Record<string, unknown> {
  const parsed = parseConfig(config, { env: {} }) as unknown as Record<string, unknown>;
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], parsed) as Record<string, unknown>;
}

describe('option parity between the code and the config file', () => {
  it('covers every entry of the file, each made from its factory schema', () => {
    const entries = [...Object.values(STEP_ENTRIES), ...Object.values(GUARD_ENTRIES), ...Object.values(SCORER_ENTRIES), ...Object.values(UPSTREAM_ENTRIES)];
    expect(new Set(Object.values(CASES).map((c) => c.entry))).toEqual(new Set(entries));
    for (const [name, c] of Object.entries(CASES)) expect(entryOrigin(c.entry)?.options, name).toBe(c.options);
  });

  for (const [name, c] of Object.entries(CASES)) {
    describe(name, () => {
      const origin = entryOrigin(c.entry)!;
      const keys = Object.keys((c.options as z.ZodMiniObject).shape);
      const settable = keys.filter((k) => !origin.codeOnly.includes(k));

      it('has a sample for every option the file can set, and no sample for another', () => {
        expect(Object.keys(c.samples).sort()).toEqual([...settable].sort());
      });

      it('accepts each option under its own name, numbers and booleans spelled as strings too', () => {
        for (const key of settable) {
          const options = { ...c.base, ...c.samples[key] };
          const entry = entryAt(c.place.config(options), c.place.path);
          expect(revealed(entry[key]), `${name}.${key}`).toEqual(options[key]);
          const value = options[key];
          if (typeof value === 'number' || typeof value === 'boolean') {
            expect(entryAt(c.place.config({ ...options, [key]: String(value) }), c.place.path)[key], `${name}.${key} as a string`).toEqual(value);
          }
        }
      });

      it('names the bad option with its full path, as the factory names it', () => {
        for (const key of settable) {
          const paths = issuesOf(c.place.config({ ...c.base, [key]: BAD })).map((i) => i.path);
          expect(paths.some((p) => p === `${c.place.path}.${key}` || p.startsWith(`${c.place.path}.${key}.`) || p.startsWith(`${c.place.path}.${key}[`)), `${name}.${key}: ${paths.join(', ')}`).toBe(true);
          const factory = z.safeParse(c.options as z.ZodMiniObject, { [key]: BAD });
          expect(factory.success || factory.error.issues.some((i) => i.path[0] === key), `${name}.${key} in code`).toBe(true);
        }
      });

      it('refuses the code-only options, which a file cannot hold', () => {
        for (const key of origin.codeOnly) {
          expect(keys).toContain(key);
          const issues = issuesOf(c.place.config({ ...c.base, [key]: 'x' }));
          expect(issues.find((i) => i.path === `${c.place.path}.${key}`)?.message, `${name}.${key}`).toBe(`${key} is an option for code only (a function or a live object): a config file cannot set it`);
        }
      });
    });
  }
});

describe("a factory's own rules check its config entry at load time", () => {
  it('with the path of the key in the file', () => {
    const upstream = { baseURL: URL_ };
    const at = (config: object) => issuesOf({ upstream, ...registries, ...config });
    expect(at({ pipeline: [{ toolPolicy: {} }, { scoreThreshold: { scorer: 'reward', min: 1, minMargin: 1 } }] })).toEqual([
      { path: 'pipeline[1].scoreThreshold.min', message: 'give exactly one of min and minMargin' },
    ]);
    expect(at({ pipeline: [{ scoreThreshold: { scorer: 'reward', min: 1, reference: 'No.' } }] })).toEqual([
      { path: 'pipeline[0].scoreThreshold.reference', message: 'reference is only used with minMargin' },
    ]);
    expect(at({ pipeline: [{ safety: { guard: 'g', input: false, output: false } }] })).toEqual([
      { path: 'pipeline[0].safety.input', message: 'enable at least one of input, output and toolResults' },
    ]);
    expect(at({ guards: { x: { onnx: { path: '/m', dtype: 'q4', modelFile: 'a.onnx' } } } })).toEqual([
      { path: 'guards.x.onnx.modelFile', message: 'give dtype or modelFile, not both (modelFile names the exact file)' },
    ]);
    expect(at({ scorers: { s: { nim: { model: 'r', weights: { helpfulnes: 1 } } } } })[0]!.path).toBe('scorers.s.nim.weights.helpfulnes');
    expect(at({ scorers: { s: { kserve: { baseURL: 'http://triton:8000', model: 'm', tokenizer: '/m', labels: ['a'], weights: { b: 1 } } } } })).toEqual([
      { path: 'scorers.s.kserve.weights.b', message: 'no such label' },
    ]);
  });

  it('keeps the file as written: defaults are filled in by the factory, not by the parse', () => {
    const config = parseConfig({ upstream: { baseURL: URL_ }, ...registries, pipeline: [{ toolPolicy: {} }, { safety: { guard: 'g' } }] }, { env: {} });
    expect(config.pipeline).toEqual([{ toolPolicy: {} }, { safety: { guard: 'g' } }]);
  });
});
