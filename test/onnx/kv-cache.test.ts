// Cache handling on random-weight decoders written for the test: a float16 cache (Uint16 half
// bits) and rows that join and leave a batch at different times.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.js';
import { openCausalLM } from '../../src/onnx/causal-lm-session.js';
import { describeCache, restackCache, type CacheLayout } from '../../src/onnx/kv-cache.js';
import { loadRuntime } from '../../src/onnx/runtime.js';
import { loadChatModel, type LocalChatModel } from '../../src/onnx/index.js';
import { readModelFolder } from '../../src/onnx/model-folder.js';
import { MODELS } from './fixtures.js';
import { randomDecoderConfig, writeRandomDecoder, type RandomDecoderSpec } from '../helpers/random-decoder.js';

const root = mkdtempSync(join(tmpdir(), 'rewardgate-kv-'));
const spec: RandomDecoderSpec = { vocab: 1024, hidden: 64, heads: 4, layers: 2, maxPositions: 256, seed: 3 };

function makeFolder(name: string, cacheType: 'float32' | 'float16'): string {
  const dir = join(root, name);
  writeRandomDecoder(join(dir, 'onnx'), { ...spec, cacheType });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(randomDecoderConfig(spec, { bos: 1, eos: 2, pad: 0 })));
  for (const f of ['tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']) cpSync(join(MODELS, 'tiny-agent', f), join(dir, f));
  return dir;
}

const F32 = makeFolder('f32', 'float32');
const F16 = makeFolder('f16', 'float16');
const prompts = ['hi', 'tell me a story about a dragon who learned to bake bread', 'ok', 'what is the weather in Paris today?'];
const request = (content: string, max_tokens: number) => ({ messages: [{ role: 'user' as const, content }], temperature: 0, max_tokens });

let f16: LocalChatModel;
beforeAll(async () => {
  f16 = await loadChatModel({ path: F16, device: 'cpu', batchSize: 3 });
});
afterAll(async () => {
  await f16.close();
  rmSync(root, { recursive: true, force: true });
});

describe('KV cache', () => {
  it('a float16 cache: the first step equals the float32 twin, later steps stay within half precision', async () => {
    const [a, b] = await Promise.all([openCausalLM(await readModelFolder(F32), 'cpu', { padId: 0 }), openCausalLM(await readModelFolder(F16), 'cpu', { padId: 0 })]);
    try {
      const ids = [[1, 40, 50, 60], [1, 70]];
      const [sa, sb] = await Promise.all([a.start(ids), b.start(ids)]);
      expect(sb.logits).toEqual(sa.logits); // no past yet: the cache type cannot matter
      const [na, nb] = [await sa.batch.step([5, 6]), await sb.batch.step([5, 6])];
      for (let r = 0; r < 2; r++) {
        const gap = Math.max(...na[r]!.map((v, i) => Math.abs(v - nb[r]![i]!)));
        expect(gap).toBeGreaterThan(0); // the half-precision cache was really used
        expect(gap).toBeLessThan(0.05);
      }
      sa.batch.release();
      sb.batch.release();
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('rows that leave early and rows that wait for room give their unbatched ids (float16 cache)', async () => {
    const lengths = [3, 17, 9, 12];
    const alone = [];
    for (const [i, p] of prompts.entries()) alone.push((await f16.generate(request(p, lengths[i]!))).tokenIds);
    // batchSize 3: the fourth waits, joins when the first leaves; the batch is re-cut as rows finish.
    const before = f16.stats();
    const together = await Promise.all(prompts.map((p, i) => f16.generate(request(p, lengths[i]!))));
    expect(together.map((c) => c.tokenIds)).toEqual(alone);
    expect(together.map((c) => c.tokenIds.length)).toEqual(lengths);
    const after = f16.stats();
    expect(after.runs - before.runs).toBeLessThan(lengths.reduce((a, b) => a + b, 0));
  });

  it('a stream joining mid-way shares the steps and gets its unbatched ids', async () => {
    const alone = (await f16.generate(request(prompts[3]!, 10))).tokenIds;
    const long = f16.generate(request(prompts[1]!, 40));
    let late: Promise<number[]> | undefined;
    let seen = 0;
    for await (const e of f16.stream(request(prompts[0]!, 20))) {
      if (e.type === 'text-delta' && ++seen === 3) late = f16.generate(request(prompts[3]!, 10)).then((c) => c.tokenIds);
    }
    expect(await late).toEqual(alone);
    await long;
  });

  it('reads GQA cache shapes from config.json when the export leaves them symbolic', () => {
    const past = (l: number, kind: string) => ({ name: `past_key_values.${l}.${kind}`, type: 'float16', shape: ['batch', 'kv_heads', 'past', 'head_dim'] });
    const present = (l: number, kind: string) => ({ name: `present.${l}.${kind}` });
    const inputs = [past(0, 'key'), past(0, 'value')];
    const outputs = [{ name: 'logits' }, present(0, 'key'), present(0, 'value')];
    const layout = describeCache(inputs, outputs, { num_attention_heads: 32, num_key_value_heads: 8, hidden_size: 4096 }, 'm.onnx');
    expect(layout).toEqual({
      entries: [
        { past: 'past_key_values.0.key', present: 'present.0.key' },
        { past: 'past_key_values.0.value', present: 'present.0.value' },
      ],
      type: 'float16',
      heads: 8,
      headDim: 128,
    });
    expect(describeCache([{ name: 'input_ids', type: 'int64' }], [{ name: 'logits' }], {}, 'm.onnx')).toBeUndefined();
    expect(() => describeCache(inputs, [{ name: 'logits' }], { num_key_value_heads: 8, head_dim: 128 }, 'm.onnx')).toThrow(/no matching output present\.0\.key/);
    expect(() => describeCache(inputs, outputs, {}, 'm.onnx')).toThrow(ModelLoadError);
  });

  it('restacking keeps, reorders, pads and trims rows exactly', async () => {
    const ort = await loadRuntime();
    const layout: CacheLayout = { entries: [{ past: 'p', present: 'q' }], type: 'float32', heads: 2, headDim: 1 };
    // Two rows, two heads, three positions, head_dim 1: value = 100 row + 10 head + position.
    const data = Float32Array.from({ length: 12 }, (_, i) => 100 * Math.floor(i / 6) + 10 * (Math.floor(i / 3) % 2) + (i % 3));
    const state = { tensors: new Map([['p', new ort.Tensor('float32', data, [2, 2, 3, 1])]]), rows: 2, past: 3 };
    const swapped = await restackCache(ort, layout, [{ state, rows: [1, 0], trim: 1 }], 2);
    expect(Array.from(swapped.tensors.get('p')!.data as Float32Array)).toEqual([101, 102, 111, 112, 1, 2, 11, 12]);
    const joined = await restackCache(ort, layout, [{ state: swapped, rows: [0], trim: 0 }, { state, rows: [0], trim: 0 }], 3);
    expect(joined.tensors.get('p')!.dims).toEqual([2, 2, 3, 1]);
    expect(Array.from(joined.tensors.get('p')!.data as Float32Array)).toEqual([0, 101, 102, 0, 111, 112, 0, 1, 2, 10, 11, 12]);
  });
});
