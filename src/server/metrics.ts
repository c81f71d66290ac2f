import { Counter, Histogram, Registry } from 'prom-client';
import type { RequestRecord } from './request-record.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
// Guards and scorers answer in milliseconds when local, in a second or so when remote.
const PART_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** How one guard call ended: its verdict, a failure, or cancelled (a fan-out dropped it). */
export type GuardOutcome = 'safe' | 'unsafe' | 'error' | 'cancelled';
/** How one scorer call ended. */
export type ScorerOutcome = 'ok' | 'error' | 'cancelled';

/**
 * The proxy's Prometheus metrics, in a registry of its own (two servers in one process do not
 * mix their counts). Served as text at `GET /metrics`. Label children are kept per label set:
 * prom-client hashes the labels on every call otherwise, and this runs once per request.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly #requests = new Counter({ name: 'rewardgate_requests_total', help: 'Requests answered, by route and status', labelNames: ['route', 'status'], registers: [this.registry] });
  readonly #latency = new Histogram({ name: 'rewardgate_request_duration_seconds', help: 'Time to the end of the answer, by route', labelNames: ['route'], buckets: SECONDS, registers: [this.registry] });
  readonly #upstream = new Histogram({ name: 'rewardgate_upstream_duration_seconds', help: 'Upstream model calls (each candidate), by upstream status', labelNames: ['status'], buckets: SECONDS, registers: [this.registry] });
  readonly #guards = new Histogram({ name: 'rewardgate_guard_duration_seconds', help: 'Guard calls, by guard (its config name) and outcome', labelNames: ['guard', 'outcome'], buckets: PART_SECONDS, registers: [this.registry] });
  readonly #scorers = new Histogram({ name: 'rewardgate_scorer_duration_seconds', help: 'Scorer calls (one batch each), by scorer (its config name) and outcome', labelNames: ['scorer', 'outcome'], buckets: PART_SECONDS, registers: [this.registry] });
  readonly #refusals = new Counter({ name: 'rewardgate_refusals_total', help: 'Refused answers, by rail and taxonomy category', labelNames: ['rail', 'category'], registers: [this.registry] });
  readonly #candidates = new Histogram({ name: 'rewardgate_candidates_per_request', help: 'Upstream candidates generated per chat request', buckets: [1, 2, 4, 8, 16, 32, 64, 128], registers: [this.registry] });
  readonly #tokens = new Counter({ name: 'rewardgate_tokens_total', help: 'Tokens of the returned answers, by kind', labelNames: ['kind'], registers: [this.registry] });
  readonly #children = new Map<object, Map<string, Counter.Internal | Histogram.Internal<string>>>();

  /** Counts one finished request. */
  observe(record: RequestRecord): void {
    const status = String(record.status);
    this.#count(this.#requests, record.route, status).inc();
    this.#histogram(this.#latency, record.route).observe(record.latencyMs / 1000);
    if (record.upstreamStatus !== undefined && record.upstreamMs !== undefined) this.#histogram(this.#upstream, String(record.upstreamStatus)).observe(record.upstreamMs / 1000);
    if (record.candidates !== undefined) this.#candidates.observe(record.candidates);
    for (const v of record.verdicts ?? []) {
      if (v.safe) continue;
      const categories = v.categories.length ? v.categories : ['unknown'];
      for (const category of categories) this.#count(this.#refusals, v.rail, category).inc();
    }
    if (record.usage) {
      this.#count(this.#tokens, 'prompt').inc(record.usage.promptTokens);
      this.#count(this.#tokens, 'completion').inc(record.usage.completionTokens);
    }
  }

  /** Times one guard call. */
  guardCall(guard: string, outcome: GuardOutcome, seconds: number): void {
    this.#histogram(this.#guards, guard, outcome).observe(seconds);
  }

  /** Times one scorer call. */
  scorerCall(scorer: string, outcome: ScorerOutcome, seconds: number): void {
    this.#histogram(this.#scorers, scorer, outcome).observe(seconds);
  }

  /** The text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #count(metric: Counter<string>, ...values: string[]): Counter.Internal {
    return this.#child(metric, values) as Counter.Internal;
  }

  #histogram(metric: Histogram<string>, ...values: string[]): Histogram.Internal<string> {
    return this.#child(metric, values) as Histogram.Internal<string>;
  }

  #child(metric: Counter<string> | Histogram<string>, values: string[]): Counter.Internal | Histogram.Internal<string> {
    let children = this.#children.get(metric);
    if (!children) this.#children.set(metric, (children = new Map()));
    const key = values.length === 1 ? values[0]! : values.join('\u0000');
    let child = children.get(key);
    if (!child) children.set(key, (child = metric.labels(...values)));
    return child;
  }
}
