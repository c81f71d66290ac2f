import * as z from 'zod/mini';
import { CategorySchema } from '../taxonomy.js';
import { GuardTruncationSchema } from './guard-input.js';
import { SessionOptionsSchema } from './session-options.js';

/** Zod pieces shared by the loaders' option schemas. */
export const DeviceSchema = z.enum(['auto', 'cuda', 'webgpu', 'cpu']);
export const TruncationSchema = z.enum(['error', 'oldest-turns']);

/**
 * The weight variants of a model folder, named as transformers.js names them: `fp32` is
 * `model.onnx`, the others add a suffix (`q8` is `model_quantized.onnx`, `q4` is `model_q4.onnx`...).
 */
export const DTYPE_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  int8: '_int8',
  uint8: '_uint8',
  q8: '_quantized',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
  q2: '_q2',
  q2f16: '_q2f16',
  q1: '_q1',
  q1f16: '_q1f16',
} as const;

/** A weight variant: which `model{suffix}.onnx` of the folder (or its `onnx/` subfolder) to load. */
export type Dtype = keyof typeof DTYPE_SUFFIX;
export const DtypeSchema = z.enum(Object.keys(DTYPE_SUFFIX) as [Dtype, ...Dtype[]]);

/** A graph file inside the folder: relative, ending in `.onnx`, never leaving the folder. */
const ModelFileSchema = z.string().check(
  z.minLength(1),
  z.refine((f) => f.endsWith('.onnx'), 'must name an .onnx file (e.g. onnx/model_fp16.onnx)'),
  z.refine((f) => !f.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(f) && !f.split(/[\\/]/).includes('..'), 'must be a path inside the model folder'),
);

/**
 * `dtype` and `modelFile`, shared by `loadScorer`, `loadGuard`, `loadChatModel` and the config
 * file's onnx sources. One or neither: `modelFile` names the exact graph, `dtype` picks a variant.
 */
export const ModelFileOptionsSchema = z.strictObject({
  /**
   * Which weights: `'fp32'` (default) loads `model.onnx`, `'fp16'` `model_fp16.onnx`, `'q8'`
   * `model_quantized.onnx`, `'q4'` `model_q4.onnx`... (transformers.js names), looked for at the
   * top of the folder, then in `onnx/`.
   */
  dtype: z.optional(DtypeSchema),
  /** The exact graph inside the folder instead, e.g. `'onnx/decoder_model_merged.onnx'`. Not with `dtype`. */
  modelFile: z.optional(ModelFileSchema),
});

/**
 * Which ONNX graph of a model folder a loader opens (`loadScorer`, `loadGuard`, `loadChatModel`).
 *
 * @example
 * const variant: ModelFileOptions = { dtype: 'q4' };
 * @interface
 */
export type ModelFileOptions = z.input<typeof ModelFileOptionsSchema>;

/** The "not both" rule of `dtype` and `modelFile`, for every schema that has them. */
export const oneModelFile = z.refine<{ dtype?: unknown; modelFile?: unknown }>((o) => o.dtype === undefined || o.modelFile === undefined, {
  message: 'give dtype or modelFile, not both (modelFile names the exact file)',
  path: ['modelFile'],
});

/** The options every local classifier loader takes (`loadScorer`, `loadGuard`); each adds its own. */
export const ClassifierOptionsSchema = z.extend(ModelFileOptionsSchema, {
  /** A Hugging Face model folder: model.onnx (or onnx/model.onnx), config.json, tokenizer.json, tokenizer_config.json, chat template. */
  path: z.string().check(z.minLength(1)),
  /** Default `'auto'`: CUDA, then WebGPU, then CPU. */
  device: z._default(DeviceSchema, 'auto'),
  /** Longest input in tokens; default `max_position_embeddings` from config.json. */
  maxLength: z.optional(z.int().check(z.positive())),
  /** Most conversations per model run; default 16. */
  batchSize: z._default(z.int().check(z.positive(), z.maximum(4096)), 16),
  /** How long a lone request waits for others to share its run; default 2 ms. */
  maxWaitMs: z._default(z.number().check(z.minimum(0), z.maximum(60_000)), 2),
  /** Conversations over `maxLength`: `'error'` (default) or `'oldest-turns'`. */
  truncation: z._default(TruncationSchema, 'error'),
});

