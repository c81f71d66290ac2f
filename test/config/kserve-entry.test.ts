// A KServe / Triton scorer from the config file: the tokenizer is the model folder's (a path,
// relative to the file), the key comes from `${VAR}` and every option reaches the wire (msw plays
// the remote Triton server).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { http, HttpResponse } from 'msw';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFromConfig, loadConfig } from '../../src/config/index.js';
import { loadTokenizer } from '../../src/onnx/index.js';
import type { Message } from '../../src/types.js';
import { remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();
const TRITON = 'https://triton.test:8000';
const REWARD = resolve('test/fixtures/models/tiny-reward');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-kserve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('config: kserve scorers', () => {
  it('tokenizes with the folder it names and sends what the entry says', async () => {
    const seen: Array<{ url: string; auth: string | null; team: string | null; body: any }> = [];
    server.use(
      http.post(`${TRITON}/v2/models/:model/versions/:version/infer`, async ({ request }) => {
        const body = (await request.json()) as any;
        seen.push({ url: request.url, auth: request.headers.get('authorization'), team: request.headers.get('x-team'), body });
        // One value per row: its unpadded length, so the score shows which tokenizer ran.
        const [rows, width] = body.inputs[0].shape as [number, number];
        const data = Array.from({ length: rows }, (_, r) => body.inputs[0].data.slice(r * width, (r + 1) * width).filter((id: number) => id !== 7).length);
        return HttpResponse.json({ outputs: [{ name: 'scores', shape: [rows, 1], datatype: 'FP32', data }] });
      }),
    );
    const file = join(dir, 'kserve.yaml');
    // Relative to the file, as a path in a config file is.
    const folder = relative(dir, REWARD);
    await writeFile(
      file,
      `upstream: { baseURL: https://upstream.test/v1 }
scorers:
  triton:
    kserve:
      baseURL: ${TRITON}
      model: tiny-reward
      version: "3"
      tokenizer: ${folder}
      apiKey: \${TRITON_KEY}
      headers: { x-team: \${TEAM} }
      padTokenId: 7
      attentionMask: null
      output: scores
      batchSize: \${BATCH}
`,
    );
    const config = await loadConfig(file, { env: { TRITON_KEY: 'sk-triton-777', TEAM: 'search', BATCH: '1' } });
    expect(config.scorers.triton!.kserve!.tokenizer).toBe(REWARD);
    expect(JSON.stringify(config)).not.toContain('sk-triton-777');
    const built = await buildFromConfig(config);
    try {
      const tokenizer = await loadTokenizer({ path: REWARD });
      const convos: Message[][] = [
        [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello there!' }],
        [{ role: 'user', content: 'Name a prime.' }, { role: 'assistant', content: 'Seven.' }],
      ];
      const scores = await built.scorers.triton!.score(convos);
      expect(scores.map((s) => s.value)).toEqual(convos.map((c) => tokenizer.encodeChat(c, { addGenerationPrompt: false }).filter((id) => id !== 7).length));
      // batchSize 1: one request per conversation; no mask tensor; the version in the path.
      expect(seen).toHaveLength(2);
      expect(seen.every((s) => s.url === `${TRITON}/v2/models/tiny-reward/versions/3/infer` && s.auth === 'Bearer sk-triton-777' && s.team === 'search')).toBe(true);
      expect(seen[0]!.body.inputs.map((t: { name: string }) => t.name)).toEqual(['input_ids']);
    } finally {
      await built.close();
    }
  });
});
