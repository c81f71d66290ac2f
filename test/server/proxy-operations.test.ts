// What an operator runs the proxy with: the access log, /metrics, server spans, slim reports and
// pass-through routes, on a real proxy in front of a real loopback upstream.
import { trace } from '@opentelemetry/api';
import { recordingProvider, type Recorded } from '../helpers/span-recorder.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, pipeline, safety } from '../../src/index.js';
import type { Guard } from '../../src/interfaces.js';
import { createGuardServer, type GuardServerOptions } from '../../src/server/index.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { JSON_HEADERS, raw } from './raw-http.js';

let upstream: FakeOpenAIServer;
beforeAll(async () => {
  upstream = await startOpenAIServer();
});
afterAll(async () => {
  await upstream?.close();
});

// A guard with raw outputs (what a classifier's logits look like in a verdict): "bad" is violence.
const guard: Guard = {
  async check(conversation) {
    const bad = JSON.stringify(conversation.at(-1)?.content).includes('bad');
    return { safe: !bad, categories: bad ? [{ category: 'violence', label: 'S1' }] : [], raw: { logits: [0.1, 2.3], probabilities: [0.1, 0.9] } };
  },
};
const guarded = () => pipeline(createClient({ baseURL: upstream.baseURL, maxRetries: 0 }).chatModel('fake-model'), [safety({ guard, output: false })]);
const ask = (content: string) => JSON.stringify({ model: 'fake-model', messages: [{ role: 'user', content }] });

async function start(options: Partial<GuardServerOptions>) {
  const proxy = await createGuardServer({ model: guarded(), port: 0, ...options });
  const { url } = await proxy.listen();
  return { proxy, url };
}

describe('access log and metrics', () => {
  it('writes one JSON line per request without prompt text, and counts requests, refusals and candidates', async () => {
    const lines: string[] = [];
    const { proxy, url } = await start({ accessLog: { destination: { write: (line: string) => lines.push(line) } } });
    try {
      expect((await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, 'x-request-id': 'ok-1' }, body: ask('a private prompt') })).status).toBe(200);
      expect((await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, 'x-request-id': 'refused-1' }, body: ask('something bad') })).status).toBe(200);
      expect((await raw(`${url}/nowhere`)).status).toBe(404);
      const metrics = await raw(`${url}/metrics`);
      expect(metrics.status).toBe(200);
      expect(metrics.text).toContain('rewardgate_requests_total{route="/v1/chat/completions",status="200"} 2');
      expect(metrics.text).toContain('rewardgate_requests_total{route="other",status="404"} 1');
      expect(metrics.text).toContain('rewardgate_refusals_total{rail="input",category="violence"} 1');
      expect(metrics.text).toMatch(/rewardgate_candidates_per_request_count \d/);
      expect(metrics.text).toMatch(/rewardgate_tokens_total\{kind="completion"\} \d/);

      const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const ok = records.find((r) => r.id === 'ok-1')!;
      expect(ok).toMatchObject({ msg: 'request', route: '/v1/chat/completions', status: 200, model: 'fake-model', candidates: 1, upstreamStatus: 200, refused: false });
      expect(typeof ok.latencyMs).toBe('number');
      const refused = records.find((r) => r.id === 'refused-1')!;
      expect(refused).toMatchObject({ refused: true, verdicts: [{ rail: 'input', safe: false, categories: ['violence'] }] });
      expect(lines.join('\n')).not.toContain('private prompt');
      expect(records.find((r) => r.status === 404)).toMatchObject({ route: 'other', code: 'not_found' });
    } finally {
      await proxy.close();
    }
  });

  it('logs the messages only when asked', async () => {
    const lines: string[] = [];
    const { proxy, url } = await start({ accessLog: { destination: { write: (line: string) => lines.push(line) }, prompts: true } });
    try {
      await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: ask('a private prompt') });
      expect(lines.join('\n')).toContain('a private prompt');
    } finally {
      await proxy.close();
    }
  });
});

describe('wire reports', () => {
  it('sends verdicts without raw guard outputs by default, and with them for report: full', async () => {
    const slim = await start({});
    const full = await start({ report: 'full' });
    try {
      const a = JSON.parse((await raw(`${slim.url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: ask('hello') })).text);
      expect(a.rewardgate.report.verdicts[0].verdict).toEqual({ safe: true, categories: [] });
      const b = JSON.parse((await raw(`${full.url}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body: ask('hello') })).text);
      expect(b.rewardgate.report.verdicts[0].verdict.raw).toEqual({ logits: [0.1, 2.3], probabilities: [0.1, 0.9] });
    } finally {
      await slim.proxy.close();
      await full.proxy.close();
    }
  });
});

describe('pass-through routes', () => {
  it('forwards listed routes to the upstream with its key instead of the client token; others stay 404', async () => {
    const token = 'client-token-77';
    const { proxy, url } = await start({ token, passThrough: { routes: ['/v1/embeddings'], baseURL: upstream.baseURL, apiKey: 'upstream-key-99' } });
    try {
      const auth = { ...JSON_HEADERS, authorization: `Bearer ${token}` };
      const forwarded = await raw(`${url}/v1/embeddings?x=1`, { method: 'POST', headers: auth, body: JSON.stringify({ input: 'hi', model: 'e' }) });
      const seen = upstream.requests.at(-1)!;
      expect(seen.path).toBe('/v1/embeddings');
      expect(seen.headers.authorization).toBe('Bearer upstream-key-99');
      expect(seen.body).toEqual({ input: 'hi', model: 'e' });
      // The upstream's own answer comes back as it is (the fake upstream has no embeddings: its 404).
      expect(forwarded.status).toBe(404);
      expect(JSON.parse(forwarded.text)).toEqual({ error: { message: 'not found' } });
      const other = await raw(`${url}/v1/audio`, { method: 'POST', headers: auth, body: '{}' });
      expect(JSON.parse(other.text).error.code).toBe('not_found');
      expect((await raw(`${url}/v1/embeddings`, { method: 'POST', headers: JSON_HEADERS, body: '{}' })).status).toBe(401);
    } finally {
      await proxy.close();
    }
  });
});

describe('OpenTelemetry', () => {
  it('records a server span per request with its route and status', async () => {
    const spans: Recorded[] = [];
    trace.setGlobalTracerProvider(recordingProvider(spans));
    const { proxy, url } = await start({});
    try {
      await new Promise((r) => setTimeout(r, 20)); // the optional peer loads lazily
      await raw(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...JSON_HEADERS, 'x-request-id': 'span-1' }, body: ask('hello') });
      const server = spans.find((s) => s.name === 'POST /v1/chat/completions');
      expect(server).toMatchObject({ ended: true, attributes: { 'http.response.status_code': 200, 'rewardgate.request_id': 'span-1' } });
    } finally {
      await proxy.close();
      trace.disable();
    }
  });
});
