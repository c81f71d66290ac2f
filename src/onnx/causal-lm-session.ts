import { ModelLoadError, RewardgateError } from '../errors.js';
import type { Device, DeviceInfo, SessionTuning } from './devices.js';
import { openSession } from './devices.js';
import { disposeCache, emptyCache, feedable, restackCache, type CacheLayout, type CacheState } from './kv-cache.js';
import type { ModelFolder } from './model-folder.js';
import { loadRuntime, type Ort, type OrtSession, type OrtTensor } from './runtime.js';
import { describeDecoder, floatsAt, type DecoderIO, type IntType } from './session-io.js';

/**
 * Sequences decoded together. Each row holds one sequence; `step` feeds one more token per row
 * and returns each row's next-token logits (the last position only).
 */
export interface DecoderBatch {
  readonly rows: number;
  step(tokens: readonly number[]): Promise<Float32Array[]>;
  /** Keeps only the rows at these indices, in this order (a finished row leaves). */
  keep(rows: readonly number[]): Promise<void>;
  /** Appends the rows of `other` (which is used up) after this batch's rows. */
  absorb(other: DecoderBatch): Promise<void>;
  /** Moves the rows at these indices out, each into a batch of its own; the others stay, in order. */
  take(rows: readonly number[]): Promise<DecoderBatch[]>;
  release(): void;
}

/** How much work a decoder did: model runs, and sequences summed over runs (batching makes runs fewer). */
export interface DecodeStats {
  runs: number;
  rows: number;
}

/** A causal LM session: with a KV cache when the export has one, else each step re-runs the sequences. */
export interface CausalLMSession extends DeviceInfo {
  /** Whether the export has a KV cache (steps feed one token) or not (steps re-run the sequence). */
  readonly cached: boolean;
  /** Runs the prompts as one batch; returns it and each prompt's next-token logits. */
  start(prompts: readonly (readonly number[])[]): Promise<{ batch: DecoderBatch; logits: Float32Array[] }>;
  stats(): DecodeStats;
  close(): Promise<void>;
}

interface Runner {
  ort: Ort;
  io: DecoderIO;
  file: string;
  padId: number;
  run(feeds: Record<string, OrtTensor>, rows: number): Promise<Record<string, OrtTensor>>;
}

/** Opens `folder`'s causal LM on `device`. */
export async function openCausalLM(folder: ModelFolder, device: Device, options: { padId: number; tuning?: SessionTuning }): Promise<CausalLMSession> {
  const ort = await loadRuntime();
  // On WebGPU the outputs stay in device buffers: the cache is fed back without a round trip.
  const { session, ...info } = await openSession(ort, folder.modelFile, device, { preferredOutputLocation: 'gpu-buffer', ...options.tuning });
  let io: DecoderIO;
  try {
    io = describeDecoder(session, folder.modelFile, folder.config);
  } catch (error) {
    await session.release();
    throw error;
  }
  let closed = false;
  // Releasing twice throws in onnxruntime: a second close() gets the first one's promise.
  let released: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const stats: DecodeStats = { runs: 0, rows: 0 };
  const runner: Runner = {
    ort,
    io,
    file: folder.modelFile,
    padId: options.padId,
    async run(feeds, rows) {
      if (closed) throw new RewardgateError('The model was closed');
      stats.runs++;
      stats.rows += rows;
      const run = (session as OrtSession).run(feeds);
      inFlight.add(run);
      return run.finally(() => inFlight.delete(run));
    },
  };
  return {
    ...info,
    cached: io.cache !== undefined,
    start: (prompts) => (io.cache ? startCached(runner, io.cache, prompts) : startUncached(runner, prompts)),
    stats: () => ({ ...stats }),
    close() {
      closed = true;
      released ??= (async () => {
        // Steps already running finish first: releasing a session under a run is not allowed.
        await Promise.allSettled([...inFlight]);
        await session.release();
      })();
      return released;
    },
  };
}

