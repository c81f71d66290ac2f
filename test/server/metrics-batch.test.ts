// ServerMetrics counts finished requests in batches: every way of reading the registry sees each
// request observed so far, with the figures its record had when it was observed.
import { describe, expect, it } from 'vitest';
import { ServerMetrics } from '../../src/server/metrics.js';
import type { RequestRecord } from '../../src/server/request-record.js';

const record = (i: number): RequestRecord => ({
  id: `r${i}`,
  method: 'POST',
  route: '/v1/chat/completions',
  status: i % 10 === 0 ? 502 : 200,
  latencyMs: 3,
  upstreamStatus: 200,
  upstreamMs: 2,
  candidates: 1,
  verdicts: i % 50 === 0 ? [{ rail: 'output', by: 'safety', safe: false, categories: [] }] : [],
  usage: { promptTokens: 5, completionTokens: 2, totalTokens: 7 },
});

describe('ServerMetrics batches', () => {
  it('shows every observed request, through a batch boundary and in every read', async () => {
    const metrics = new ServerMetrics();
    for (let i = 1; i <= 300; i++) metrics.observe(record(i));
    const text = await metrics.text();
    expect(text).toContain('rewardgate_requests_total{route="/v1/chat/completions",status="200"} 270');
    expect(text).toContain('rewardgate_requests_total{route="/v1/chat/completions",status="502"} 30');
    expect(text).toContain('rewardgate_request_duration_seconds_count{route="/v1/chat/completions"} 300');
    expect(text).toContain('rewardgate_upstream_duration_seconds_count{status="200"} 300');
    expect(text).toContain('rewardgate_candidates_per_request_count 300');
    expect(text).toContain('rewardgate_refusals_total{rail="output",category="unknown"} 6');
    expect(text).toContain('rewardgate_tokens_total{kind="prompt"} 1500');
    expect(text).toContain('rewardgate_tokens_total{kind="completion"} 600');

    // Straight from the registry (an app merging it into its own), and per metric.
    metrics.observe(record(301));
    const json = await metrics.registry.getMetricsAsJSON();
    const requests = json.find((m) => m.name === 'rewardgate_requests_total')!;
    expect(requests.values.find((v) => v.labels.status === '200')?.value).toBe(271);
    metrics.observe(record(302));
    const tokens = await metrics.registry.getSingleMetric('rewardgate_tokens_total')!.get();
    expect(tokens.values.find((v) => v.labels.kind === 'prompt')?.value).toBe(1510);
  });

  it('counts a record as it was when observed', async () => {
    const metrics = new ServerMetrics();
    const r = record(1);
    metrics.observe(r);
    r.status = 500;
    r.route = 'other';
    r.usage = { promptTokens: 1000, completionTokens: 1000, totalTokens: 2000 };
    const text = await metrics.text();
    expect(text).toContain('rewardgate_requests_total{route="/v1/chat/completions",status="200"} 1');
    expect(text).not.toContain('status="500"');
    expect(text).toContain('rewardgate_tokens_total{kind="prompt"} 5');
  });
});
