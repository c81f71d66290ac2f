// The KV cache of an Optimum / transformers.js decoder: `past_key_values.N.key/value` inputs and
// `present.N.key/value` outputs, each `[batch, kv_heads, past_sequence, head_dim]`.
import * as z from 'zod/mini';
import { ModelLoadError } from '../errors.js';
import type { ModelConfig } from './model-folder.js';
import type { Ort, OrtTensor } from './runtime.js';
import type { Meta } from './session-io.js';

export type CacheType = 'float32' | 'float16';

/** The cache tensors of a decoder: each past input and the present output that refills it. */
export interface CacheLayout {
  entries: Array<{ past: string; present: string }>;
  type: CacheType;
  /** Key/value heads (`num_key_value_heads`: fewer than the attention heads under GQA). */
  heads: number;
  headDim: number;
}

const DecoderConfigSchema = z.looseObject({
  num_attention_heads: z.optional(z.int().check(z.positive())),
  num_key_value_heads: z.optional(z.int().check(z.positive())),
  head_dim: z.optional(z.int().check(z.positive())),
  hidden_size: z.optional(z.int().check(z.positive())),
});

/** Pairs `past_key_values.*` inputs with their `present.*` outputs; undefined when the export has no cache. */
export function describeCache(inputs: readonly Meta[], outputs: readonly Meta[], config: ModelConfig, file: string): CacheLayout | undefined {
  const pasts = inputs.filter((m) => /^past_key_values\./.test(m.name));
  if (pasts.length === 0) return undefined;
  const outputNames = new Set(outputs.map((m) => m.name));
  const entries = pasts.map((m) => {
    const present = m.name.replace(/^past_key_values\./, 'present.');
    if (!outputNames.has(present)) {
      throw new ModelLoadError(`${file}: cache input ${m.name} has no matching output ${present} (outputs: ${[...outputNames].join(', ')})`, { file });
    }
    return { past: m.name, present };
  });
  const types = new Set(pasts.map((m) => m.type ?? 'float32'));
  const type = [...types][0]!;
  if (types.size > 1 || (type !== 'float32' && type !== 'float16')) {
    throw new ModelLoadError(`${file}: cache inputs have type ${[...types].join(', ')}; expected all float32 or all float16`, { file });
  }
  const parsed = DecoderConfigSchema.safeParse(config);
  const c = parsed.success ? parsed.data : {};
  const shape = pasts[0]!.shape;
  if (shape && shape.length !== 4) {
    throw new ModelLoadError(`${file}: cache input ${pasts[0]!.name} has shape [${shape.join(', ')}]; expected [batch, heads, past_sequence, head_dim]`, { file });
  }
  const fixed = (at: number) => (typeof shape?.[at] === 'number' ? (shape[at] as number) : undefined);
  const heads = fixed(1) ?? c.num_key_value_heads ?? c.num_attention_heads;
  const headDim = fixed(3) ?? c.head_dim ?? (c.hidden_size && c.num_attention_heads ? c.hidden_size / c.num_attention_heads : undefined);
  if (heads === undefined || headDim === undefined || !Number.isInteger(headDim)) {
    throw new ModelLoadError(
      `${file}: the cache shape is symbolic and config.json does not give it (num_key_value_heads or num_attention_heads, head_dim or hidden_size)`,
      { file },
    );
  }
  return { entries, type, heads, headDim };
}

type CacheArray = Float32Array | Uint16Array;

/** Cache tensors by past input name, for `rows` sequences of `past` positions. */
export interface CacheState {
  tensors: Map<string, OrtTensor>;
  rows: number;
  past: number;
}

/** Zero-length caches for the first step. */
export function emptyCache(ort: Ort, layout: CacheLayout, rows: number): CacheState {
  const dims = [rows, layout.heads, 0, layout.headDim];
  const tensors = new Map<string, OrtTensor>();
  for (const { past } of layout.entries) {
    tensors.set(past, layout.type === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims));
  }
  return { tensors, rows, past: 0 };
}

/** One source of {@link restackCache}: these rows of `state`, minus `trim` leading positions. */
export interface CachePart {
  state: CacheState;
  rows: readonly number[];
  trim: number;
}

/**
 * Builds new cache tensors from rows of one or more caches: rows are kept, reordered or joined,
 * each left-padded with zeros (masked out) to `past` positions or cut by its part's `trim`.
 * Device tensors are read back first: a batch only changes shape when a row joins or leaves.
 */
export async function restackCache(ort: Ort, layout: CacheLayout, parts: readonly CachePart[], past: number): Promise<CacheState> {
  const { heads, headDim } = layout;
  const rows = parts.reduce((n, p) => n + p.rows.length, 0);
  const tensors = new Map<string, OrtTensor>();
  for (const { past: name } of layout.entries) {
    const sources = await Promise.all(parts.map((part) => readData(part.state.tensors.get(name)!)));
    const out = layout.type === 'float16' ? new Uint16Array(rows * heads * past * headDim) : new Float32Array(rows * heads * past * headDim);
    let row = 0;
    parts.forEach((part, k) => {
      const source = sources[k]!;
      const from = part.state.past;
      const length = from - part.trim;
      if (length > past) throw new RangeError(`restackCache: ${length} positions do not fit in ${past}`);
      for (const r of part.rows) {
        for (let h = 0; h < heads; h++) {
          const start = ((r * heads + h) * from + part.trim) * headDim;
          out.set(source.subarray(start, start + length * headDim), ((row * heads + h) * past + (past - length)) * headDim);
        }
        row++;
      }
    });
    tensors.set(name, new ort.Tensor(layout.type, out, [rows, heads, past, headDim]));
  }
  return { tensors, rows, past };
}

async function readData(tensor: OrtTensor): Promise<CacheArray> {
  // A cache kept on the GPU (IO binding) is downloaded; CPU tensors are read in place.
  const data = (tensor.location === 'cpu' ? tensor.data : await tensor.getData()) as CacheArray;
  // float16 is copied as raw half bits: a Float16Array would be converted value by value.
  return tensor.type === 'float16' && !(data instanceof Uint16Array) ? new Uint16Array(data.buffer, data.byteOffset, data.length) : data;
}

/**
 * The tensor ready to feed. Where the runtime has Float16Array (Node 24), onnxruntime-common
 * stores float16 data as one, and onnxruntime-node 1.30's binding reads such an input as 0 bytes
 * ("not enough space: expected N, got 0"); the same bits viewed as a Uint16Array feed fine.
 */
export function feedable(tensor: OrtTensor): OrtTensor {
  if (tensor.type !== 'float16' || tensor.location !== 'cpu') return tensor;
  const data = tensor.data as ArrayBufferView & { length: number };
  if (data instanceof Uint16Array) return tensor;
  (tensor as unknown as { cpuData: Uint16Array }).cpuData = new Uint16Array(data.buffer, data.byteOffset, data.length);
  return tensor;
}

/** Releases device memory of cache tensors that are no longer fed (a no-op for CPU tensors). */
export function disposeCache(state: CacheState | undefined, keep?: ReadonlySet<OrtTensor>): void {
  if (!state) return;
  for (const tensor of state.tensors.values()) if (!keep?.has(tensor) && tensor.location !== 'cpu') tensor.dispose();
}
