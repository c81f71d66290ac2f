import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BadRequestError, createKServeScorer, InternalServerError, ResponseError, UserAbortError, ValidationError } from '../../src/index.js';
import { loadTokenizer, type ChatTokenizer } from '../../src/onnx/index.js';
import { loadRuntime, type Ort, type OrtSession } from '../../src/onnx/runtime.js';
import type { Message } from '../../src/types.js';
import { REWARD, rewardRefs } from '../onnx/fixtures.js';

const TRITON = 'http://triton.test:8000';
const KEY = 'sk-triton-secret-123';
const refs = rewardRefs();

interface Tensor {
  name: string;
  shape: number[];
  datatype: string;
  data: number[];
}
interface InferBody {
  inputs: Tensor[];
  outputs: Array<{ name: string }>;
}

let ort: Ort;
let session: OrtSession;
let tokenizer: ChatTokenizer;
const seen: Array<{ url: string; auth: string | null; body: InferBody }> = [];

// Triton's onnxruntime backend, played by the real tiny-reward session: it runs exactly the tensors it is sent.
async function runLikeTriton(body: InferBody): Promise<Tensor> {
  const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
  for (const input of body.inputs) {
    const name = input.name === 'ids' ? 'input_ids' : input.name;
    feeds[name] = new ort.Tensor('int64', BigInt64Array.from(input.data, (v) => BigInt(v)), input.shape);
  }
  if (!feeds.attention_mask) {
    const ids = feeds.input_ids!;
    feeds.attention_mask = new ort.Tensor('int64', (ids.data as BigInt64Array).map((v) => (v === 0n ? 0n : 1n)), ids.dims);
  }
  const out = (await session.run(feeds)).logits!;
  return { name: body.outputs[0]!.name, shape: [...out.dims], datatype: 'FP32', data: Array.from(out.data as Float32Array) };
}

const server = setupServer(
  http.post(`${TRITON}/v2/models/:model/infer`, async ({ request }) => {
    const body = (await request.json()) as InferBody;
    seen.push({ url: request.url, auth: request.headers.get('authorization'), body });
    return HttpResponse.json({ model_name: 'tiny-reward', outputs: [await runLikeTriton(body)] });
  }),
  http.post(`${TRITON}/v2/models/:model/versions/:version/infer`, async ({ request }) => {
    const body = (await request.json()) as InferBody;
    seen.push({ url: request.url, auth: request.headers.get('authorization'), body });
    return HttpResponse.json({ model_name: 'tiny-reward', model_version: '3', outputs: [await runLikeTriton(body)] });
  }),
);

beforeAll(async () => {
  ort = await loadRuntime();
  session = await ort.InferenceSession.create(`${REWARD}/model.onnx`);
  tokenizer = await loadTokenizer({ path: REWARD });
  server.listen({ onUnhandledFrame: 'error' });
});
afterEach(() => {
  server.resetHandlers();
  seen.length = 0;
});
afterAll(async () => {
  server.close();
  await session.release();
});

const pair = (u: string, a: string): Message[] => [
  { role: 'user', content: u },
  { role: 'assistant', content: a },
];