function intTensor(ort: Ort, type: IntType, values: ArrayLike<number>, dims: readonly number[]): OrtTensor {
  return type === 'int64'
    ? new ort.Tensor('int64', BigInt64Array.from(values as ArrayLike<number>, (v) => BigInt(v)), dims)
    : new ort.Tensor('int32', Int32Array.from(values), dims);
}

/**
 * The logits of each row's position `at(r)` from `[rows, sequence, vocab]`; an export that keeps
 * only the last position (`[rows, 1, vocab]`, `[rows, vocab]`) serves when every row ends there (`aligned`).
 */
function rowLogits(
  runner: Runner,
  outputs: Record<string, OrtTensor>,
  rows: number,
  width: number,
  at: (r: number) => number,
  aligned: boolean,
): Float32Array[] | Promise<Float32Array[]> {
  const tensor = outputs[runner.io.logits]!;
  if (tensor.location !== 'cpu') {
    // Left on the device (IO binding): download, then read as on CPU.
    return tensor.getData().then((data) => {
      tensor.dispose();
      return pickRows(runner, tensor.dims, tensor.type, data, rows, width, at, aligned);
    });
  }
  return pickRows(runner, tensor.dims, tensor.type, tensor.data, rows, width, at, aligned);
}

function pickRows(
  runner: Runner,
  dims: readonly number[],
  type: string,
  data: unknown,
  rows: number,
  width: number,
  at: (r: number) => number,
  aligned: boolean,
): Float32Array[] {
  if (dims.length === 3 && dims[0] === rows && (dims[1] === width || (dims[1] === 1 && aligned))) {
    const vocab = dims[2]!;
    return Array.from({ length: rows }, (_, r) => floatsAt(data, type, (r * dims[1]! + (dims[1] === 1 ? 0 : at(r))) * vocab, vocab));
  }
  if (dims.length === 2 && dims[0] === rows && aligned) return Array.from({ length: rows }, (_, r) => floatsAt(data, type, r * dims[1]!, dims[1]!));
  throw new ModelLoadError(`${runner.file}: output ${runner.io.logits} has shape [${dims.join(', ')}]; expected [${rows}, ${width}, vocab]`, {
    file: runner.file,
  });
}

function disposeOutputs(outputs: Record<string, OrtTensor>, keep: ReadonlySet<OrtTensor>): void {
  for (const t of Object.values(outputs)) if (!keep.has(t) && t.location !== 'cpu') t.dispose();
}

// ── with a KV cache ───────────────────────────────────────────────────────────────

/**
 * Prompts are left-padded (attention mask 0 on the padding) so every row's last token is the
 * batch's last position; `position_ids = cumsum(mask) - 1`, 1 on padding, as transformers does.
 */
async function startCached(runner: Runner, layout: CacheLayout, prompts: readonly (readonly number[])[]) {
  const rows = prompts.length;
  const width = Math.max(1, ...prompts.map((p) => p.length));
  const ids: number[] = [];
  const masks: number[][] = [];
  const positions: number[] = [];
  for (const prompt of prompts) {
    const pad = width - prompt.length;
    const mask: number[] = [];
    for (let i = 0; i < width; i++) {
      ids.push(i < pad ? runner.padId : prompt[i - pad]!);
      mask.push(i < pad ? 0 : 1);
      positions.push(i < pad ? 1 : i - pad);
    }
    masks.push(mask);
  }
  const batch = new CachedBatch(runner, layout, emptyCache(runner.ort, layout, rows), masks, prompts.map((p) => p.length));
  const logits = await batch.run(ids, width, positions);
  return { batch: batch as DecoderBatch, logits };
}

class CachedBatch implements DecoderBatch {
  constructor(
    readonly runner: Runner,
    readonly layout: CacheLayout,
    public cache: CacheState,
    /** Each row's attention mask over the cached positions. */
    public masks: number[][],
    /** Each row's next position id. */
    public next: number[],
  ) {}

