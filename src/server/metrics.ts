import { Counter, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from './request-record.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The proxy's Prometheus metrics, in a registry of its own (two servers in one process do not
 * mix their counts). Served as text at `GET /metrics`.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({ name: 'rewardgate_requests_total', help: 'Requests answered, by route and status', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly #latency = new Histogram({ name: 'rewardgate_request_duration_seconds', help: 'Time to the end of the answer, by route', labelNames: ['route'], buckets: SECONDS, registers: [this.registry] });
  readonly #upstream = new Histogram({ name: 'rewardgate_upstream_duration_seconds', help: 'Upstream model calls (each candidate), by upstream status', labelNames: ['status'], buckets: SECONDS, registers: [this.registry] });
  readonly #refusals = new Counter({ name: 'rewardgate_refusals_total', help: 'Refused answers, by rail and taxonomy category', labelNames: ['rail', 'category'], registers: [this.registry] });
  readonly #candidates = new Histogram({ name: 'rewardgate_candidates_per_request', help: 'Upstream candidates generated per chat request', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [this.registry] });
  readonly #tokens = new Counter({ name: 'rewardgate_tokens_total', help: 'Tokens of the returned answers, by kind', labelNames: ['kind'], registers: [this.registry] });

  /** Counts one finished request. */
  observe(record: RequestRecord): void {
    this.#requests.inc({ route: record.route, status: String(record.status) });
    this.#latency.observe({ route: record.route }, record.latencyMs / 1000);
    if (record.upstreamStatus !== undefined && record.upstreamMs !== undefined) this.#upstream.observe({ status: String(record.upstreamStatus) }, record.upstreamMs / 1000);
    if (record.candidates !== undefined) this.#candidates.observe(record.candidates);
    for (const v of record.verdicts ?? []) {
      if (v.safe) continue;
      const categories = v.categories.length ? v.categories : ['unknown'];
      for (const category of categories) this.#refusals.inc({ rail: v.rail, category });
    }
    if (record.usage) {
      this.#tokens.inc({ kind: 'prompt' }, record.usage.promptTokens);
      this.#tokens.inc({ kind: 'completion' }, record.usage.completionTokens);
    }
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
