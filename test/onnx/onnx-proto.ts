// A small protobuf reader and writer for rewriting the fixture ONNX graphs in tests: moving
// weights to external data files (the layout of models past 2 GB) and adding inputs such as
// token_type_ids. Only the wire format; the field numbers are onnx.proto3's.

/** One field of a message: varints as bigint, length-delimited and fixed-size fields as bytes. */
export type Field = { field: number; wire: 0; value: bigint } | { field: number; wire: 1 | 2 | 5; value: Buffer };

function readVarint(buf: Buffer, at: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[at++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, at];
    shift += 7n;
  }
}

/** A protobuf varint (two's complement for negatives, as int64 fields are written). */
export function writeVarint(value: bigint): Buffer {
  const bytes: number[] = [];
  let v = BigInt.asUintN(64, value);
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return Buffer.from(bytes);
}

/** The fields of one message, in file order. */
export function decode(buf: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  while (at < buf.length) {
    const [tag, next] = readVarint(buf, at);
    at = next;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (wire === 0) {
      const [value, after] = readVarint(buf, at);
      out.push({ field, wire, value });
      at = after;
    } else if (wire === 2) {
      const [length, after] = readVarint(buf, at);
      out.push({ field, wire, value: buf.subarray(after, after + Number(length)) });
      at = after + Number(length);
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      out.push({ field, wire, value: buf.subarray(at, at + size) });
      at += size;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}

export function encode(fields: readonly Field[]): Buffer {
  const parts: Buffer[] = [];
  for (const f of fields) {
    parts.push(writeVarint(BigInt(f.field * 8 + f.wire)));
    if (f.wire === 0) parts.push(writeVarint(f.value));
    else if (f.wire === 2) parts.push(writeVarint(BigInt(f.value.length)), f.value);
    else parts.push(f.value);
  }
  return Buffer.concat(parts);
}

export const bytes = (field: number, value: Buffer | string): Field => ({ field, wire: 2, value: typeof value === 'string' ? Buffer.from(value) : value });
export const int = (field: number, value: number | bigint): Field => ({ field, wire: 0, value: BigInt(value) });
export const message = (field: number, fields: readonly Field[]): Field => bytes(field, encode(fields));
export const text = (f: Field): string => (f.value as Buffer).toString('utf8');

// onnx.proto3 field numbers used by the tests.
export const MODEL = { graph: 7 } as const;
export const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 } as const;
export const NODE = { input: 1, output: 2, name: 3, opType: 4 } as const;
export const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
export const FLOAT = 1;
export const INT64 = 7;

/** Replaces the graph of a ModelProto with `edit(graphFields)`. */
export function editGraph(model: Buffer, edit: (graph: Field[]) => Field[]): Buffer {
  return encode(decode(model).map((f) => (f.field === MODEL.graph ? message(MODEL.graph, edit(decode(f.value as Buffer))) : f)));
}

/** A float32 initializer with its data inline. */
export function floatTensor(name: string, dims: number[], values: Float32Array): Field {
  return message(GRAPH.initializer, [...dims.map((d) => int(TENSOR.dims, d)), int(TENSOR.dataType, FLOAT), bytes(TENSOR.name, name), bytes(TENSOR.rawData, Buffer.from(values.buffer))]);
}

/** A node: `opType(inputs) -> outputs`. */
export function node(opType: string, inputs: string[], outputs: string[], name: string): Field {
  return message(GRAPH.node, [...inputs.map((i) => bytes(NODE.input, i)), ...outputs.map((o) => bytes(NODE.output, o)), bytes(NODE.name, name), bytes(NODE.opType, opType)]);
}

/** A graph input of element type `elemType` and symbolic dims, e.g. `['batch', 'sequence']`. */
export function tensorInput(name: string, elemType: number, dims: string[]): Field {
  const shape = dims.map((d) => message(1, [bytes(2, d)]));
  const tensorType = [int(1, elemType), message(2, shape)];
  return message(GRAPH.input, [bytes(1, name), message(2, [message(1, tensorType)])]);
}

/**
 * Moves every initializer's raw data out of the graph into `files` (chunked as transformers.js
 * names them: `model.onnx_data`, `model.onnx_data_1`...), `perFile` tensors a file. Returns the
 * new graph and each data file's bytes.
 */
export function externalize(model: Buffer, dataName: (chunk: number) => string, perFile: number): { graph: Buffer; files: Map<string, Buffer> } {
  const chunks = new Map<string, Buffer[]>();
  let count = 0;
  const graph = editGraph(model, (fields) =>
    fields.map((f) => {
      if (f.field !== GRAPH.initializer) return f;
      const tensor = decode(f.value as Buffer);
      const raw = tensor.find((t) => t.field === TENSOR.rawData);
      if (!raw) return f;
      const file = dataName(Math.floor(count++ / perFile));
      const parts = chunks.get(file) ?? [];
      chunks.set(file, parts);
      const offset = parts.reduce((n, p) => n + p.length, 0);
      parts.push(raw.value as Buffer);
      const entry = (key: string, value: string) => message(TENSOR.externalData, [bytes(1, key), bytes(2, value)]);
      const kept = tensor.filter((t) => t.field !== TENSOR.rawData);
      return message(GRAPH.initializer, [...kept, entry('location', file), entry('offset', String(offset)), entry('length', String((raw.value as Buffer).length)), int(TENSOR.dataLocation, 1)]);
    }),
  );
  return { graph, files: new Map([...chunks].map(([file, parts]) => [file, Buffer.concat(parts)])) };
}

/**
 * Gives a classifier graph a `token_type_ids` input the way BERT uses it: the embedding of each
 * token's type (`rows[type]`, `hidden` wide) is added to its token embedding.
 */
export function withTokenTypes(model: Buffer, rows: Float32Array[], hidden: number): Buffer {
  return editGraph(model, (fields) => {
    const isEmbedding = (f: Field) => {
      if (f.field !== GRAPH.node) return false;
      const n = decode(f.value as Buffer);
      return n.some((x) => x.field === NODE.opType && text(x) === 'Gather') && n.some((x) => x.field === NODE.input && text(x) === 'input_ids');
    };
    const at = fields.findIndex(isEmbedding);
    if (at < 0) throw new Error('no embedding Gather on input_ids');
    const embedded = text(decode(fields[at]!.value as Buffer).find((x) => x.field === NODE.output)!);
    const summed = `${embedded}+token_types`;
    // Every consumer of the token embedding now reads the sum.
    const rewired = fields.map((f, i) => {
      if (f.field !== GRAPH.node || i === at) return f;
      return message(GRAPH.node, decode(f.value as Buffer).map((x) => (x.field === NODE.input && text(x) === embedded ? bytes(NODE.input, summed) : x)));
    });
    const table = new Float32Array(rows.length * hidden);
    rows.forEach((row, r) => table.set(row, r * hidden));
    const added = [
      node('Gather', ['token_type_embeddings', 'token_type_ids'], ['token_type_vectors'], 'token_type_gather'),
      node('Add', [embedded, 'token_type_vectors'], [summed], 'token_type_add'),
    ];
    // Field order across kinds does not matter in protobuf; nodes stay in topological order.
    const initializer = floatTensor('token_type_embeddings', [rows.length, hidden], table);
    return [...rewired.slice(0, at + 1), ...added, ...rewired.slice(at + 1), initializer, tensorInput('token_type_ids', INT64, ['batch', 'sequence'])];
  });
}

/**
 * Makes the graph return float16 `logits`, as fp16 exports do: the float32 logits go through a
 * Cast to float16, and the declared output type changes with them.
 */
export function withHalfLogits(model: Buffer): Buffer {
  const FLOAT16 = 10;
  return editGraph(model, (fields) => {
    const renamed = fields.map((f) => {
      if (f.field !== GRAPH.node) return f;
      return message(GRAPH.node, decode(f.value as Buffer).map((x) => (x.field === NODE.output && text(x) === 'logits' ? bytes(NODE.output, 'logits_fp32') : x)));
    });
    const cast = message(GRAPH.node, [bytes(NODE.input, 'logits_fp32'), bytes(NODE.output, 'logits'), bytes(NODE.name, 'logits_to_fp16'), bytes(NODE.opType, 'Cast'), message(5, [bytes(1, 'to'), int(3, FLOAT16), int(20, 2)])]);
    const outputs = renamed.map((f) => {
      if (f.field !== GRAPH.output) return f;
      const info = decode(f.value as Buffer);
      if (text(info.find((x) => x.field === 1)!) !== 'logits') return f;
      // ValueInfoProto.type (2) -> TypeProto.tensor_type (1) -> elem_type (1)
      return message(GRAPH.output, info.map((x) => (x.field !== 2 ? x : message(2, decode(x.value as Buffer).map((t) => (t.field !== 1 ? t : message(1, decode(t.value as Buffer).map((e) => (e.field === 1 ? int(1, FLOAT16) : e)))))))));
    });
    return [...outputs, cast];
  });
}