/** The options of `loadScorer`; the config file's `onnx` scorers are made from it. */
export const LoadScorerOptionsSchema = z
  .extend(ClassifierOptionsSchema, {
    /** Several labels: `value` = sum of `weights[label] * attribute` (a missing label weighs 0; no weights: every label weighs 1). */
    weights: z.optional(z.record(z.string(), z.number())),
  })
  .check(oneModelFile);

/** The options of `loadGuard`; the config file's `onnx` guards are made from it. */
export const LoadGuardOptionsSchema = z
  .extend(ClassifierOptionsSchema, {
    /** A Hugging Face model folder of a sequence classifier whose `id2label` names categories. */
    path: z.string().check(z.minLength(1)),
    /** Unsafe when the probability of not-safe reaches this; a category is listed when its own does. Default 0.5. */
    threshold: z._default(z.number().check(z.gt(0), z.maximum(1)), 0.5),
    /**
     * Model label -> taxonomy category (`null` ignores the label). Unmapped labels that name a
     * category map to it; prompt-injection labels (`MALICIOUS`, `INJECTION`, `JAILBREAK`) as
     * `promptGuardCategories` says; others to `'other'`.
     */
    categoryMap: z._default(z.record(z.string(), z.nullable(CategorySchema)), {}),
    /** The label that means safe; default `'safe'`, or `BENIGN` / `SAFE` for prompt-injection labels. Not needed for multi-label models. */
    safeLabel: z.optional(z.string().check(z.minLength(1))),
    /** Longest input in tokens; default `max_position_embeddings` (the tokenizer's `model_max_length` when smaller). */
    maxLength: z.optional(z.int().check(z.positive())),
    /**
     * Inputs over `maxLength`: `'window'`, `'oldest-turns'`, `'keep-start'` or `'error'` (see
     * `GuardTruncation`). Default `'window'` for prompt-injection classifiers (labels such as
     * `BENIGN` / `MALICIOUS`), else `'error'`.
     */
    truncation: z.optional(GuardTruncationSchema),
    /** Tokens that neighbouring windows share, so that a phrase cut by one window is whole in the next. Default 64 (a quarter of a window when that is less). */
    windowOverlap: z.optional(z.int().check(z.minimum(0))),
    /** Most windows one input may take (all run in one batch); a longer input is a GuardInputError. Default 64. */
    maxWindows: z._default(z.int().check(z.positive(), z.maximum(4096)), 64),
  })
  .check(oneModelFile);

/** The options of `loadChatModel`; the config file's `upstream.onnx` is made from it. */
export const LoadChatModelOptionsSchema = z
  .extend(ModelFileOptionsSchema, {
    /** A Hugging Face causal-LM folder: the ONNX export (with or without a KV cache), tokenizer, chat template. */
    path: z.string().check(z.minLength(1)),
    /** Default `'auto'`: CUDA, then WebGPU, then CPU. */
    device: z._default(DeviceSchema, 'auto'),
    /**
     * Text appended to the rendered template when it has no `add_generation_prompt` branch.
     * Default: `'<|assistant|>\n'` when the tokenizer has that token, else nothing.
     */
    generationPrompt: z.optional(z.string()),
    /** Most sequences decoded in one step: concurrent calls (best-of-n candidates) share steps. Default 16. */
    batchSize: z._default(z.int().check(z.positive(), z.maximum(1024)), 16),
    /** onnxruntime session settings (threads, graph optimisation). */
    session: z.optional(SessionOptionsSchema),
  })
  .check(oneModelFile);
