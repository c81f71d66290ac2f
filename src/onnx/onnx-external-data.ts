// Which external data files an ONNX graph references (`model.onnx_data`, `model.onnx_data_1`...),
// read from the protobuf without loading it: a model past 2 GB keeps its weights outside the graph,
// and a missing weight file should be named at load instead of surfacing as a native error.
import { open, type FileHandle } from 'node:fs/promises';

// Field numbers from onnx.proto3.
const MODEL_GRAPH = 7;
const MODEL_FUNCTIONS = 25;
const FUNCTION_NODE = 7;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_SPARSE_INITIALIZER = 15;
const NODE_ATTRIBUTE = 5;
const ATTRIBUTE_T = 5;
const ATTRIBUTE_G = 6;
const ATTRIBUTE_TENSORS = 10;
const ATTRIBUTE_GRAPHS = 11;
const ATTRIBUTE_SPARSE_TENSOR = 22;
const ATTRIBUTE_SPARSE_TENSORS = 23;
const SPARSE_VALUES = 1;
const SPARSE_INDICES = 2;
const TENSOR_EXTERNAL_DATA = 13;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

const WINDOW = 1 << 20;

/** A buffered view of the file: headers are read through a window, large fields are skipped. */
class Reader {
  pos = 0;
  #buf = Buffer.alloc(0);
  #start = 0;

  constructor(
    readonly file: FileHandle,
    readonly size: number,
  ) {}

  /** Makes `n` bytes from `pos` (or up to the end of the file) available. */
  async need(n: number): Promise<void> {
    if (this.pos >= this.#start && this.pos + n <= this.#start + this.#buf.length) return;
    const length = Math.min(Math.max(n, WINDOW), this.size - this.pos);
    const buf = Buffer.alloc(Math.max(0, length));
    const { bytesRead } = await this.file.read(buf, 0, buf.length, this.pos);
    this.#buf = buf.subarray(0, bytesRead);
    this.#start = this.pos;
  }

  has(n: number): boolean {
    return this.pos >= this.#start && this.pos + n <= this.#start + this.#buf.length;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const at = this.pos - this.#start;
      if (at >= this.#buf.length) throw new Error('truncated varint');
      const byte = this.#buf[at]!;
      this.pos++;
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new Error('varint too long');
  }

  text(length: number): string {
    const at = this.pos - this.#start;
    this.pos += length;
    return this.#buf.toString('utf8', at, at + length);
  }
}

type Visit = (field: number, start: number, end: number) => Promise<void> | void;

/** Walks the fields of the message in `[start, end)`, calling `visit` for length-delimited ones. */
async function fields(r: Reader, start: number, end: number, visit: Visit): Promise<void> {
  r.pos = start;
  while (r.pos < end) {
    if (!r.has(20)) await r.need(20);
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) r.varint();
    else if (wire === 1) r.pos += 8;
    else if (wire === 5) r.pos += 4;
    else if (wire === 2) {
      const length = r.varint();
      const at = r.pos;
      if (at + length > end) throw new Error('field runs past its message');
      await visit(field, at, at + length);
      r.pos = at + length;
    } else throw new Error(`unsupported wire type ${wire}`);
  }
  if (r.pos !== end) throw new Error('message ends inside a field');
}

/**
 * The `location` of every tensor stored outside `graphFile` (initializers, constants, subgraphs
 * and functions included), in order of first use. A file that does not parse gives `[]`: the
 * runtime then reports what is wrong with it.
 */
export async function externalDataLocations(graphFile: string): Promise<string[]> {
  const file = await open(graphFile, 'r');
  try {
    const { size } = await file.stat();
    const r = new Reader(file, size);
    const found = new Set<string>();
    const tensor = (start: number, end: number) =>
      fields(r, start, end, async (f, s, e) => {
        if (f !== TENSOR_EXTERNAL_DATA) return;
        let key = '';
        let value = '';
        await fields(r, s, e, async (g, a, b) => {
          await r.need(b - a);
          if (g === ENTRY_KEY) key = r.text(b - a);
          else if (g === ENTRY_VALUE) value = r.text(b - a);
        });
        if (key === 'location' && value !== '') found.add(value);
      });
    const sparse = (start: number, end: number) => fields(r, start, end, (f, s, e) => (f === SPARSE_VALUES || f === SPARSE_INDICES ? tensor(s, e) : undefined));
    const node = (start: number, end: number): Promise<void> =>
      fields(r, start, end, (f, s, e) =>
        f === NODE_ATTRIBUTE
          ? fields(r, s, e, (a, as, ae) => {
              if (a === ATTRIBUTE_T || a === ATTRIBUTE_TENSORS) return tensor(as, ae);
              if (a === ATTRIBUTE_G || a === ATTRIBUTE_GRAPHS) return graph(as, ae);
              if (a === ATTRIBUTE_SPARSE_TENSOR || a === ATTRIBUTE_SPARSE_TENSORS) return sparse(as, ae);
              return undefined;
            })
          : undefined,
      );
    const graph = (start: number, end: number): Promise<void> =>
      fields(r, start, end, (f, s, e) => {
        if (f === GRAPH_INITIALIZER) return tensor(s, e);
        if (f === GRAPH_SPARSE_INITIALIZER) return sparse(s, e);
        if (f === GRAPH_NODE) return node(s, e);
        return undefined;
      });
    await fields(r, 0, size, (f, s, e) => {
      if (f === MODEL_GRAPH) return graph(s, e);
      if (f === MODEL_FUNCTIONS) return fields(r, s, e, (g, a, b) => (g === FUNCTION_NODE ? node(a, b) : undefined));
      return undefined;
    });
    return [...found];
  } catch {
    return [];
  } finally {
    await file.close();
  }
}
