// The inputs of a sequence-classification export and how to fill them: token ids, and when the
// export declares them the attention mask, positions and token types (BERT-style encoders
// declare `token_type_ids`; a single sequence is all type 0, as transformers fills it).
import { ModelLoadError } from '../errors.js';
import type { Ort, OrtSession, OrtTensor } from './runtime.js';
import type { PaddedBatch } from './session-io.js';

type IntType = 'int64' | 'int32';
interface Input {
  name: string;
  type: IntType;
}

/** The classifier's inputs (by role) and its logits output, read from the session. */
export interface ClassifierInputs {
  inputIds: Input;
  attentionMask: Input | undefined;
  positionIds: Input | undefined;
  tokenTypeIds: Input | undefined;
  output: string;
}

interface Meta {
  name: string;
  type?: string;
}

/**
 * Finds each input by name (int64 or int32); an input none of these roles fills (a KV cache, pixel
 * values) makes the model unsupported as a classifier, named in the error.
 */
export function describeClassifier(session: OrtSession, modelFile: string): ClassifierInputs {
  // onnxruntime-node before 1.22 has no inputMetadata: assume int64, the Hugging Face export default.
  const metadata = (session as { inputMetadata?: readonly Meta[] }).inputMetadata;
  const metas: Meta[] = session.inputNames.map((name) => metadata?.find((m) => m.name === name) ?? { name, type: 'int64' });
  const pick = (pattern: RegExp) => metas.find((m) => pattern.test(m.name));
  const ids = pick(/input_ids/i) ?? metas.find((m) => m.type === 'int64' || m.type === 'int32');
  if (!ids) throw new ModelLoadError(`${modelFile} has no token-id input (inputs: ${session.inputNames.join(', ')})`, { file: modelFile });
  const mask = pick(/attention_mask/i);
  const positions = pick(/position_ids/i);
  const types = pick(/token_type_ids/i);
  const known = new Set([ids, mask, positions, types].filter((m) => m !== undefined).map((m) => m.name));
  const unknown = metas.filter((m) => !known.has(m.name)).map((m) => m.name);
  if (unknown.length > 0) {
    throw new ModelLoadError(
      `${modelFile} has inputs a sequence classifier does not take: ${unknown.join(', ')} (filled: input_ids, attention_mask, position_ids, token_type_ids; export with --task text-classification)`,
      { file: modelFile },
    );
  }
  const output = session.outputNames.find((n) => /logits/i.test(n)) ?? session.outputNames[0];
  if (output === undefined) throw new ModelLoadError(`${modelFile} has no outputs`, { file: modelFile });
  const input = (m: Meta | undefined) => m && { name: m.name, type: intType(m, modelFile) };
  return { inputIds: input(ids)!, attentionMask: input(mask), positionIds: input(positions), tokenTypeIds: input(types), output };
}

function intType(meta: Meta, file: string): IntType {
  if (meta.type === undefined || meta.type === 'int64') return 'int64';
  if (meta.type === 'int32') return 'int32';
  throw new ModelLoadError(`${file}: input ${meta.name} has type ${meta.type}; expected int64 or int32`, { file });
}

/** The feeds for a right-padded batch. */
export function classifierFeeds(ort: Ort, io: ClassifierInputs, batch: PaddedBatch): Record<string, OrtTensor> {
  const dims = [batch.rows, batch.width];
  const tensor = (type: IntType, values: ArrayLike<number>) =>
    type === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims) : new ort.Tensor('int32', Int32Array.from(values), dims);
  const feeds: Record<string, OrtTensor> = { [io.inputIds.name]: tensor(io.inputIds.type, batch.ids) };
  if (io.attentionMask) feeds[io.attentionMask.name] = tensor(io.attentionMask.type, batch.mask);
  if (io.positionIds) {
    // Positions count real tokens; pads past the end repeat the last position (masked anyway).
    const positions = batch.mask.map((_, k) => Math.min(k % batch.width, batch.last[Math.floor(k / batch.width)]!));
    feeds[io.positionIds.name] = tensor(io.positionIds.type, positions);
  }
  if (io.tokenTypeIds) feeds[io.tokenTypeIds.name] = tensor(io.tokenTypeIds.type, new Array<number>(batch.rows * batch.width).fill(0));
  return feeds;
}
