import * as z from 'zod';

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
const ModelFileSchema = z
  .string()
  .min(1)
  .refine((f) => f.endsWith('.onnx'), 'must name an .onnx file (e.g. onnx/model_fp16.onnx)')
  .refine((f) => !f.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(f) && !f.split(/[\\/]/).includes('..'), 'must be a path inside the model folder');

/**
 * `dtype` and `modelFile`, shared by `loadScorer`, `loadGuard`, `loadChatModel` and the config
 * file's onnx sources. One or neither: `modelFile` names the exact graph, `dtype` picks a variant.
 */
export const ModelFileOptionsSchema = z.object({ dtype: DtypeSchema.optional(), modelFile: ModelFileSchema.optional() });

/** Which ONNX graph of a model folder a loader opens (`loadScorer`, `loadGuard`, `loadChatModel`). */
export interface ModelFileOptions {
  /**
   * Which weights: `'fp32'` (default) loads `model.onnx`, `'fp16'` `model_fp16.onnx`, `'q8'`
   * `model_quantized.onnx`, `'q4'` `model_q4.onnx`... (transformers.js names), looked for at the
   * top of the folder, then in `onnx/`.
   */
  dtype?: Dtype;
  /** The exact graph inside the folder instead, e.g. `'onnx/decoder_model_merged.onnx'`. Not with `dtype`. */
  modelFile?: string;
}

/** Adds the "not both" rule to a schema that has `dtype` and `modelFile`. */
export function oneModelFile<T extends { dtype?: unknown; modelFile?: unknown }>(value: T, ctx: z.RefinementCtx): void {
  if (value.dtype !== undefined && value.modelFile !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['modelFile'], message: 'give dtype or modelFile, not both (modelFile names the exact file)' });
  }
}

export const ClassifierOptionsSchema = z
  .object({
    path: z.string().min(1),
    device: DeviceSchema.default('auto'),
    maxLength: z.number().int().positive().optional(),
    batchSize: z.number().int().positive().max(4096).default(16),
    maxWaitMs: z.number().min(0).max(60_000).default(2),
    truncation: TruncationSchema.default('error'),
  })
  .extend(ModelFileOptionsSchema.shape);