describe('createKServeScorer (KServe v2 / Triton)', () => {
  it('scores every reference conversation within 1e-4, in requests of batchSize', async () => {
    const scorer = createKServeScorer({ baseURL: TRITON, model: 'tiny-reward', tokenizer, batchSize: 8 });
    const scores = await scorer.score(refs.map((c) => c.messages));
    scores.forEach((s, i) => expect(Math.abs(s.value - refs[i]!.score)).toBeLessThan(1e-4));
    expect(seen).toHaveLength(3);
    expect(seen.map((s) => s.body.inputs[0]!.shape[0])).toEqual([8, 8, 6]);
  });

  it('sends right-padded INT64 input_ids and attention_mask, and asks for the logits', async () => {
    const scorer = createKServeScorer({ baseURL: TRITON, model: 'tiny-reward', version: '3', tokenizer, apiKey: KEY });
    const a = refs[0]!; // 46 tokens
    const b = refs[1]!; // 50 tokens
    await scorer.score([a.messages, b.messages]);
    const { url, auth, body } = seen[0]!;
    expect(url).toBe(`${TRITON}/v2/models/tiny-reward/versions/3/infer`);
    expect(auth).toBe(`Bearer ${KEY}`);
    const width = Math.max(a.input_ids.length, b.input_ids.length);
    const pad = (ids: number[], v: number) => [...ids, ...Array<number>(width - ids.length).fill(v)];
    expect(body).toEqual({
      inputs: [
        { name: 'input_ids', shape: [2, width], datatype: 'INT64', data: [...pad(a.input_ids, 0), ...pad(b.input_ids, 0)] },
        {
          name: 'attention_mask',
          shape: [2, width],
          datatype: 'INT64',
          data: [...pad(a.input_ids.map(() => 1), 0), ...pad(b.input_ids.map(() => 1), 0)],
        },
      ],
      outputs: [{ name: 'logits' }],
    });
  });

  it('uses the tensor names and integer type it is given, with no mask when told', async () => {
    const scorer = createKServeScorer({ baseURL: TRITON, model: 'm', tokenizer, inputIds: 'ids', attentionMask: null, output: 'scores', datatype: 'INT32' });
    const [s] = await scorer.score([refs[3]!.messages]);
    expect(Math.abs(s!.value - refs[3]!.score)).toBeLessThan(1e-4);
    expect(seen[0]!.body.inputs.map((t) => [t.name, t.datatype])).toEqual([['ids', 'INT32']]);
    expect(seen[0]!.body.outputs).toEqual([{ name: 'scores' }]);
  });

  it('names attributes from labels and weighs them into value', async () => {
    server.use(
      http.post(`${TRITON}/v2/models/attrs/infer`, () =>
        HttpResponse.json({ outputs: [{ name: 'logits', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, 4]] }] }),
      ),
    );
    const scorer = createKServeScorer({ baseURL: TRITON, model: 'attrs', tokenizer, labels: ['helpfulness', 'verbosity'], weights: { helpfulness: 1, verbosity: -0.5 } });
    const scores = await scorer.score([refs[0]!.messages, refs[1]!.messages]);
    expect(scores).toEqual([
      { value: 0, attributes: { helpfulness: 1, verbosity: 2 } },
      { value: 1, attributes: { helpfulness: 3, verbosity: 4 } },
    ]);
  });

  it('maps HTTP errors to typed errors without leaking the API key', async () => {
    server.use(
      http.post(`${TRITON}/v2/models/bad/infer`, () => HttpResponse.json({ error: `unexpected shape for input 'input_ids' (key ${KEY})` }, { status: 400 })),
      http.post(`${TRITON}/v2/models/down/infer`, () => HttpResponse.json({ error: 'model not ready' }, { status: 503 })),
    );
    const bad = createKServeScorer({ baseURL: TRITON, model: 'bad', tokenizer, apiKey: KEY });
    const error = await bad.score([refs[0]!.messages]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as Error).message).toMatch(/unexpected shape/);
    expect(`${(error as Error).message} ${inspect(error, { depth: 5 })} ${JSON.stringify(error)}`).not.toContain(KEY);
    expect(inspect(bad, { depth: 5 })).not.toContain(KEY);
    const down = createKServeScorer({ baseURL: TRITON, model: 'down', tokenizer, maxRetries: 0 });
    await expect(down.score([refs[0]!.messages])).rejects.toBeInstanceOf(InternalServerError);
  });

  it('a malformed or mismatched answer is a ResponseError naming the problem', async () => {
    server.use(
      http.post(`${TRITON}/v2/models/odd/infer`, () => HttpResponse.json({ outputs: [{ name: 'logits', shape: [3, 1], datatype: 'FP32', data: [1, 2, 3] }] })),
      http.post(`${TRITON}/v2/models/junk/infer`, () => HttpResponse.json({ hello: 'world' })),
    );
    const odd = createKServeScorer({ baseURL: TRITON, model: 'odd', tokenizer });
    await expect(odd.score([refs[0]!.messages])).rejects.toThrow(/shape \[3, 1\]; expected \[1, 1\]/);
    const junk = createKServeScorer({ baseURL: TRITON, model: 'junk', tokenizer });
    const error = await junk.score([refs[0]!.messages]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).kind).toBe('unexpected-shape');
    // The message names the bad field and what it should be (zod/mini alone says "Invalid input").
    expect((error as Error).message).toContain('outputs: Invalid input: expected array, received undefined');
  });

  it('names the bad path inside a malformed answer', async () => {
    server.use(http.post(`${TRITON}/v2/models/strings/infer`, () => HttpResponse.json({ outputs: [{ name: 'logits', shape: [1, 1], datatype: 'FP32', data: 'oops' }] })));
    const scorer = createKServeScorer({ baseURL: TRITON, model: 'strings', tokenizer });
    await expect(scorer.score([refs[0]!.messages])).rejects.toThrow('outputs[0].data: Invalid input: expected array, received string');
  });

  it('aborts the request with UserAbortError', async () => {
    server.use(http.post(`${TRITON}/v2/models/slow/infer`, () => new Promise<Response>(() => {})));
    const scorer = createKServeScorer({ baseURL: TRITON, model: 'slow', tokenizer });
    const controller = new AbortController();
    const pending = scorer.score([refs[0]!.messages], { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toBeInstanceOf(UserAbortError);
  });

  it('validates options and conversations before sending anything', async () => {
    expect(() => createKServeScorer({ baseURL: 'not a url', model: 'm', tokenizer })).toThrow(/baseURL/);
    expect(() => createKServeScorer({ baseURL: TRITON, model: 'm', tokenizer, weights: { nope: 1 } })).toThrow(/weights\.nope/);
    // Misspelt keys are named, not ignored (as createClient does).
    expect(() => createKServeScorer({ baseURL: TRITON, model: 'm', tokenizer, batchsize: 8 } as never)).toThrow(/batchsize/);
    expect(() => createKServeScorer({ baseURL: TRITON, model: 'm', tokenizer, timeouts: { idle: 5 } } as never)).toThrow(/idle/);
    const scorer = createKServeScorer({ baseURL: TRITON, model: 'm', tokenizer, maxLength: 40 });
    await expect(scorer.score([pair('hi', 'hello'), [{ role: 'user', content: 'hi' }]])).rejects.toThrow(ValidationError);
    await expect(scorer.score([refs[0]!.messages])).rejects.toThrow(/\[0\]: is 46 tokens, over maxLength 40/);
    expect(seen).toHaveLength(0);
  });
});
