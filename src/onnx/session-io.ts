import { ModelLoadError } from '../errors.js';
import type { ModelConfig } from './model-folder.js';
import { describeCache, type CacheLayout } from './kv-cache.js';
import type { OrtSession, OrtTensor } from './runtime.js';

export type IntType = 'int64' | 'int32';

/** An integer input: its name and whether it takes int64 or int32. */
export interface IntInput {
  name: string;
  type: IntType;
}

/**
 * A causal LM's inputs and outputs, read from its session: token ids, and when the export
 * declares them the attention mask, positions, token types, the KV cache (`past_key_values.*` in,
 * `present.*` out), `num_logits_to_keep` and `use_cache_branch` (merged decoders).
 */
export interface DecoderIO {
  inputIds: IntInput;
  attentionMask: IntInput | undefined;
  positionIds: IntInput | undefined;
  tokenTypeIds: IntInput | undefined;
  /** `num_logits_to_keep` / `logits_to_keep`: fed 1, so only the last position's logits are computed. */
  logitsToKeep: IntInput | undefined;
  /** `use_cache_branch` (a bool): true once there is a past. */
  useCacheBranch: string | undefined;
  logits: string;
  cache: CacheLayout | undefined;
}

export interface Meta {
  name: string;
  isTensor?: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

/**
 * Finds every input by role; an input no role fills (pixel values, an encoder's states) makes
 * the model unsupported, named in the error. Cache shapes come from the session, or from
 * `config.json` (`num_key_value_heads`, `head_dim`) where the export leaves them symbolic.
 */
export function describeDecoder(session: OrtSession, modelFile: string, config: ModelConfig): DecoderIO {
  const inputs = metadataOf(session.inputNames, (session as { inputMetadata?: readonly Meta[] }).inputMetadata);
  const outputs = metadataOf(session.outputNames, (session as { outputMetadata?: readonly Meta[] }).outputMetadata);
  const pick = (pattern: RegExp) => inputs.find((m) => pattern.test(m.name));
  const ids = pick(/input_ids/i) ?? inputs.find((m) => isInt(m.type));
  if (!ids) throw new ModelLoadError(`${modelFile} has no token-id input (inputs: ${session.inputNames.join(', ')})`, { file: modelFile });
  const mask = pick(/attention_mask/i);
  const positions = pick(/position_ids/i);
  const types = pick(/token_type_ids/i);
  const keep = pick(/^(num_)?logits_to_keep$/);
  const branch = pick(/^use_cache_branch$/);
  const cache = describeCache(inputs, outputs, config, modelFile);
  const known = new Set([ids, mask, positions, types, keep, branch].filter((m) => m !== undefined).map((m) => m.name));
  for (const entry of cache?.entries ?? []) known.add(entry.past);
  const unknown = inputs.filter((m) => !known.has(m.name)).map((m) => m.name);
  if (unknown.length > 0) {
    throw new ModelLoadError(
      `${modelFile} has inputs rewardgate cannot fill: ${unknown.join(', ')} (filled: input_ids, attention_mask, position_ids, token_type_ids, past_key_values.N.key/value, num_logits_to_keep, use_cache_branch)`,
      { file: modelFile },
    );
  }
  const logits = session.outputNames.find((n) => /logits/i.test(n)) ?? session.outputNames[0];
  if (logits === undefined) throw new ModelLoadError(`${modelFile} has no outputs`, { file: modelFile });
  const int = (m: Meta | undefined) => m && { name: m.name, type: intType(m.type, modelFile, m.name) };
  return {
    inputIds: int(ids)!,
    attentionMask: int(mask),
    positionIds: int(positions),
    tokenTypeIds: int(types),
    logitsToKeep: int(keep),
    useCacheBranch: branch?.name,
    logits,
    cache,
  };
}

function metadataOf(names: readonly string[], metadata: readonly Meta[] | undefined): Meta[] {
  // onnxruntime-node before 1.22 has no metadata: assume int64 ids, the Hugging Face export default.
  return names.map((name) => metadata?.find((m) => m.name === name) ?? { name, type: /past_key_values/.test(name) ? 'float32' : 'int64' });
}

function isInt(type: string | undefined): boolean {
  return type === 'int64' || type === 'int32';
}

function intType(type: string | undefined, file: string, name: string): IntType {
  if (type === undefined || type === 'int64') return 'int64';
  if (type === 'int32') return 'int32';
  throw new ModelLoadError(`${file}: input ${name} has type ${type}; expected int64 or int32`, { file });
}

/** A right-padded batch: `ids` and `mask` are row-major `[rows, width]`. */
export interface PaddedBatch {
  rows: number;
  width: number;
  ids: number[];
  mask: number[];
  /** Index of each row's last real token. */
  last: number[];
}

/** Right-pads token sequences with `padId` into one rectangular batch. */
export function padRight(sequences: readonly (readonly number[])[], padId: number): PaddedBatch {
  const width = Math.max(1, ...sequences.map((s) => s.length));
  const ids: number[] = [];
  const mask: number[] = [];
  for (const seq of sequences) {
    for (let i = 0; i < width; i++) {
      ids.push(i < seq.length ? seq[i]! : padId);
      mask.push(i < seq.length ? 1 : 0);
    }
  }
  return { rows: sequences.length, width, ids, mask, last: sequences.map((s) => s.length - 1) };
}

/** A float tensor's values as float32, decoding float16 (raw half bits in a Uint16Array). */
export function floatsOf(tensor: OrtTensor): Float32Array {
  const data = tensor.data as unknown;
  if (data instanceof Float32Array) return data;
  if (tensor.type === 'float16') {
    const source = data as ArrayLike<number>;
    if (data instanceof Uint16Array) return Float32Array.from(data, halfToFloat);
    return Float32Array.from(source);
  }
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new ModelLoadError(`Model output has type ${tensor.type}; expected float32 or float16 logits`);
}

/**
 * Values `[from, from + length)` of a float tensor's data as a new float32 array: one row of
 * logits, without converting (or copying) the rest of a float16 tensor.
 */
export function floatsAt(data: unknown, type: string, from: number, length: number): Float32Array {
  if (data instanceof Float32Array) return data.slice(from, from + length);
  if (type === 'float16' && data instanceof Uint16Array) return Float32Array.from(data.subarray(from, from + length), halfToFloat);
  if (data instanceof Float64Array || (type === 'float16' && ArrayBuffer.isView(data))) {
    return Float32Array.from((data as Float64Array).subarray(from, from + length));
  }
  throw new ModelLoadError(`Model output has type ${type}; expected float32 or float16 logits`);
}

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
