import * as z from 'zod';
import { CategorySchema } from '../taxonomy.js';
import { Secret } from '../internal/secret.js';
import { GuardTruncationSchema } from '../onnx/guard-input.js';
import { DeviceSchema, ModelFileOptionsSchema, oneModelFile, TruncationSchema } from '../onnx/options.js';

// Values from `${VAR}` arrive as strings: numbers and booleans accept their string spelling.
const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().int().min(min).max(max));
const num = () => z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number());
const bool = () => z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean());
// Already-wrapped secrets pass through, so a parsed config can be parsed again.
const secret = () => z.union([z.string().min(1).transform((s) => new Secret(s)), z.instanceof(Secret)]);
const name = () => z.string().min(1);

/** Exactly one of `keys` is set on the object. */
const oneOf = <T extends Record<string, unknown>>(keys: ReadonlyArray<keyof T & string>) =>
  (value: T, ctx: z.RefinementCtx) => {
    const set = keys.filter((k) => value[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({ code: 'custom', message: set.length ? `set only one of ${set.join(', ')}` : `set one of ${keys.join(', ')}` });
    }
  };

// dtype / modelFile pick the graph in the folder (model.onnx, onnx/model_fp16.onnx...).
const onnxShape = { path: z.string().min(1), device: DeviceSchema.optional(), ...ModelFileOptionsSchema.shape };
const OnnxSource = z.strictObject(onnxShape).superRefine(oneModelFile);
// A local scorer's and guard's own options (see loadScorer / loadGuard in docs/onnx.md).
const OnnxScorerSource = z
  .strictObject({ ...onnxShape, maxLength: int(1).optional(), truncation: TruncationSchema.optional(), weights: z.record(name(), num()).optional() })
  .superRefine(oneModelFile);
const OnnxGuardSource = z
  .strictObject({
    ...onnxShape,
    maxLength: int(1).optional(),
    threshold: z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().gt(0).max(1)).optional(),
    truncation: GuardTruncationSchema.optional(),
    windowOverlap: int(0).optional(),
    maxWindows: int(1, 4096).optional(),
    safeLabel: name().optional(),
    categoryMap: z.record(z.string(), CategorySchema.nullable()).optional(),
  })
  .superRefine(oneModelFile);
const RemoteModel = z.strictObject({ model: name(), baseURL: z.url().optional(), apiKey: secret().optional() });
// Attribute weights of a multi-attribute reward answer (see nimReward).
const RemoteScorer = RemoteModel.extend({ weights: z.record(name(), num()).optional() });
// Guard models have a default id (the hosted NemoGuard / Llama Guard).
const RemoteGuard = RemoteModel.extend({ model: name().optional() });

export const ListenSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: int(0, 65535).default(8787),
  /** Bearer token clients must send; required when `host` is not a loopback address. */
  token: secret().optional(),
  /** Largest request body accepted, bytes. */
  bodyLimit: int(1).default(1024 * 1024),
  /** How long `close()` waits for in-flight requests before cutting them, ms. */
  shutdownTimeoutMs: int(0).default(10_000),
  /** Send every candidate's text in response reports (default false: clients must not see blocked answers). */
  reportCandidateText: z.boolean().default(false),
  /** Deadlines of client connections, ms: headers, whole request, idle keep-alive. */
  timeouts: z.strictObject({ headersMs: int(1).optional(), bodyMs: int(1).optional(), idleMs: int(1).optional() }).optional(),
  /** Browser origins allowed to call the proxy (`scheme://host[:port]`, or `*`). */
  cors: z.strictObject({ origins: z.array(z.string().min(1)).min(1) }).optional(),
  /** `slim` (default): reports without raw guard outputs; `full`: with them. */
  report: z.enum(['slim', 'full']).optional(),
  /** One JSON line per request on stdout (`rewardgate serve` default: on); `{ prompts: true }` adds the messages. */
  accessLog: z.union([bool(), z.strictObject({ prompts: bool().optional() })]).optional(),
  /** Serve Prometheus metrics at GET /metrics (default true). */
  metrics: bool().optional(),
  /** Routes forwarded to the upstream unguarded, e.g. [/v1/embeddings]. */
  passThrough: z.array(z.string().regex(/^\/[\w./-]*$/, 'a path such as /v1/embeddings')).optional(),
  /** Worker processes (node:cluster) sharing the port; default 1. */
  workers: int(1, 256).optional(),
});

/** Bounds of one upstream answer (past them it ends with 502 upstream_answer_too_large). */
export const LimitsSchema = z.strictObject({
  /** Bytes of one answer body on the wire (default 32 MiB). */
  maxAnswerBytes: int(1).optional(),
  /** Characters of answer text passed on (default 2 000 000). */
  maxAnswerChars: int(1).optional(),
});