  get rows(): number {
    return this.masks.length;
  }

  step(tokens: readonly number[]): Promise<Float32Array[]> {
    const positions = this.next.slice();
    for (let r = 0; r < this.rows; r++) {
      this.masks[r]!.push(1);
      this.next[r]!++;
    }
    return this.run(tokens, 1, positions);
  }

  /** Feeds `width` new tokens per row (the masks already cover them); stores the new cache. */
  async run(ids: readonly number[], width: number, positions: readonly number[]): Promise<Float32Array[]> {
    const { ort, io } = this.runner;
    const rows = this.rows;
    const total = this.cache.past + width;
    const feeds: Record<string, OrtTensor> = { [io.inputIds.name]: intTensor(ort, io.inputIds.type, ids, [rows, width]) };
    if (io.attentionMask) feeds[io.attentionMask.name] = intTensor(ort, io.attentionMask.type, this.masks.flat(), [rows, total]);
    if (io.positionIds) feeds[io.positionIds.name] = intTensor(ort, io.positionIds.type, positions, [rows, width]);
    if (io.tokenTypeIds) feeds[io.tokenTypeIds.name] = intTensor(ort, io.tokenTypeIds.type, new Array<number>(rows * width).fill(0), [rows, width]);
    if (io.logitsToKeep) feeds[io.logitsToKeep.name] = intTensor(ort, io.logitsToKeep.type, [1], []);
    if (io.useCacheBranch) feeds[io.useCacheBranch] = new ort.Tensor('bool', [this.cache.past > 0], [1]);
    for (const [name, tensor] of this.cache.tensors) feeds[name] = feedable(tensor);
    const outputs = await this.runner.run(feeds, rows);
    const tensors = new Map<string, OrtTensor>();
    for (const { past, present } of this.layout.entries) tensors.set(past, outputs[present]!);
    disposeCache(this.cache);
    this.cache = { tensors, rows, past: total };
    disposeOutputs(outputs, new Set([...tensors.values(), outputs[io.logits]!]));
    return rowLogits(this.runner, outputs, rows, width, () => width - 1, true);
  }

  async keep(rows: readonly number[]): Promise<void> {
    if (rows.length === this.rows && rows.every((r, i) => r === i)) return;
    const masks = rows.map((r) => this.masks[r]!);
    // Positions that are padding in every kept row are cut from the cache.
    const trim = Math.min(...masks.map((m) => leadingZeros(m)));
    const next = await restackCache(this.runner.ort, this.layout, [{ state: this.cache, rows, trim }], this.cache.past - trim);
    disposeCache(this.cache);
    this.cache = next;
    this.masks = masks.map((m) => m.slice(trim));
    this.next = rows.map((r) => this.next[r]!);
  }

  async absorb(other: DecoderBatch): Promise<void> {
    if (!(other instanceof CachedBatch)) throw new TypeError('absorb: batches of different sessions');
    const past = Math.max(this.cache.past, other.cache.past);
    const all = (n: number) => Array.from({ length: n }, (_, i) => i);
    const next = await restackCache(
      this.runner.ort,
      this.layout,
      [
        { state: this.cache, rows: all(this.rows), trim: 0 },
        { state: other.cache, rows: all(other.rows), trim: 0 },
      ],
      past,
    );
    const leftPad = (m: number[]) => [...new Array<number>(past - m.length).fill(0), ...m];
    disposeCache(this.cache);
    disposeCache(other.cache);
    this.cache = next;
    this.masks = [...this.masks.map(leftPad), ...other.masks.map(leftPad)];
    this.next = [...this.next, ...other.next];
  }

