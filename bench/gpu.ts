// GPU check: rewardgate's batch time per device for each model folder given, as JSON lines.
//   node --import tsx bench/gpu.ts [--device all|cuda|webgpu|cpu] [--iters N] [--static all|gpu|none] FOLDER...
//   node --import tsx bench/gpu.ts --generate 64 [--device ...] CHAT_FOLDER...   (decoding: one
//   sequence and 8 together, greedy, exactly N tokens; KV-cache exports keep the cache on WebGPU)
// (--static: which devices also run a static-shape variant; default the GPU ones)
// On the GPU machine (see ../shared/device/README.md), after pack.sh:
//   python3 .gpu/make-bench-model.py --out /tmp/bench \
//     && python3 .gpu/fuse-example.py /tmp/bench/model.onnx /tmp/bench/model \
//     && bash .gpu/run.sh /tmp/bench .gpu/files/tiny-reward
// A folder's batch comes from its batch.json (make-bench-model.py: ids, mask, PyTorch logits and
// timings, the baseline of the same run); otherwise 16 x 256 seeded random ids, half the rows
// padded from 3/4 on. Every *.onnx file in a folder is timed (fp32 export, fused fp16 variants).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openClassifier } from '../src/onnx/classifier-session.js';
import { loadChatModel } from '../src/models/onnx.js';
import type { Device } from '../src/onnx/devices.js';
import { firstId, labelsOf, readModelFolder } from '../src/onnx/model-folder.js';
import { seededRandom } from '../src/onnx/sampling.js';

interface Batch {
  sequences: number[][];
  reference?: number[];
  torch?: Record<string, number>;
}

function parseArgs(argv: string[]) {
  // CPU first: the GPU lines then carry their difference from the CPU logits.
  const out = { devices: ['cpu', 'cuda', 'webgpu'] as Array<Exclude<Device, 'auto'>>, iters: 10, fixed: 'gpu', generate: 0, folders: [] as string[] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--device') {
      const d = argv[++i];
      if (d !== 'all') out.devices = [d as Exclude<Device, 'auto'>];
    } else if (a === '--iters') out.iters = Number(argv[++i]);
    else if (a === '--static') out.fixed = argv[++i] ?? 'gpu';
    else if (a === '--generate') out.generate = Number(argv[++i]);
    else out.folders.push(a);
  }
  if (out.folders.length === 0) throw new Error('usage: gpu.ts [--device all|cuda|webgpu|cpu] [--iters N] [--static all|gpu|none] FOLDER...');
  return out;
}

function batchOf(folder: string, vocab: number, maxPositions: number): Batch {
  const file = join(folder, 'batch.json');
  if (existsSync(file)) {
    const b = JSON.parse(readFileSync(file, 'utf8')) as { input_ids: number[][]; attention_mask: number[][]; logits: number[] } & Record<string, unknown>;
    const sequences = b.input_ids.map((row, r) => row.slice(0, b.attention_mask[r]!.reduce((n, m) => n + m, 0)));
    const torch = Object.fromEntries(Object.entries(b).filter(([k, v]) => k.startsWith('torch_') && typeof v === 'number')) as Record<string, number>;
    return { sequences, reference: b.logits, torch };
  }
  const random = seededRandom(1);
  const seq = Math.min(256, maxPositions);
  const sequences = Array.from({ length: 16 }, (_, r) => Array.from({ length: r < 8 ? seq : (seq * 3) / 4 }, () => 1 + Math.floor(random() * (vocab - 1))));
  return { sequences };
}

