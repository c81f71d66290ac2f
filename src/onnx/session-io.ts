import { ModelLoadError } from '../errors.js';
import type { Ort, OrtSession, OrtTensor } from './runtime.js';

type IntType = 'int64' | 'int32';

/** The names (and integer types) of a text model's inputs and output, read from its session. */
export interface SessionIO {
  inputIds: { name: string; type: IntType };
  attentionMask: { name: string; type: IntType } | undefined;
  positionIds: { name: string; type: IntType } | undefined;
  output: string;
}

interface Meta {
  name: string;
  isTensor?: boolean;
  type?: string;
}

/**
 * Finds `input_ids`, `attention_mask` and `position_ids` among the session's inputs and the
 * logits output, so exports with other names or int32 ids work. Inputs it cannot fill (a KV
 * cache, token types) make the model unsupported, named in the error.
 */
export function describeSession(session: OrtSession, modelFile: string): SessionIO {
  const metas = metadataOf(session.inputNames, (session as { inputMetadata?: readonly Meta[] }).inputMetadata);
  const pick = (pattern: RegExp) => metas.find((m) => pattern.test(m.name));
  const ids = pick(/input_ids/i) ?? metas.find((m) => isInt(m.type));
  if (!ids) throw new ModelLoadError(`${modelFile} has no token-id input (inputs: ${session.inputNames.join(', ')})`, { file: modelFile });
  const mask = pick(/attention_mask/i);
  const positions = pick(/position_ids/i);
  const known = new Set([ids, mask, positions].filter(Boolean).map((m) => m!.name));
  const unknown = metas.filter((m) => !known.has(m.name)).map((m) => m.name);
  if (unknown.length > 0) {
    throw new ModelLoadError(
      `${modelFile} has inputs rewardgate cannot fill: ${unknown.join(', ')} (supported: input ids, attention_mask, position_ids; export without a KV cache)`,
      { file: modelFile },
    );
  }
  const output = session.outputNames.find((n) => /logits/i.test(n)) ?? session.outputNames[0];
  if (output === undefined) throw new ModelLoadError(`${modelFile} has no outputs`, { file: modelFile });
  const io = (m: Meta) => ({ name: m.name, type: intType(m.type, modelFile, m.name) });
  return { inputIds: io(ids), attentionMask: mask && io(mask), positionIds: positions && io(positions), output };
}

function metadataOf(names: readonly string[], metadata: readonly Meta[] | undefined): Meta[] {
  // onnxruntime-node before 1.22 has no inputMetadata: assume int64, the Hugging Face export default.
  return names.map((name) => metadata?.find((m) => m.name === name) ?? { name, type: 'int64' });
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

/** Builds the session feeds for a padded batch. */
export function makeFeeds(ort: Ort, io: SessionIO, batch: PaddedBatch): Record<string, OrtTensor> {
  const dims = [batch.rows, batch.width];
  const tensor = (type: IntType, values: number[]) =>
    type === 'int64'
      ? new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims)
      : new ort.Tensor('int32', Int32Array.from(values), dims);
  const feeds: Record<string, OrtTensor> = { [io.inputIds.name]: tensor(io.inputIds.type, batch.ids) };
  if (io.attentionMask) feeds[io.attentionMask.name] = tensor(io.attentionMask.type, batch.mask);
  if (io.positionIds) {
    // Positions count real tokens; pads past the end repeat the last position (masked anyway).
    const positions = batch.mask.map((_, k) => Math.min(k % batch.width, batch.last[Math.floor(k / batch.width)]!));
    feeds[io.positionIds.name] = tensor(io.positionIds.type, positions);
  }
  return feeds;
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

function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}
