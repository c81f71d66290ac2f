import * as z from 'zod/mini';
import { GUARD_ENTRIES, SCORER_ENTRIES, STEP_ENTRIES, STEP_REFS, UPSTREAM_ENTRIES } from './entries.js';
import { name, secret } from './from-options.js';
import { withStringScalars } from './schema-map.js';

/** Exactly one of `keys` is set on the object. */
const oneOf = (keys: readonly string[]) =>
  z.superRefine((value: Record<string, unknown>, ctx) => {
    const set = keys.filter((k) => value[k] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({ code: 'custom', message: set.length ? `set only one of ${set.join(', ')}` : `set one of ${keys.join(', ')}`, input: value });
    }
  });

/** Each entry of `shape` optional, exactly one of them set. */
const oneKindOf = <S extends Record<string, z.core.$ZodType>>(shape: S) => {
  const optional = Object.fromEntries(Object.entries(shape).map(([k, v]) => [k, z.optional(v)])) as { [K in keyof S]: z.ZodMiniOptional<S[K]> };
  return z.strictObject(optional).check(oneOf(Object.keys(shape)));
};

export const ListenSchema = z.strictObject({
  host: z._default(z.string().check(z.minLength(1)), '127.0.0.1'),
  port: z._default(z.int().check(z.minimum(0), z.maximum(65535)), 8787),
  /** Bearer token clients must send; required when `host` is not a loopback address. */
  token: z.optional(secret()),
  /** Largest request body accepted, bytes. */
  bodyLimit: z._default(z.int().check(z.minimum(1)), 1024 * 1024),
  /** How long `close()` waits for in-flight requests before cutting them, ms. */
  shutdownTimeoutMs: z._default(z.int().check(z.minimum(0)), 10_000),
  /** Send every candidate's text in response reports (default false: clients must not see blocked answers). */
  reportCandidateText: z._default(z.boolean(), false),
  /** Deadlines of client connections, ms: headers, whole request, idle keep-alive. */
  timeouts: z.optional(
    z.strictObject({ headersMs: z.optional(z.int().check(z.minimum(1))), bodyMs: z.optional(z.int().check(z.minimum(1))), idleMs: z.optional(z.int().check(z.minimum(1))) }),
  ),
  /** Browser origins allowed to call the proxy (`scheme://host[:port]`, or `*`). */
  cors: z.optional(z.strictObject({ origins: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) })),
  /** `slim` (default): reports without raw guard outputs; `full`: with them. */
  report: z.optional(z.enum(['slim', 'full'])),
  /** One JSON line per request on stdout (`rewardgate serve` default: on); `{ prompts: true }` adds the messages. */
  accessLog: z.optional(z.union([z.boolean(), z.strictObject({ prompts: z.optional(z.boolean()) })])),
  /** Serve Prometheus metrics at GET /metrics (default true). */
  metrics: z.optional(z.boolean()),
  /** Routes forwarded to the upstream unguarded, e.g. [/v1/embeddings]. */
  passThrough: z.optional(z.array(z.string().check(z.regex(/^\/[\w./-]*$/, 'a path such as /v1/embeddings')))),
  /** Worker processes (node:cluster) sharing the port; default 1. */
  workers: z.optional(z.int().check(z.minimum(1), z.maximum(256))),
});

/** Bounds of one upstream answer (past them it ends with 502 upstream_answer_too_large). */
export const LimitsSchema = z.strictObject({
  /** Bytes of one answer body on the wire (default 32 MiB). */
  maxAnswerBytes: z.optional(z.int().check(z.minimum(1))),
  /** Characters of answer text passed on (default 2 000 000). */
  maxAnswerChars: z.optional(z.int().check(z.minimum(1))),
});

/** An OpenAI-compatible server (createClient's options) or a local chat model (`onnx`: loadChatModel's). */
export const UpstreamSchema = z
  .extend(UPSTREAM_ENTRIES.client, {
    /** The model used when a request names none. */
    model: z.optional(name()),
    onnx: z.optional(UPSTREAM_ENTRIES.onnx),
  })
  .check(oneOf(['baseURL', 'onnx']));

export const ScorerConfigSchema = z
  .extend(oneKindOf(SCORER_ENTRIES), {
    /** Another model id the proxy answers to with this scorer (e.g. a NIM reward model id). */
    serveAs: z.optional(name()),
  });

export const GuardConfigSchema = oneKindOf(GUARD_ENTRIES);

export const PipelineStepSchema = oneKindOf(STEP_ENTRIES);

type Refs = Record<string, 'scorers' | 'guards'>;

/**
 * The guard proxy's config file (JSON or YAML). See docs/server.md. Numbers and booleans also
 * take their string spelling, as `${VAR}` delivers them.
 *
 * @example
 * const config = GuardConfigFileSchema.parse({ upstream: { baseURL: 'http://127.0.0.1:8000/v1' } });
 */
export const GuardConfigFileSchema = withStringScalars(
  z
    .strictObject({
      listen: z._default(ListenSchema, () => z.parse(ListenSchema, {})),
      upstream: UpstreamSchema,
      limits: z.optional(LimitsSchema),
      scorers: z._default(z.record(name(), ScorerConfigSchema), {}),
      guards: z._default(z.record(name(), GuardConfigSchema), {}),
      pipeline: z._default(z.array(PipelineStepSchema), []),
    })
    .check(
      // Names used by the pipeline must exist, so a typo fails at load time rather than per request.
      z.superRefine((config, ctx) => {
        config.pipeline.forEach((step, i) => {
          for (const [kind, options] of Object.entries(step) as Array<[keyof typeof STEP_REFS, Record<string, unknown> | undefined]>) {
            for (const [field, registry] of Object.entries(STEP_REFS[kind] as Refs)) {
              const value = options?.[field];
              if (typeof value !== 'string' || Object.hasOwn(config[registry], value)) continue;
              const known = Object.keys(config[registry]);
              ctx.addIssue({
                code: 'custom',
                path: ['pipeline', i, kind, field],
                message: `no ${registry.slice(0, -1)} named "${value}" (${known.length ? `known: ${known.join(', ')}` : `none configured under ${registry}`})`,
                input: value,
              });
            }
          }
        });
      }),
    ),
);

/** A validated config: defaults filled in, secrets wrapped so they never print. */
export type GuardConfigFile = z.output<typeof GuardConfigFileSchema>;
/** What a config file may contain (before defaults). */
export type GuardConfigInput = z.input<typeof GuardConfigFileSchema>;
