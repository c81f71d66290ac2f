// Writes a random-weight decoder ONNX graph in the Optimum / transformers.js signature
// (input_ids, attention_mask, position_ids, past_key_values.N.key/value -> logits, present.N.*),
// for speed work at a real vocabulary size and for float16 caches. Weights do not matter for
// speed; the graph is a small pre-norm transformer (learned positions, attention over the cache
// with the padding mask, a ReLU MLP) whose cost grows with the cache as a real one's does.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../src/onnx/sampling.js';
import { writeVarint } from '../onnx/onnx-proto.js';

export interface RandomDecoderSpec {
  vocab: number;
  hidden: number;
  heads: number;
  layers: number;
  maxPositions: number;
  /** Type of the cache inputs and outputs (float16: cast to float32 inside). Default float32. */
  cacheType?: 'float32' | 'float16';
  seed?: number;
}

// ── protobuf wire format (field numbers from onnx.proto3) ─────────────────────────
type Part = Buffer;
const varint = (value: number | bigint): Buffer => writeVarint(BigInt(value));
const key = (field: number, wire: number) => varint((field << 3) | wire);
const int = (field: number, value: number | bigint): Part => Buffer.concat([key(field, 0), varint(value)]);
const bytes = (field: number, value: Buffer | string): Part => {
  const b = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([key(field, 2), varint(b.length), b]);
};
const msg = (field: number, parts: Part[]): Part => bytes(field, Buffer.concat(parts));
const float32 = (field: number, value: number): Part => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value);
  return Buffer.concat([key(field, 5), b]);
};

const FLOAT = 1;
const INT64 = 7;
const FLOAT16 = 10;

type Dim = number | string;
const valueInfo = (field: number, name: string, elem: number, dims: Dim[]) =>
  msg(field, [
    bytes(1, name),
    msg(2, [msg(1, [int(1, elem), msg(2, dims.map((d) => msg(1, [typeof d === 'number' ? int(1, d) : bytes(2, d)])))])]),
  ]);
const tensor = (name: string, elem: number, dims: number[], raw: Buffer) => msg(5, [...dims.map((d) => int(1, d)), int(2, elem), bytes(8, name), bytes(9, raw)]);

type Attr = { name: string; i?: number; f?: number; ints?: number[] };
const attribute = (a: Attr) =>
  msg(5, [
    bytes(1, a.name),
    ...(a.f !== undefined ? [float32(2, a.f), int(20, 1)] : []),
    ...(a.i !== undefined ? [int(3, a.i), int(20, 2)] : []),
    ...(a.ints !== undefined ? [...a.ints.map((v) => int(8, v)), int(20, 7)] : []),
  ]);