  async take(rows: readonly number[]): Promise<DecoderBatch[]> {
    const taken: CachedBatch[] = [];
    try {
      for (const r of rows) {
        // A row alone needs none of its left padding.
        const trim = leadingZeros(this.masks[r]!);
        const cache = await restackCache(this.runner.ort, this.layout, [{ state: this.cache, rows: [r], trim }], this.cache.past - trim);
        taken.push(new CachedBatch(this.runner, this.layout, cache, [this.masks[r]!.slice(trim)], [this.next[r]!]));
      }
      const out = new Set(rows);
      const rest = Array.from({ length: this.rows }, (_, i) => i).filter((i) => !out.has(i));
      if (rest.length === 0) this.release();
      else await this.keep(rest);
    } catch (error) {
      for (const t of taken) t.release();
      throw error;
    }
    return taken;
  }

  release(): void {
    disposeCache(this.cache);
    this.masks = [];
    this.next = [];
  }
}

function leadingZeros(mask: readonly number[]): number {
  let n = 0;
  while (n < mask.length && mask[n] === 0) n++;
  return n;
}

// ── without a cache ───────────────────────────────────────────────────────────────

async function startUncached(runner: Runner, prompts: readonly (readonly number[])[]) {
  const batch = new UncachedBatch(runner, prompts.map((p) => [...p]));
  return { batch: batch as DecoderBatch, logits: await batch.run() };
}

/** Each step runs every row's whole sequence, right-padded, and reads each row's last real position. */
class UncachedBatch implements DecoderBatch {
  constructor(
    readonly runner: Runner,
    public sequences: number[][],
  ) {}

  get rows(): number {
    return this.sequences.length;
  }

  step(tokens: readonly number[]): Promise<Float32Array[]> {
    this.sequences.forEach((s, r) => s.push(tokens[r]!));
    return this.run();
  }

  async run(): Promise<Float32Array[]> {
    const { ort, io, padId } = this.runner;
    const rows = this.rows;
    const width = Math.max(1, ...this.sequences.map((s) => s.length));
    const ids: number[] = [];
    const mask: number[] = [];
    const positions: number[] = [];
    for (const seq of this.sequences) {
      for (let i = 0; i < width; i++) {
        ids.push(i < seq.length ? seq[i]! : padId);
        mask.push(i < seq.length ? 1 : 0);
        // Pads past the end repeat the last position (masked anyway).
        positions.push(Math.min(i, seq.length - 1));
      }
    }
    const dims = [rows, width];
    const feeds: Record<string, OrtTensor> = { [io.inputIds.name]: intTensor(ort, io.inputIds.type, ids, dims) };
    if (io.attentionMask) feeds[io.attentionMask.name] = intTensor(ort, io.attentionMask.type, mask, dims);
    if (io.positionIds) feeds[io.positionIds.name] = intTensor(ort, io.positionIds.type, positions, dims);
    if (io.tokenTypeIds) feeds[io.tokenTypeIds.name] = intTensor(ort, io.tokenTypeIds.type, new Array<number>(rows * width).fill(0), dims);
    const outputs = await this.runner.run(feeds, rows);
    disposeOutputs(outputs, new Set([outputs[io.logits]!]));
    const aligned = this.sequences.every((s) => s.length === width);
    return rowLogits(this.runner, outputs, rows, width, (r) => this.sequences[r]!.length - 1, aligned);
  }

  async keep(rows: readonly number[]): Promise<void> {
    this.sequences = rows.map((r) => this.sequences[r]!);
  }

  async absorb(other: DecoderBatch): Promise<void> {
    if (!(other instanceof UncachedBatch)) throw new TypeError('absorb: batches of different sessions');
    this.sequences.push(...other.sequences);
    other.sequences = [];
  }

  async take(rows: readonly number[]): Promise<DecoderBatch[]> {
    const out = new Set(rows);
    const taken = rows.map((r) => new UncachedBatch(this.runner, [this.sequences[r]!]) as DecoderBatch);
    this.sequences = this.sequences.filter((_, i) => !out.has(i));
    return taken;
  }

  release(): void {
    this.sequences = [];
  }
}