export const UpstreamSchema = z
  .strictObject({
    baseURL: z.url().optional(),
    apiKey: secret().optional(),
    /** The model used when a request names none. */
    model: name().optional(),
    /** Deadlines of upstream calls, ms (see the client's `timeouts`). */
    timeouts: z.strictObject({ headersMs: int(1).optional(), firstChunkMs: int(1).optional(), idleMs: int(1).optional(), totalMs: int(1).optional() }).optional(),
    /** Retries of failed upstream calls (default 2). */
    maxRetries: int(0, 20).optional(),
    onnx: OnnxSource.optional(),
  })
  .superRefine(oneOf(['baseURL', 'onnx']));

export const ScorerConfigSchema = z
  .strictObject({
    nim: RemoteScorer.optional(),
    onnx: OnnxScorerSource.optional(),
    /** Another model id the proxy answers to with this scorer (e.g. a NIM reward model id). */
    serveAs: name().optional(),
  })
  .superRefine(oneOf(['nim', 'onnx']));

// Topic control needs the app's rules; the reasoning guard takes a policy and /think or /no_think.
const TopicControlGuard = RemoteGuard.extend({ rules: z.string().min(1) });
const ReasoningGuard = RemoteGuard.extend({ policy: z.string().min(1).optional(), reasoning: bool().optional() });
const JailbreakGuard = z.strictObject({ baseURL: z.url().optional(), apiKey: secret().optional() });
const GUARD_KINDS = ['nemoguard', 'llamaGuard', 'nemotronSafetyGuard', 'topicControl', 'contentSafetyReasoning', 'jailbreakDetect', 'onnx'] as const;

export const GuardConfigSchema = z
  .strictObject({
    nemoguard: RemoteGuard.optional(),
    llamaGuard: RemoteGuard.optional(),
    nemotronSafetyGuard: RemoteGuard.optional(),
    topicControl: TopicControlGuard.optional(),
    contentSafetyReasoning: ReasoningGuard.optional(),
    jailbreakDetect: JailbreakGuard.optional(),
    onnx: OnnxGuardSource.optional(),
  })
  .superRefine(oneOf([...GUARD_KINDS]));

const SafetyStep = z.strictObject({
  guard: name(),
  input: bool().optional(),
  output: bool().optional(),
  /** The text sent instead of a refused answer. */
  refusal: z.string().min(1).optional(),
  /** Block only these taxonomy categories. */
  categories: z.array(CategorySchema).optional(),
  /** When the guard call fails: refuse (`closed`, default) or let the text through (`open`). */
  failMode: z.enum(['closed', 'open']).optional(),
  /** Streamed text held back until judged: characters, `sentence` (default) or `all`. */
  holdBack: z.union([int(1), z.literal('sentence'), z.literal('all')]).optional(),
  /** Throw a GuardrailError instead of answering with the refusal (the proxy answers 400 content_policy_violation). */
  throwOnRefusal: bool().optional(),
  /** An unavailable guard: refuse (default), allow, or throw (the proxy answers with the error). */
  onGuardError: z.enum(['refuse', 'allow', 'throw']).optional(),
  /** Judge the tool results of the request before generating. */
  toolResults: bool().optional(),
  /** A blocked tool result: refuse the request (default) or redact that tool turn. */
  onToolResult: z.enum(['refuse', 'redact']).optional(),
  /** The answer's reasoning: judge it (default), drop it, or pass it unjudged. */
  reasoning: z.enum(['guard', 'drop', 'pass']).optional(),
});
// The tool policy (its `check` is code: not in a config file).
const ToolPolicyStep = z.strictObject({
  allow: z.array(name()).optional(),
  deny: z.array(name()).optional(),
  validateArguments: bool().optional(),
  maxCalls: int(1).optional(),
  onViolation: z.enum(['resample', 'refuse', 'throw']).optional(),
  maxResamples: int(1, 10).optional(),
  refusal: z.string().min(1).optional(),
});
const BestOfNStep = z.strictObject({
  n: int(1, 128),
  scorer: name(),
  concurrency: int(1).optional(),
  sampling: z.strictObject({ temperature: num().optional(), top_p: num().optional(), seed: int(Number.MIN_SAFE_INTEGER).optional() }).optional(),
  accept: z.strictObject({ min: num() }).optional(),
});
const ScoreThresholdStep = z
  .strictObject({
    scorer: name(),
    /** Absolute bar. */
    min: num().optional(),
    /** Relative bar: beat the reference answer (default: the refusal) by this much. */
    minMargin: num().optional(),
    reference: z.string().optional(),
    maxAttempts: int(1, 20).optional(),
    onReject: z.enum(['best', 'refuse', 'throw']).optional(),
    refusal: z.string().min(1).optional(),
    feedback: z.string().min(1).optional(),
  })
  .superRefine((step, ctx) => {
    if ((step.min === undefined) === (step.minMargin === undefined)) ctx.addIssue({ code: 'custom', path: ['min'], message: 'set exactly one of min and minMargin' });
  });

