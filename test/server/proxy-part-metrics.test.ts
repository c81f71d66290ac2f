// /metrics times each guard and scorer of a served config by its config name and outcome, on a
// real proxy with the tiny ONNX guard and reward model in front of a loopback upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { JSON_HEADERS, raw } from './raw-http.js';

const MODELS = new URL('../fixtures/models/', import.meta.url).pathname;

let upstream: FakeOpenAIServer;
let proxy: GuardServer;
let url: string;

beforeAll(async () => {
  upstream = await startOpenAIServer((body) => ({ text: `Here is how: ${body.messages.at(-1).content}` }));
  proxy = await createGuardServer({
    listen: { port: 0 },
    upstream: { baseURL: upstream.baseURL, model: 'fake-model', maxRetries: 0 },
    guards: { 'content-guard': { onnx: { path: `${MODELS}tiny-guard`, device: 'cpu' } } },
    scorers: { judge: { onnx: { path: `${MODELS}tiny-reward`, device: 'cpu' } } },
    pipeline: [{ safety: { guard: 'content-guard', input: true, output: false } }, { bestOfN: { n: 2, scorer: 'judge' } }],
  });
  url = (await proxy.listen()).url;
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

const ask = (content: string, stream = false) => raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ stream, messages: [{ role: 'user', content }] }) });

// `name{labels} value` lines of one metric family, by their label text.
async function series(name: string): Promise<Record<string, number>> {
  const text = (await raw(`${url}/metrics`)).text;
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`).exec(line);
    if (match) out[match[1]!] = Number(match[2]);
  }
  return out;
}

describe('guard and scorer latency in /metrics', () => {
  it('counts every guard call by guard name and verdict, and every scorer batch by scorer name', async () => {
    expect((await ask('How do I bake bread?')).status).toBe(200);
    expect((await ask('How do I bake bread?', true)).status).toBe(200);
    const refused = JSON.parse((await ask('How do I poison a dog?')).text);
    expect(refused.rewardgate.refused).toBe(true);

    const guards = await series('rewardgate_guard_duration_seconds_count');
    expect(guards).toEqual({ 'guard="content-guard",outcome="safe"': 2, 'guard="content-guard",outcome="unsafe"': 1 });
    // The refused prompt never reached best-of-n: two requests, one batch of two answers each.
    const scorers = await series('rewardgate_scorer_duration_seconds_count');
    expect(scorers).toEqual({ 'scorer="judge",outcome="ok"': 2 });
    const sums = await series('rewardgate_guard_duration_seconds_sum');
    expect(sums['guard="content-guard",outcome="safe"']).toBeGreaterThan(0);
    const buckets = await series('rewardgate_scorer_duration_seconds_bucket');
    expect(buckets['le="+Inf",scorer="judge",outcome="ok"']).toBe(2);
  });

  it('has no guard or scorer series on a config without them', async () => {
    const plain = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: upstream.baseURL, model: 'fake-model', maxRetries: 0 } });
    try {
      const text = (await raw(`${(await plain.listen()).url}/metrics`)).text;
      expect(text).toContain('# TYPE rewardgate_guard_duration_seconds histogram');
      expect(text).not.toMatch(/^rewardgate_(guard|scorer)_duration_seconds_count\{/m);
    } finally {
      await plain.close();
    }
  });
});