/** Greedy decoding speed per device: tokens per second for one sequence and for 8 decoded together. */
async function generation(path: string, device: Exclude<Device, 'auto'>, tokens: number): Promise<Record<string, unknown>> {
  const line: Record<string, unknown> = { folder: path, device, generate: tokens };
  const chat = await loadChatModel({ path, device });
  try {
    Object.assign(line, { provider: chat.provider, cached: chat.cached });
    const request = (i: number) => ({ messages: [{ role: 'user' as const, content: `Tell me about topic ${i}.` }], temperature: 0, max_tokens: tokens, extra: { min_new_tokens: tokens } });
    await chat.generate(request(0)); // warm-up
    let t = performance.now();
    await chat.generate(request(1));
    line.tokens_per_s_1 = round(tokens / ((performance.now() - t) / 1000));
    t = performance.now();
    await Promise.all(Array.from({ length: 8 }, (_, i) => chat.generate(request(i))));
    line.tokens_per_s_8 = round((8 * tokens) / ((performance.now() - t) / 1000));
  } finally {
    await chat.close();
  }
  return line;
}

const args = parseArgs(process.argv.slice(2));
if (args.generate > 0) {
  for (const path of args.folders.map((f) => resolve(f))) {
    for (const device of args.devices) {
      try {
        console.log(JSON.stringify(await generation(path, device, args.generate)));
      } catch (error) {
        console.log(JSON.stringify({ folder: path, device, error: (error as Error).message.slice(0, 600) }));
      }
    }
  }
  process.exit(0);
}
for (const path of args.folders.map((f) => resolve(f))) {
  const modelFiles = readdirSync(path).filter((f) => f.endsWith('.onnx')).sort();
  const cpuLogits = new Map<string, number[]>();
  for (const modelFile of modelFiles) {
    // GPU providers also get a static-shape variant: fixed dims let kernels and shaders specialize.
    const runs = args.devices.flatMap((device): Array<{ device: Exclude<Device, 'auto'>; fixed: boolean }> =>
      args.fixed === 'all' || (args.fixed === 'gpu' && device !== 'cpu') ? [{ device, fixed: false }, { device, fixed: true }] : [{ device, fixed: false }],
    );
    for (const { device, fixed } of runs) {
      const line: Record<string, unknown> = { folder: path, model: modelFile, device, static_shapes: fixed };
      try {
        const folder = await readModelFolder(path, { modelFile });
        const labels = labelsOf(folder.config, join(path, 'config.json')).length;
        const padId = firstId(folder.config.pad_token_id) ?? 0;
        const batch = batchOf(path, folder.config.vocab_size ?? 1024, folder.config.max_position_embeddings ?? 512);
        Object.assign(line, { batch: batch.sequences.length, seq: Math.max(...batch.sequences.map((q) => q.length)) });
        const loadStart = performance.now();
        const width = Math.max(...batch.sequences.map((q) => q.length));
        const tuning = fixed ? { freeDimensionOverrides: { batch: batch.sequences.length, sequence: width } } : {};
        const session = await openClassifier(folder, device, labels, padId, fixed ? undefined : 1, tuning);
        line.load_ms = round(performance.now() - loadStart);
        line.provider = session.provider;
        for (let i = 0; i < 3; i++) await session.run(batch.sequences); // warm-up (shader compilation, allocations)
        const times: number[] = [];
        let logits: number[] = [];
        for (let i = 0; i < args.iters; i++) {
          const t = performance.now();
          const rows = await session.run(batch.sequences);
          times.push(performance.now() - t);
          logits = rows.map((r) => r[0]!);
        }
        await session.close();
        times.sort((a, b) => a - b);
        Object.assign(line, { ms_per_batch_median: round(times[Math.floor(times.length / 2)]!), ms_per_batch_mean: round(times.reduce((a, b) => a + b, 0) / times.length) });
        if (batch.reference) line.max_abs_diff_vs_torch_fp32 = maxDiff(logits, batch.reference);
        if (device === 'cpu') cpuLogits.set(modelFile, logits);
        else if (cpuLogits.has(modelFile)) line.max_abs_diff_vs_cpu = maxDiff(logits, cpuLogits.get(modelFile)!);
        if (batch.torch) line.torch = batch.torch;
      } catch (error) {
        line.error = (error as Error).message.slice(0, 600);
      }
      console.log(JSON.stringify(line));
    }
  }
}

function maxDiff(a: number[], b: number[]): number {
  return a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
}
function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