// Speculative best-of-n: the same options as the code (`checkpoints: { everyTokens: 32 }`, `[16, 48]`).
const SpeculativeBestOfNStep = z
  .strictObject({
    n: int(1, 128),
    scorer: name(),
    checkpoints: z.union([z.strictObject({ everyTokens: int(1) }), z.strictObject({ everyChars: int(1) }), z.array(int(1)).min(1)]).optional(),
    keep: num().pipe(z.number().gt(0).max(1)).optional(),
    minSurvivors: int(1, 128).optional(),
    final: z.enum(['rescore', 'checkpoint']).optional(),
    onScorerError: z.enum(['continue', 'throw']).optional(),
    sampling: z.strictObject({ temperature: num().optional(), top_p: num().optional(), seed: int(Number.MIN_SAFE_INTEGER).optional() }).optional(),
  })
  .superRefine((step, ctx) => {
    const cps = step.checkpoints;
    if (Array.isArray(cps) && cps.some((x, i) => i > 0 && x <= cps[i - 1]!)) ctx.addIssue({ code: 'custom', path: ['checkpoints'], message: 'token counts must be strictly increasing' });
    if (step.minSurvivors !== undefined && step.minSurvivors > step.n) ctx.addIssue({ code: 'custom', path: ['minSurvivors'], message: `minSurvivors (${step.minSurvivors}) must not exceed n (${step.n})` });
  });

export const PipelineStepSchema = z
  .strictObject({ safety: SafetyStep.optional(), bestOfN: BestOfNStep.optional(), speculativeBestOfN: SpeculativeBestOfNStep.optional(), scoreThreshold: ScoreThresholdStep.optional(), toolPolicy: ToolPolicyStep.optional() })
  .superRefine(oneOf(['safety', 'bestOfN', 'speculativeBestOfN', 'scoreThreshold', 'toolPolicy']));

/**
 * The guard proxy's config file (JSON or YAML). See docs/server.md.
 *
 * @example
 * const config = GuardConfigFileSchema.parse({ upstream: { baseURL: 'http://127.0.0.1:8000/v1' } });
 */
export const GuardConfigFileSchema = z
  .strictObject({
    listen: ListenSchema.default(() => ListenSchema.parse({})),
    upstream: UpstreamSchema,
    limits: LimitsSchema.optional(),
    scorers: z.record(name(), ScorerConfigSchema).default({}),
    guards: z.record(name(), GuardConfigSchema).default({}),
    pipeline: z.array(PipelineStepSchema).default([]),
  })
  .superRefine((config, ctx) => {
    // Names used by the pipeline must exist, so a typo fails at load time rather than per request.
    config.pipeline.forEach((step, i) => {
      const ref = step.safety
        ? { kind: 'guards' as const, key: 'safety', field: 'guard', value: step.safety.guard }
        : step.bestOfN
          ? { kind: 'scorers' as const, key: 'bestOfN', field: 'scorer', value: step.bestOfN.scorer }
          : step.speculativeBestOfN
            ? { kind: 'scorers' as const, key: 'speculativeBestOfN', field: 'scorer', value: step.speculativeBestOfN.scorer }
          : step.scoreThreshold
            ? { kind: 'scorers' as const, key: 'scoreThreshold', field: 'scorer', value: step.scoreThreshold.scorer }
            : undefined;
      if (ref && !Object.hasOwn(config[ref.kind], ref.value)) {
        const known = Object.keys(config[ref.kind]);
        ctx.addIssue({
          code: 'custom',
          path: ['pipeline', i, ref.key, ref.field],
          message: `no ${ref.kind.slice(0, -1)} named "${ref.value}" (${known.length ? `known: ${known.join(', ')}` : `none configured under ${ref.kind}`})`,
        });
      }
    });
  });

/** A validated config: defaults filled in, secrets wrapped so they never print. */
export type GuardConfigFile = z.output<typeof GuardConfigFileSchema>;
/** What a config file may contain (before defaults). */
export type GuardConfigInput = z.input<typeof GuardConfigFileSchema>;
