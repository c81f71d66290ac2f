// The hub layouts: which graph a loader opens (model.onnx, onnx/model{suffix}.onnx, modelFile),
// weights in external data files, and token_type_ids, all on real graphs rewritten from tiny-reward.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFromConfig, parseConfig } from '../../src/config/index.js';
import { ModelLoadError, ValidationError } from '../../src/errors.js';
import { loadGuard, loadScorer } from '../../src/onnx/index.js';
import { readModelFolder } from '../../src/onnx/model-folder.js';
import { GUARD, REWARD, rewardRefs } from './fixtures.js';
import { externalize, withHalfLogits, withTokenTypes } from './onnx-proto.js';

const refs = rewardRefs().slice(0, 6);
const rewardGraph = readFileSync(join(REWARD, 'model.onnx'));
const guardGraph = readFileSync(join(GUARD, 'model.onnx'));
const root = mkdtempSync(join(tmpdir(), 'rewardgate-layouts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let folders = 0;
/** A tiny-reward folder (config, tokenizer, template) with `graphs` written at their paths. */
function folder(graphs: Record<string, Buffer>): string {
  const dir = join(root, `m${folders++}`);
  mkdirSync(dir);
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']) copyFileSync(join(REWARD, f), join(dir, f));
  for (const [path, bytes] of Object.entries(graphs)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
  return dir;
}

async function scores(options: Parameters<typeof loadScorer>[0]): Promise<number[]> {
  const scorer = await loadScorer({ device: 'cpu', ...options });
  try {
    return (await scorer.score(refs.map((c) => c.messages))).map((s) => s.value);
  } finally {
    await scorer.close();
  }
}

function expectReference(values: number[]): void {
  values.forEach((v, i) => expect(Math.abs(v - refs[i]!.score)).toBeLessThan(1e-4));
}

async function loadError(load: Promise<unknown>): Promise<Error> {
  const error = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('choosing the graph', () => {
  it('finds onnx/model.onnx (the transformers.js hub layout) when there is no model.onnx', async () => {
    const dir = folder({ 'onnx/model.onnx': rewardGraph });
    expect((await readModelFolder(dir)).modelFile).toBe(join(dir, 'onnx/model.onnx'));
    expectReference(await scores({ path: dir }));
  });

  it('prefers model.onnx at the top of the folder over onnx/model.onnx', async () => {
    const dir = folder({ 'model.onnx': rewardGraph, 'onnx/model.onnx': guardGraph });
    expect((await readModelFolder(dir)).modelFile).toBe(join(dir, 'model.onnx'));
  });

  it('dtype picks the file transformers.js names for it, at the top or in onnx/', async () => {
    // The default graph is the 7-label guard: loading it with tiny-reward's 1-label config fails, so
    // reference scores prove that the dtype's file was the one opened.
    const dir = folder({ 'model.onnx': guardGraph, 'onnx/model_q4.onnx': rewardGraph, 'model_quantized.onnx': rewardGraph, 'onnx/model_fp16.onnx': rewardGraph });
    expect((await loadError(loadScorer({ path: dir, device: 'cpu' }))).message).toMatch(/has shape \[1, 7\]; expected \[1, 1\]/);
    expectReference(await scores({ path: dir, dtype: 'q4' }));
    expect((await readModelFolder(dir, { dtype: 'q8' })).modelFile).toBe(join(dir, 'model_quantized.onnx'));
    expect((await readModelFolder(dir, { dtype: 'fp16' })).modelFile).toBe(join(dir, 'onnx/model_fp16.onnx'));
  });

  it("dtype 'fp16' loads onnx/model_fp16.onnx and reads its float16 logits", async () => {
    const dir = folder({ 'onnx/model.onnx': guardGraph, 'onnx/model_fp16.onnx': withHalfLogits(rewardGraph) });
    const values = await scores({ path: dir, dtype: 'fp16' });
    // float16 keeps about three significant digits of each logit.
    values.forEach((v, i) => expect(Math.abs(v - refs[i]!.score)).toBeLessThan(Math.abs(refs[i]!.score) * 2e-3 + 1e-3));
    expect(values.some((v, i) => v !== refs[i]!.score)).toBe(true);
  });

  it('modelFile names the exact graph', async () => {
    const dir = folder({ 'onnx/decoder_model_merged.onnx': rewardGraph });
    expectReference(await scores({ path: dir, modelFile: 'onnx/decoder_model_merged.onnx' }));
  });

  it('a missing variant names the files that are there and the option that picks each', async () => {
    const dir = folder({ 'onnx/model_fp16.onnx': rewardGraph, 'onnx/model_q4.onnx': rewardGraph, 'onnx/decoder_model_merged.onnx': rewardGraph });
    const error = (await loadError(loadScorer({ path: dir, device: 'cpu', dtype: 'q8' }))) as ModelLoadError;
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.file).toBe(join(dir, 'model_quantized.onnx'));
    expect(error.message).toContain('no model_quantized.onnx and onnx/model_quantized.onnx');
    expect(error.message).toContain(
      "ONNX files there: onnx/decoder_model_merged.onnx (modelFile 'onnx/decoder_model_merged.onnx'), onnx/model_fp16.onnx (dtype 'fp16'), onnx/model_q4.onnx (dtype 'q4')",
    );
    const none = (await loadError(loadGuard({ path: folder({}), device: 'cpu' }))) as ModelLoadError;
    expect(none.message).toMatch(/there is no \.onnx file in it or in onnx\/ \(files there: chat_template\.jinja, config\.json, tokenizer\.json, tokenizer_config\.json\)/);
  });

  it('rejects dtype with modelFile, unknown dtypes and paths outside the folder, naming the option', async () => {
    const dir = folder({ 'model.onnx': rewardGraph });
    const issues = async (load: Promise<unknown>) => {
      const error = await loadError(load);
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).issues;
    };
    expect(await issues(loadScorer({ path: dir, dtype: 'fp16', modelFile: 'model.onnx' }))).toEqual([
      { path: 'modelFile', message: 'give dtype or modelFile, not both (modelFile names the exact file)' },
    ]);
    expect((await issues(loadGuard({ path: dir, dtype: 'q3' as never })))[0]!.path).toBe('dtype');
    expect((await issues(loadScorer({ path: dir, modelFile: '../model.onnx' })))[0]).toEqual({ path: 'modelFile', message: 'must be a path inside the model folder' });
    expect((await issues(loadScorer({ path: dir, modelFile: 'model.bin' })))[0]!.message).toMatch(/must name an \.onnx file/);
  });

  it('the config file takes dtype and modelFile on onnx sources, checked the same way', () => {
    const config = parseConfig({
      upstream: { baseURL: 'http://127.0.0.1:1/v1', model: 'm' },
      scorers: { reward: { onnx: { path: '/m/reward', dtype: 'q4' } } },
      guards: { g: { onnx: { path: '/m/guard', modelFile: 'onnx/model_fp16.onnx' } } },
    });
    expect(config.scorers.reward!.onnx).toEqual({ path: '/m/reward', dtype: 'q4' });
    expect(config.guards.g!.onnx).toEqual({ path: '/m/guard', modelFile: 'onnx/model_fp16.onnx' });
    let error: unknown;
    try {
      parseConfig({ upstream: { baseURL: 'http://127.0.0.1:1/v1' }, scorers: { reward: { onnx: { path: '/m', dtype: 'int3', modelFile: 'a.onnx' } } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const paths = (error as ValidationError).issues.map((i) => i.path);
    expect(paths).toContain('scorers.reward.onnx.dtype');
  });
  it('rewardgate serve configs load the variant they name (buildFromConfig)', async () => {
    const dir = folder({ 'model.onnx': guardGraph, 'onnx/model_q4.onnx': rewardGraph });
    const built = await buildFromConfig({
      upstream: { baseURL: 'http://127.0.0.1:9/v1', model: 'm' },
      scorers: { reward: { onnx: { path: dir, device: 'cpu', dtype: 'q4' } } },
    });
    try {
      const values = (await built.scorers.reward!.score(refs.map((c) => c.messages))).map((s) => s.value);
      expectReference(values);
    } finally {
      await built.close();
    }
  });
});

describe('external data', () => {
  it('loads a graph whose weights are in model.onnx_data next to it, with the same scores', async () => {
    const { graph, files } = externalize(rewardGraph, (i) => (i === 0 ? 'model.onnx_data' : `model.onnx_data_${i}`), Infinity);
    expect([...files.keys()]).toEqual(['model.onnx_data']);
    expect(graph.length).toBeLessThan(rewardGraph.length / 10);
    const dir = folder({ 'model.onnx': graph, 'model.onnx_data': files.get('model.onnx_data')! });
    expect((await readModelFolder(dir)).externalData).toEqual([join(dir, 'model.onnx_data')]);
    const inline = await scores({ path: folder({ 'model.onnx': rewardGraph }) });
    expect(await scores({ path: dir })).toEqual(inline);
  });

  it('loads chunked data (model.onnx_data, model.onnx_data_1...) in onnx/, and names a missing chunk', async () => {
    const { graph, files } = externalize(rewardGraph, (i) => (i === 0 ? 'model_q4.onnx_data' : `model_q4.onnx_data_${i}`), 8);
    expect([...files.keys()]).toEqual(['model_q4.onnx_data', 'model_q4.onnx_data_1', 'model_q4.onnx_data_2']);
    const entries = Object.fromEntries([['onnx/model_q4.onnx', graph], ...[...files].map(([name, data]) => [`onnx/${name}`, data])]);
    const dir = folder(entries);
    expectReference(await scores({ path: dir, dtype: 'q4' }));
    rmSync(join(dir, 'onnx/model_q4.onnx_data_1'));
    const error = (await loadError(loadScorer({ path: dir, device: 'cpu', dtype: 'q4' }))) as ModelLoadError;
    expect(error).toBeInstanceOf(ModelLoadError);
    expect(error.file).toBe(join(dir, 'onnx/model_q4.onnx_data_1'));
    expect(error.message).toContain('model_q4.onnx_data_1 is missing next to it');
    expect(error.message).toContain(`files in ${join(dir, 'onnx')}: model_q4.onnx, model_q4.onnx_data, model_q4.onnx_data_2`);
  });
});

describe('token_type_ids', () => {
  const hidden = 64;
  const row = (v: number) => new Float32Array(hidden).fill(v);

  it('fills token_type_ids with type 0 for a model that declares it', async () => {
    // Type 0 adds nothing and type 1 adds 0.5 everywhere: reference scores mean every token got type 0.
    const dir = folder({ 'model.onnx': withTokenTypes(rewardGraph, [row(0), row(0.5)], hidden) });
    expectReference(await scores({ path: dir }));
  });

  it('the token types reach the model (a nonzero type-0 embedding changes the scores)', async () => {
    const dir = folder({ 'model.onnx': withTokenTypes(rewardGraph, [row(0.5), row(0)], hidden) });
    const values = await scores({ path: dir });
    expect(values.some((v, i) => Math.abs(v - refs[i]!.score) > 1e-2)).toBe(true);
  });
});