/** Builds the graph and writes `model.onnx` into `dir` (created if needed); returns its path. */
export function writeRandomDecoder(dir: string, spec: RandomDecoderSpec): string {
  const { vocab, hidden, heads, layers, maxPositions } = spec;
  const headDim = hidden / heads;
  const cacheElem = spec.cacheType === 'float16' ? FLOAT16 : FLOAT;
  const random = seededRandom(spec.seed ?? 1);
  const nodes: Part[] = [];
  const inits: Part[] = [];
  let n = 0;
  const node = (op: string, inputs: string[], attrs: Attr[] = [], output = `t${n++}`) => {
    nodes.push(msg(1, [...inputs.map((i) => bytes(1, i)), bytes(2, output), bytes(3, `${op}_${n++}`), bytes(4, op), ...attrs.map(attribute)]));
    return output;
  };
  const weight = (name: string, dims: number[], scale: number, constant?: number) => {
    const size = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = constant ?? (random() * 2 - 1) * scale;
    inits.push(tensor(name, FLOAT, dims, Buffer.from(data.buffer)));
    return name;
  };
  const ints = (name: string, values: number[]) => {
    inits.push(tensor(name, INT64, [values.length], Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer)));
    return name;
  };
  const scalar = (name: string, value: number) => {
    inits.push(tensor(name, FLOAT, [], Buffer.from(Float32Array.of(value).buffer)));
    return name;
  };
  const norm = (x: string, name: string) => node('LayerNormalization', [x, weight(`${name}.g`, [hidden], 0, 1), weight(`${name}.b`, [hidden], 0, 0)], [{ name: 'axis', i: -1 }]);

  ints('heads_shape', [0, 0, heads, headDim]);
  ints('hidden_shape', [0, 0, hidden]);
  ints('axes12', [1, 2]);
  scalar('one', 1);
  scalar('big', 1e9); // (mask - 1) * 1e9: 0 on tokens, -1e9 on padding
  scalar('inv_sqrt_d', 1 / Math.sqrt(headDim));
  let x = node('Add', [node('Gather', [weight('embed', [vocab, hidden], 1), 'input_ids']), node('Gather', [weight('positions', [maxPositions, hidden], 1), 'position_ids'])]);
  const maskBias = node('Unsqueeze', [node('Mul', [node('Sub', [node('Cast', ['attention_mask'], [{ name: 'to', i: FLOAT }]), 'one']), 'big']), 'axes12']);
  const split = (h: string, w: string) => node('Transpose', [node('Reshape', [node('MatMul', [h, w]), 'heads_shape'])], [{ name: 'perm', ints: [0, 2, 1, 3] }]);
  const presents: string[] = [];
  for (let l = 0; l < layers; l++) {
    const h = norm(x, `l${l}.ln1`);
    const w = 1 / Math.sqrt(hidden);
    const q = split(h, weight(`l${l}.q`, [hidden, hidden], w));
    const kv = ['key', 'value'].map((kind) => {
      const fresh = split(h, weight(`l${l}.${kind[0]}`, [hidden, hidden], w));
      const pastName = `past_key_values.${l}.${kind}`;
      const past = cacheElem === FLOAT ? pastName : node('Cast', [pastName], [{ name: 'to', i: FLOAT }]);
      const presentName = `present.${l}.${kind}`;
      const all = node('Concat', [past, fresh], [{ name: 'axis', i: 2 }], cacheElem === FLOAT ? presentName : undefined);
      if (cacheElem !== FLOAT) node('Cast', [all], [{ name: 'to', i: FLOAT16 }], presentName);
      presents.push(presentName);
      return all;
    });
    const scores = node('Add', [node('Mul', [node('MatMul', [q, node('Transpose', [kv[0]!], [{ name: 'perm', ints: [0, 1, 3, 2] }])]), 'inv_sqrt_d']), maskBias]);
    const attended = node('MatMul', [node('Softmax', [scores], [{ name: 'axis', i: -1 }]), kv[1]!]);
    const merged = node('Reshape', [node('Transpose', [attended], [{ name: 'perm', ints: [0, 2, 1, 3] }]), 'hidden_shape']);
    x = node('Add', [x, node('MatMul', [merged, weight(`l${l}.o`, [hidden, hidden], w)])]);
    const h2 = norm(x, `l${l}.ln2`);
    const up = node('Relu', [node('MatMul', [h2, weight(`l${l}.up`, [hidden, 4 * hidden], w)])]);
    x = node('Add', [x, node('MatMul', [up, weight(`l${l}.down`, [4 * hidden, hidden], 1 / Math.sqrt(4 * hidden))])]);
  }
  // Logits with a spread like a trained model's (a few units), so sampling cut-offs matter.
  node('MatMul', [norm(x, 'final'), weight('lm_head', [hidden, vocab], 0.3)], [], 'logits');

  const cacheDims = (seq: string): Dim[] => ['batch_size', heads, seq, headDim];
  const inputs = [
    valueInfo(11, 'input_ids', INT64, ['batch_size', 'sequence_length']),
    valueInfo(11, 'attention_mask', INT64, ['batch_size', 'total_sequence_length']),
    valueInfo(11, 'position_ids', INT64, ['batch_size', 'sequence_length']),
  ];
  for (let l = 0; l < layers; l++) for (const kind of ['key', 'value']) inputs.push(valueInfo(11, `past_key_values.${l}.${kind}`, cacheElem, cacheDims('past_sequence_length')));
  const outputs = [valueInfo(12, 'logits', FLOAT, ['batch_size', 'sequence_length', vocab]), ...presents.map((p) => valueInfo(12, p, cacheElem, cacheDims('total_sequence_length')))];
  const graph = msg(7, [...nodes, bytes(2, 'random_decoder'), ...inits, ...inputs, ...outputs]);
  const model = Buffer.concat([int(1, 8), bytes(2, 'rewardgate-test'), graph, msg(8, [bytes(1, ''), int(2, 17)])]);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'model.onnx');
  writeFileSync(file, model);
  return file;
}

/** config.json for {@link writeRandomDecoder}'s graph (Llama-shaped, as transformers.js reads it). */
export function randomDecoderConfig(spec: RandomDecoderSpec, ids: { bos: number; eos: number | number[]; pad?: number }): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: spec.vocab,
    hidden_size: spec.hidden,
    num_attention_heads: spec.heads,
    num_key_value_heads: spec.heads,
    head_dim: spec.hidden / spec.heads,
    num_hidden_layers: spec.layers,
    max_position_embeddings: spec.maxPositions,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    ...(ids.pad !== undefined ? { pad_token_id: ids.pad } : {}),
    use_cache: true,
  };
}
