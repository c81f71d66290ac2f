import { z } from 'zod';
import { CategorySchema } from '../guards/taxonomy.js';
import { Secret } from '../internal/secret.js';
import { DeviceSchema } from '../onnx/options.js';

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

const OnnxSource = z.strictObject({ path: z.string().min(1), device: DeviceSchema.optional() });
const RemoteModel = z.strictObject({ model: name(), baseURL: z.url().optional(), apiKey: secret().optional() });
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
    nim: RemoteModel.optional(),
    onnx: OnnxSource.optional(),
    /** Another model id the proxy answers to with this scorer (e.g. a NIM reward model id). */
    serveAs: name().optional(),
  })
  .superRefine(oneOf(['nim', 'onnx']));

export const GuardConfigSchema = z
  .strictObject({ nemoguard: RemoteGuard.optional(), llamaGuard: RemoteGuard.optional(), onnx: OnnxSource.optional() })
  .superRefine(oneOf(['nemoguard', 'llamaGuard', 'onnx']));

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

export const PipelineStepSchema = z
  .strictObject({ safety: SafetyStep.optional(), bestOfN: BestOfNStep.optional(), scoreThreshold: ScoreThresholdStep.optional() })
  .superRefine(oneOf(['safety', 'bestOfN', 'scoreThreshold']));

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
